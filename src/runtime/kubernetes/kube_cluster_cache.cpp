#include "runtime/kubernetes/kube_cluster_cache.h"

#include "runtime/kubernetes/kube_mapping.h"
#include "runtime/kubernetes/kube_path.h"

namespace wharf::kube {
namespace {

using json = nlohmann::json;

// Managed workload objects are grouped by "namespace/app".
std::string app_group(const json& object) {
  const json& m = object.value("metadata", json::object());
  auto labels = m.find("labels");
  if (labels == m.end() || !labels->is_object()) return {};
  auto name = labels->find(kNameLabel);
  if (name == labels->end() || !name->is_string()) return {};
  return m.value("namespace", "") + "/" + name->get<std::string>();
}

// Events are grouped by the object they are about: "namespace/Kind/name", for the kinds Wharf creates.
std::string event_group(const json& event) {
  const json& about = event.value("involvedObject", json::object());
  std::string kind = about.value("kind", "");
  if (kind != "Pod" && kind != "ReplicaSet" && kind != "Deployment") return {};
  return about.value("namespace", "") + "/" + kind + "/" + about.value("name", "");
}

std::string event_key(const std::string& ns, std::string_view kind, const std::string& name) {
  return ns + "/" + std::string(kind) + "/" + name;
}

InformerOptions managed(std::string kind, std::string group, std::string version, std::string resource) {
  InformerOptions o;
  o.kind = std::move(kind);
  o.collection =
      with_query(resource_path(group, version, "", resource), {{"labelSelector", managed_selector()}});
  o.group_of = app_group;
  return o;
}

InformerOptions warning_events() {
  InformerOptions o;
  o.kind = "events";
  o.collection = with_query(resource_path("", "v1", "", "events"), {{"fieldSelector", "type=Warning"}});
  o.group_of = event_group;
  // Events of objects that are not Wharf's are dropped by event_group; this bounds the rest.
  o.max_objects = 5000;
  return o;
}

void append(const Informer::Group& group, std::vector<json>& out) {
  for (const auto& [name, object] : group) out.push_back(object);
}

}  // namespace

ClusterCache::ClusterCache(KubeClient& client, std::function<void()> changed)
    : deployments_(client, managed("deployments", "apps", "v1", "deployments"), changed),
      replica_sets_(client, managed("replicasets", "apps", "v1", "replicasets"), changed),
      pods_(client, managed("pods", "", "v1", "pods"), changed),
      services_(client, managed("services", "", "v1", "services"), changed),
      events_(client, warning_events(), changed) {
  for (Informer* i : {&deployments_, &replica_sets_, &pods_, &services_, &events_}) i->start();
}

bool ClusterCache::wait_synced(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (Informer* i : {&deployments_, &replica_sets_, &pods_, &services_, &events_}) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!i->wait_synced(std::max(left, std::chrono::milliseconds(0)))) return false;
  }
  return true;
}

bool ClusterCache::synced() const {
  for (const Informer* i : {&deployments_, &replica_sets_, &pods_, &services_, &events_})
    if (!i->synced()) return false;
  return true;
}

AppObjects ClusterCache::app(const std::string& ns, const std::string& app) const {
  AppObjects out;
  const std::string group = ns + "/" + app;
  deployments_.read(group, [&](const Informer::Group& g) {
    if (auto it = g.find(app); it != g.end()) out.deployment = it->second;
  });
  services_.read(group, [&](const Informer::Group& g) {
    if (auto it = g.find(app); it != g.end()) out.service = it->second;
  });
  replica_sets_.read(group, [&](const Informer::Group& g) { append(g, out.replica_sets); });
  pods_.read(group, [&](const Informer::Group& g) { append(g, out.pods); });
  auto events_about = [&](std::string_view kind, const std::string& name) {
    events_.read(event_key(ns, kind, name), [&](const Informer::Group& g) { append(g, out.warnings); });
  };
  events_about("Deployment", app);
  for (const auto& rs : out.replica_sets) events_about("ReplicaSet", rs["metadata"].value("name", ""));
  for (const auto& pod : out.pods) events_about("Pod", pod["metadata"].value("name", ""));
  return out;
}

namespace {

ReleaseKey key_of(const json& deployment) {
  const json& labels = deployment["metadata"].value("labels", json::object());
  return {labels.value(kProjectLabel, ""), labels.value(kNameLabel, ""), labels.value(kEnvironmentLabel, "")};
}

}  // namespace

std::vector<ReleaseKey> ClusterCache::workloads() const {
  std::vector<ReleaseKey> out;
  deployments_.for_each([&](const json& d) {
    ReleaseKey key = key_of(d);
    if (!key.project.empty() && !key.app.empty() && !key.environment.empty()) out.push_back(std::move(key));
  });
  return out;
}

std::string ClusterCache::namespace_of(const ReleaseKey& key) const {
  std::string ns;
  deployments_.for_each([&](const json& d) {
    if (ns.empty() && key_of(d) == key) ns = d["metadata"].value("namespace", "");
  });
  return ns;
}

bool ClusterCache::deployments_seen(int64_t version) const {
  return deployments_.seen_version() >= version;
}

bool ClusterCache::services_seen(int64_t version) const {
  return services_.seen_version() >= version;
}

std::vector<ClusterCache::KindStats> ClusterCache::stats() const {
  std::vector<KindStats> out;
  for (const Informer* i : {&deployments_, &replica_sets_, &pods_, &services_, &events_})
    out.push_back({i->kind(), i->stats()});
  return out;
}

}  // namespace wharf::kube
