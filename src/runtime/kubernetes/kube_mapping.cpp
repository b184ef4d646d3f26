#include "runtime/kubernetes/kube_mapping.h"

#include <charconv>
#include <set>

#include "core/qos.h"
#include "core/quantity.h"
#include "util/crypto.h"

namespace wharf::kube {
namespace {

using json = nlohmann::json;

json labels_of(const Workload& w) {
  return {{kNameLabel, w.key.app},
          {kManagedByLabel, kManagedByValue},
          {kProjectLabel, w.key.project},
          {kEnvironmentLabel, w.key.environment}};
}

// Immutable once the Deployment exists, so only what identifies the app: never the revision.
json selector_of(const Workload& w) {
  return {{kNameLabel, w.key.app}, {kProjectLabel, w.key.project}, {kEnvironmentLabel, w.key.environment}};
}

json int_or_percent(const IntOrPercent& v) {
  if (v.percent) return std::to_string(v.value) + "%";
  return v.value;
}

json port_ref(const PortRef& ref) {
  if (!ref.name.empty()) return ref.name;
  return ref.number;
}

json probe_object(const Probe& p) {
  json probe;
  switch (p.kind) {
    case Probe::Kind::kHttp:
      probe["httpGet"] = {{"path", p.path}, {"port", port_ref(p.port)}};
      break;
    case Probe::Kind::kTcp:
      probe["tcpSocket"] = {{"port", port_ref(p.port)}};
      break;
    case Probe::Kind::kExec:
      probe["exec"] = {{"command", p.command}};
      break;
  }
  probe["initialDelaySeconds"] = p.initial_delay_seconds;
  probe["periodSeconds"] = p.period_seconds;
  probe["timeoutSeconds"] = p.timeout_seconds;
  probe["successThreshold"] = p.success_threshold;
  probe["failureThreshold"] = p.failure_threshold;
  return probe;
}

// Limits from the spec, requests from the QoS tier (DESIGN.md, "QoS tiers"), in Kubernetes' canonical
// quantity notation so that what the API server stores reads back equal.
json resources_object(const AppSpec& spec) {
  ResourceLimits limits = limits_of(spec);
  ResourceRequests requests = requests_for(limits, default_tier_ratio(spec.qos));
  json limits_json = json::object(), requests_json = json::object();
  if (limits.cpu_millis) limits_json["cpu"] = format_cpu_millis(*limits.cpu_millis);
  if (limits.memory_bytes) limits_json["memory"] = format_memory_bytes(*limits.memory_bytes);
  if (requests.cpu_millis) requests_json["cpu"] = format_cpu_millis(*requests.cpu_millis);
  if (requests.memory_bytes) requests_json["memory"] = format_memory_bytes(*requests.memory_bytes);
  json resources = json::object();
  if (!limits_json.empty()) resources["limits"] = std::move(limits_json);
  if (!requests_json.empty()) resources["requests"] = std::move(requests_json);
  return resources;
}

json container_object(const Workload& w, const ConfigLayout* layout) {
  const AppSpec& spec = w.release.spec;
  json c = {{"name", w.key.app}, {"image", pinned_image(w.release)}};
  if (!spec.command.empty()) c["command"] = spec.command;
  if (!spec.args.empty()) c["args"] = spec.args;
  if (!spec.env.empty()) {
    json env = json::array();
    for (const auto& [name, value] : spec.env) env.push_back({{"name", name}, {"value", value}});
    c["env"] = std::move(env);
  }
  if (layout) {
    std::set<std::string> taken;
    for (const auto& entry : spec.env) taken.insert(entry.first);
    for (auto& e : config_env(*w.config, *layout, taken)) c["env"].push_back(std::move(e));
    if (!config_volume(*w.config, *layout).is_null())
      c["volumeMounts"] =
          json::array({{{"name", kConfigVolumeName}, {"mountPath", spec.config_path}, {"readOnly", true}}});
  }
  if (!spec.ports.empty()) {
    json ports = json::array();
    for (const auto& p : spec.ports) {
      json port = {{"containerPort", p.port}, {"protocol", p.protocol}};
      if (!p.name.empty()) port["name"] = p.name;
      ports.push_back(std::move(port));
    }
    c["ports"] = std::move(ports);
  }
  if (json r = resources_object(spec); !r.empty()) c["resources"] = std::move(r);
  if (spec.health_check.readiness) c["readinessProbe"] = probe_object(*spec.health_check.readiness);
  if (spec.health_check.liveness) c["livenessProbe"] = probe_object(*spec.health_check.liveness);
  return c;
}

// The config objects of w (none without a config, or when they cannot be delivered: `error`).
ConfigLayout layout_of(const Workload& w, std::optional<Error>* error) {
  if (!w.config) return {};
  auto layout = config_layout(*w.config, w.key.app);
  if (!layout) {
    if (error) *error = layout.error();
    return {};
  }
  return std::move(*layout);
}

// The pod template without Wharf's bookkeeping annotations: what template_hash digests.
json bare_template(const Workload& w, const ConfigLayout& layout) {
  json metadata = {{"labels", labels_of(w)}};
  if (w.release.config_version)
    metadata["annotations"] = {{kConfigVersionAnnotation, std::to_string(*w.release.config_version)}};
  const ConfigLayout* wired = w.config && !layout.parts.empty() ? &layout : nullptr;
  json spec = {{"containers", json::array({container_object(w, wired)})}};
  if (wired)
    if (json volume = config_volume(*w.config, layout); !volume.is_null())
      spec["volumes"] = json::array({std::move(volume)});
  return {{"metadata", std::move(metadata)}, {"spec", std::move(spec)}};
}

std::string template_hash_of(const json& bare) {
  return sha256_hex(bare.dump()).substr(0, 16);
}

}  // namespace

std::string managed_selector() {
  return std::string(kManagedByLabel) + "=" + std::string(kManagedByValue);
}

std::string pinned_image(const Release& release) {
  if (release.image_digest.empty() || release.image.find('@') != std::string::npos) return release.image;
  return release.image + "@" + release.image_digest;
}

std::string template_hash(const Workload& w) {
  return template_hash_of(bare_template(w, layout_of(w, nullptr)));
}

DesiredObjects desired_objects(const Workload& w, int64_t template_revision) {
  DesiredObjects out;
  out.config = layout_of(w, &out.config_error);
  json pod_template = bare_template(w, out.config);
  out.template_hash = template_hash_of(pod_template);
  const std::string revision = std::to_string(template_revision);
  auto& annotations = pod_template["metadata"]["annotations"];
  annotations[kRevisionAnnotation] = revision;
  annotations[kTemplateHashAnnotation] = out.template_hash;

  json namespace_labels = {{kManagedByLabel, kManagedByValue},
                           {kProjectLabel, w.key.project},
                           {kEnvironmentLabel, w.key.environment}};
  out.ns = {{"apiVersion", "v1"},
            {"kind", "Namespace"},
            {"metadata", {{"name", w.ns}, {"labels", std::move(namespace_labels)}}}};

  json deployment_annotations = {{kRevisionAnnotation, revision}};
  if (w.release.config_version)
    deployment_annotations[kConfigVersionAnnotation] = std::to_string(*w.release.config_version);
  const Strategy& strategy = w.release.spec.strategy;
  out.deployment = {{"apiVersion", "apps/v1"},
                    {"kind", "Deployment"},
                    {"metadata",
                     {{"name", w.key.app},
                      {"namespace", w.ns},
                      {"labels", labels_of(w)},
                      {"annotations", std::move(deployment_annotations)}}},
                    {"spec",
                     {{"replicas", w.release.replicas},
                      {"revisionHistoryLimit", 10},
                      {"progressDeadlineSeconds", strategy.progress_deadline_seconds},
                      {"selector", {{"matchLabels", selector_of(w)}}},
                      {"strategy",
                       {{"type", "RollingUpdate"},
                        {"rollingUpdate",
                         {{"maxSurge", int_or_percent(strategy.max_surge)},
                          {"maxUnavailable", int_or_percent(strategy.max_unavailable)}}}}},
                      {"template", std::move(pod_template)}}}};

  if (!w.release.spec.ports.empty()) {
    json ports = json::array();
    for (const auto& p : w.release.spec.ports) {
      json port = {{"port", p.port}, {"targetPort", p.port}, {"protocol", p.protocol}};
      if (!p.name.empty()) port["name"] = p.name;
      ports.push_back(std::move(port));
    }
    out.service = {{"apiVersion", "v1"},
                   {"kind", "Service"},
                   {"metadata", {{"name", w.key.app}, {"namespace", w.ns}, {"labels", labels_of(w)}}},
                   {"spec", {{"selector", selector_of(w)}, {"ports", std::move(ports)}}}};
  }
  return out;
}

int64_t annotated_revision(const json& object) {
  return annotation_number(object, kRevisionAnnotation);
}

int64_t annotation_number(const json& object, std::string_view name) {
  const json* annotations = nullptr;
  if (auto m = object.find("metadata"); m != object.end() && m->is_object())
    if (auto a = m->find("annotations"); a != m->end() && a->is_object()) annotations = &*a;
  if (!annotations) return 0;
  auto it = annotations->find(name);
  if (it == annotations->end() || !it->is_string()) return 0;
  const auto& text = it->get_ref<const std::string&>();
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() ? value : 0;
}

}  // namespace wharf::kube
