#include "runtime/kubernetes/kubernetes_runtime.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <tuple>
#include <utility>

#include "runtime/kubernetes/kube_cluster_cache.h"
#include "runtime/kubernetes/kube_drift.h"
#include "runtime/kubernetes/kube_log_stream.h"
#include "runtime/kubernetes/kube_mapping.h"
#include "runtime/kubernetes/kube_path.h"
#include "runtime/kubernetes/kube_status.h"

namespace wharf::kube {

using json = nlohmann::json;

struct KubernetesRuntime::Connection {
  std::string cluster;
  std::unique_ptr<KubeClient> client;
  std::unique_ptr<ClusterCache> cache;  // declared after the client: its watches stop first

  std::mutex mu;
  std::set<std::string> namespaces;  // known to exist
  // "namespace/app" -> resourceVersion of Wharf's last write, so observe() tells its own change that the
  // watch has not delivered yet from someone else's change.
  std::map<std::string, int64_t> deployment_writes, service_writes;
  // "namespace/name" of the config objects known to exist (versions are immutable: written once).
  std::set<std::string> config_objects;
  // "namespace/app" -> the config versions kept by the last complete garbage collection.
  std::map<std::string, std::set<int64_t>> config_kept;
};

namespace {

constexpr auto kSyncWait = std::chrono::seconds(10);

// Kubernetes' verdicts for the controller: a refused object can never run (invalid); everything else
// (unreachable, 5xx, a namespace being deleted, missing RBAC that an admin may fix) is retried.
Error for_controller(const Error& e, const std::string& what) {
  std::string message = what + ": " + e.message;
  if (e.code == ErrorCode::kInvalid) return Error::invalid(e.field, std::move(message));
  return Error::unavailable(std::move(message));
}

// What Wharf sent, as comparable to what the cache holds (listed items carry no apiVersion/kind).
json comparable(const json& object) {
  json copy = object;
  copy.erase("apiVersion");
  copy.erase("kind");
  return copy;
}

int64_t written_version(const json& object) {
  return version_number(object.value("/metadata/resourceVersion"_json_pointer, std::string()));
}

std::string running_template_hash(const json& deployment) {
  return deployment.value("/spec/template/metadata/annotations"_json_pointer, json::object())
      .value(kTemplateHashAnnotation, "");
}

// The objects for `w` given what runs: an unchanged pod template keeps the revision it was created by.
DesiredObjects desired_for(const Workload& w, const AppObjects& seen) {
  int64_t template_revision = w.release.revision;
  if (seen.deployment && running_template_hash(*seen.deployment) == template_hash(w))
    if (int64_t r = annotated_revision((*seen.deployment)["spec"]["template"]); r > 0) template_revision = r;
  return desired_objects(w, template_revision);
}

bool is_not_found(const Result<json>& r) {
  return !r && r.error().code == ErrorCode::kNotFound;
}

struct Kind {
  const char* group;
  const char* resource;
  const char* ignored_name;  // an object Kubernetes puts in every namespace
};

// What may live in a namespace that Wharf did not put there. A namespace holding any of these is kept.
constexpr Kind kForeignKinds[] = {
    {"apps", "statefulsets", nullptr},
    {"apps", "daemonsets", nullptr},
    {"batch", "jobs", nullptr},
    {"batch", "cronjobs", nullptr},
    {"", "persistentvolumeclaims", nullptr},
    {"", "configmaps", "kube-root-ca.crt"},
    {"", "secrets", nullptr},
    {"networking.k8s.io", "ingresses", nullptr},
};

}  // namespace

KubernetesRuntime::KubernetesRuntime() = default;

KubernetesRuntime::~KubernetesRuntime() {
  std::map<std::string, std::shared_ptr<Connection>> clusters;
  {
    std::lock_guard lock(mu_);
    clusters.swap(clusters_);
  }
}

void KubernetesRuntime::add_cluster(const std::string& cluster, std::unique_ptr<KubeClient> client) {
  auto c = std::make_shared<Connection>();
  c->cluster = cluster;
  c->client = std::move(client);
  c->cache = std::make_unique<ClusterCache>(*c->client, [this] { notify_changed(); });
  std::shared_ptr<Connection> replaced;  // stopped after the lock is released: its watches call back
  {
    std::lock_guard lock(mu_);
    replaced = std::exchange(clusters_[cluster], std::move(c));
  }
}

void KubernetesRuntime::remove_cluster(const std::string& cluster) {
  std::shared_ptr<Connection> removed;  // stopped after the lock is released: its watches call back
  {
    std::lock_guard lock(mu_);
    if (auto it = clusters_.find(cluster); it != clusters_.end()) {
      removed = std::move(it->second);
      clusters_.erase(it);
    }
  }
}

void KubernetesRuntime::set_change_listener(std::function<void()> changed) {
  std::lock_guard lock(mu_);
  changed_ = std::move(changed);
}

void KubernetesRuntime::notify_changed() {
  std::function<void()> changed;
  {
    std::lock_guard lock(mu_);
    changed = changed_;
  }
  if (changed) changed();
}

Result<std::shared_ptr<KubernetesRuntime::Connection>> KubernetesRuntime::connection(
    const std::string& cluster, bool synced) {
  std::shared_ptr<Connection> c;
  {
    std::lock_guard lock(mu_);
    if (auto it = clusters_.find(cluster); it != clusters_.end()) c = it->second;
  }
  if (!c)
    return fail(Error::unavailable("cluster \"" + cluster + "\" is not served by the Kubernetes driver"));
  if (synced && !c->cache->wait_synced(kSyncWait))
    return fail(Error::unavailable("still reading the objects of cluster \"" + cluster + "\" from " +
                                   c->client->server() + "; is the API server reachable?"));
  return c;
}

Status KubernetesRuntime::ensure_namespace(Connection& c, const Workload& w, const json& ns_object) {
  {
    std::lock_guard lock(c.mu);
    if (c.namespaces.count(w.ns)) return {};
  }
  const std::string path = resource_path("", "v1", "", "namespaces", w.ns);
  auto existing = c.client->get(path);
  if (existing) {
    if (existing->value("/status/phase"_json_pointer, std::string()) == "Terminating")
      return fail(Error::unavailable("namespace \"" + w.ns + "\" on cluster \"" + c.cluster +
                                     "\" is being deleted; Wharf recreates it once it is gone"));
  } else if (is_not_found(existing)) {
    // Only a namespace Wharf creates carries its labels, which is what lets remove() delete it later.
    if (auto made = c.client->apply(path, ns_object); !made)
      return fail(for_controller(made.error(), "creating namespace " + w.ns));
  } else {
    return fail(for_controller(existing.error(), "reading namespace " + w.ns));
  }
  std::lock_guard lock(c.mu);
  c.namespaces.insert(w.ns);
  // A namespace (re)discovered: what Wharf remembers writing into it may be gone with an earlier one.
  const std::string prefix = w.ns + "/";
  std::erase_if(c.config_objects, [&](const std::string& k) { return k.starts_with(prefix); });
  std::erase_if(c.config_kept, [&](const auto& entry) { return entry.first.starts_with(prefix); });
  return {};
}

Status KubernetesRuntime::ensure_config(Connection& c, const Workload& w, const ConfigLayout& layout) {
  for (const auto& part : layout.parts) {
    const std::string known = w.ns + "/" + part.name;
    {
      std::lock_guard lock(c.mu);
      if (c.config_objects.count(known)) continue;
    }
    const char* kind = part.secret ? "Secret" : "ConfigMap";
    const std::string path = resource_path("", "v1", w.ns, part.secret ? "secrets" : "configmaps", part.name);
    auto written = c.client->apply(path, config_object(w, layout, part));
    if (!written) {
      if (written.error().code == ErrorCode::kNotFound) {
        std::lock_guard lock(c.mu);
        c.namespaces.erase(w.ns);  // deleted behind Wharf's back: recreated on the next pass
      }
      return fail(for_controller(written.error(), std::string("applying ") + kind + " " + known));
    }
    applies_++;
    std::lock_guard lock(c.mu);
    c.config_objects.insert(known);
  }
  return {};
}

void KubernetesRuntime::collect_config(Connection& c, const Workload& w, const AppObjects& seen) {
  // Kept: the version the desired template refers to, the one the Deployment ran until now, and every
  // version a ReplicaSet of the app still refers to (the Deployment controller keeps the last
  // revisionHistoryLimit of them: rollback targets and pods still running).
  std::set<int64_t> kept;
  if (w.config) kept.insert(w.config->version);
  if (w.release.config_version) kept.insert(*w.release.config_version);
  if (seen.deployment)
    if (auto t = seen.deployment->find("spec"); t != seen.deployment->end() && t->contains("template"))
      kept.insert(template_config_version((*t)["template"]));
  for (const auto& rs : seen.replica_sets)
    if (auto t = rs.find("spec"); t != rs.end() && t->contains("template"))
      kept.insert(template_config_version((*t)["template"]));
  kept.erase(0);
  const std::string key = w.ns + "/" + w.key.app;
  {
    std::lock_guard lock(c.mu);
    if (auto it = c.config_kept.find(key); it != c.config_kept.end() && it->second == kept) return;
  }
  for (const char* resource : {"configmaps", "secrets"}) {
    auto listed = c.client->list(
        with_query(resource_path("", "v1", w.ns, resource), {{"labelSelector", config_selector(w.key)}}));
    if (!listed) {
      spdlog::warn("kubernetes {}: listing the config {} of {}: {}", c.cluster, resource, key,
                   listed.error().message);
      return;  // retried on the next apply
    }
    for (const auto& item : (*listed)["items"]) {
      const json labels = item.value("/metadata/labels"_json_pointer, json::object());
      const std::string text = labels.value(kConfigVersionLabel, "");
      int64_t version = 0;
      try {
        version = std::stoll(text);
      } catch (const std::exception&) {
        continue;  // not a version Wharf wrote: leave it
      }
      if (kept.count(version)) continue;
      const std::string name = item["metadata"].value("name", "");
      auto deleted = c.client->del(resource_path("", "v1", w.ns, resource, name));
      if (!deleted && !is_not_found(deleted)) {
        spdlog::warn("kubernetes {}: deleting config object {}/{}: {}", c.cluster, w.ns, name,
                     deleted.error().message);
        return;
      }
      deletes_++;
      std::lock_guard lock(c.mu);
      c.config_objects.erase(w.ns + "/" + name);
    }
  }
  std::lock_guard lock(c.mu);
  c.config_kept[key] = std::move(kept);
}

Status KubernetesRuntime::apply(const Workload& w) {
  auto c = connection(w.cluster, true);
  if (!c) return fail(c.error());
  Connection& conn = **c;
  const std::string key = w.ns + "/" + w.key.app;
  AppObjects seen = conn.cache->app(w.ns, w.key.app);
  DesiredObjects desired = desired_for(w, seen);
  if (desired.config_error)
    return fail(Error::invalid(desired.config_error->field, desired.config_error->message));
  if (auto s = ensure_namespace(conn, w, desired.ns); !s) return s;
  // Create before update: the config objects exist before the pod template refers to them.
  if (auto s = ensure_config(conn, w, desired.config); !s) return s;

  bool write = true, scale_only = false;
  if (seen.deployment) {
    json rest = comparable(desired.deployment);
    rest["spec"].erase("replicas");
    const bool rest_same = drift_between(rest, *seen.deployment).empty();
    const bool replicas_same =
        seen.deployment->value("/spec/replicas"_json_pointer, int64_t{-1}) == w.release.replicas;
    write = !(rest_same && replicas_same);
    scale_only = rest_same && !replicas_same;
  }
  const std::string deployment_path = resource_path("apps", "v1", w.ns, "deployments", w.key.app);
  if (write) {
    auto written = scale_only ? conn.client->patch_scale(deployment_path, w.release.replicas)
                              : conn.client->apply(deployment_path, desired.deployment);
    if (!written) {
      if (written.error().code == ErrorCode::kNotFound) {
        std::lock_guard lock(conn.mu);
        conn.namespaces.erase(w.ns);  // deleted behind Wharf's back: recreated on the next pass
      }
      return fail(for_controller(written.error(), "applying Deployment " + key));
    }
    (scale_only ? scales_ : applies_)++;
    std::lock_guard lock(conn.mu);
    conn.deployment_writes[key] = written_version(*written);
  } else {
    skipped_++;
  }

  const std::string service_path = resource_path("", "v1", w.ns, "services", w.key.app);
  if (desired.service.is_null()) {
    if (seen.service) {
      auto deleted = conn.client->del(service_path);
      if (!deleted && !is_not_found(deleted))
        return fail(for_controller(deleted.error(), "deleting Service " + key));
      deletes_++;
    }
  } else if (!seen.service || !drift_between(comparable(desired.service), *seen.service).empty()) {
    auto written = conn.client->apply(service_path, desired.service);
    if (!written) return fail(for_controller(written.error(), "applying Service " + key));
    applies_++;
    std::lock_guard lock(conn.mu);
    conn.service_writes[key] = written_version(*written);
  }
  collect_config(conn, w, seen);
  return {};
}

Result<WorkloadStatus> KubernetesRuntime::observe(const Workload& w) {
  auto c = connection(w.cluster, false);
  if (!c) return fail(c.error());
  Connection& conn = **c;
  if (!conn.cache->synced())
    return fail(Error::unavailable("still reading the objects of cluster \"" + w.cluster + "\""));
  const std::string key = w.ns + "/" + w.key.app;
  AppObjects seen = conn.cache->app(w.ns, w.key.app);
  DesiredObjects desired = desired_for(w, seen);

  ObservedApp view;
  if (seen.deployment) view.deployment = &*seen.deployment;
  for (const auto& o : seen.replica_sets) view.replica_sets.push_back(&o);
  for (const auto& o : seen.pods) view.pods.push_back(&o);
  for (const auto& o : seen.warnings) view.warnings.push_back(&o);
  WorkloadStatus status = derive_status(w, desired.template_hash, view, w.cluster);

  int64_t deployment_written = 0, service_written = 0;
  {
    std::lock_guard lock(conn.mu);
    if (auto it = conn.deployment_writes.find(key); it != conn.deployment_writes.end())
      deployment_written = it->second;
    if (auto it = conn.service_writes.find(key); it != conn.service_writes.end())
      service_written = it->second;
  }
  // Only judged once the caches show Wharf's own last write: until then a difference is Wharf's change
  // on its way, not drift.
  std::vector<std::string> drift;
  if (conn.cache->deployments_seen(deployment_written)) {
    if (seen.deployment) {
      for (auto& d : drift_between(comparable(desired.deployment), *seen.deployment))
        drift.push_back("Deployment " + d);
    } else if (deployment_written > 0) {
      drift.push_back("Deployment " + key + " was deleted");
    }
  }
  if (!desired.service.is_null() && conn.cache->services_seen(service_written)) {
    if (seen.service) {
      for (auto& d : drift_between(comparable(desired.service), *seen.service))
        drift.push_back("Service " + d);
    } else if (seen.deployment) {
      drift.push_back("Service " + key + " was deleted");
    }
  }
  status.drift = describe_drift(drift);
  return status;
}

bool KubernetesRuntime::namespace_is_empty_but(Connection& c, const std::string& ns, const std::string& app) {
  auto only = [&](const char* group, const char* resource, std::string_view selector, const char* allowed) {
    auto listed = c.client->list(
        with_query(resource_path(group, "v1", ns, resource), {{"labelSelector", std::string(selector)}}));
    if (!listed) return false;  // cannot tell (RBAC, unreachable): keep the namespace
    for (const auto& item : (*listed)["items"])
      if (!allowed || item["metadata"].value("name", "") != allowed) return false;
    return true;
  };
  if (!only("apps", "deployments", "", app.c_str()) || !only("", "services", "", app.c_str())) return false;
  // Pods of the Deployment being deleted may still be going; anything else is someone's.
  const std::string not_wharf = std::string(kManagedByLabel) + "!=" + std::string(kManagedByValue);
  if (!only("", "pods", not_wharf, nullptr)) return false;
  for (const auto& k : kForeignKinds)
    if (!only(k.group, k.resource, "", k.ignored_name)) return false;
  return true;
}

Status KubernetesRuntime::remove(const ReleaseKey& key, const std::string& cluster,
                                 const std::string& environment_ns) {
  auto c = connection(cluster, environment_ns.empty());
  if (!c) return fail(c.error());
  Connection& conn = **c;
  // Without the environment (deleted), the Deployment's labels say where the workload runs.
  const std::string ns = environment_ns.empty() ? conn.cache->namespace_of(key) : environment_ns;
  if (ns.empty()) return {};
  const std::string what = ns + "/" + key.app;
  for (auto [group, resource, kind] :
       {std::tuple{"apps", "deployments", "Deployment"}, std::tuple{"", "services", "Service"}}) {
    auto deleted =
        conn.client->del(resource_path(group, "v1", ns, resource, key.app), Propagation::kBackground);
    if (!deleted && !is_not_found(deleted))
      return fail(for_controller(deleted.error(), std::string("deleting ") + kind + " " + what));
    if (deleted) deletes_++;
  }
  // The config objects of every version (found by their labels, so also those of earlier runs).
  for (auto [resource, kind] : {std::pair{"configmaps", "ConfigMap"}, std::pair{"secrets", "Secret"}}) {
    auto listed = conn.client->list(
        with_query(resource_path("", "v1", ns, resource), {{"labelSelector", config_selector(key)}}));
    if (!listed) return fail(for_controller(listed.error(), std::string("listing the config of ") + what));
    for (const auto& item : (*listed)["items"]) {
      const std::string name = item["metadata"].value("name", "");
      auto deleted = conn.client->del(resource_path("", "v1", ns, resource, name));
      if (!deleted && !is_not_found(deleted))
        return fail(for_controller(deleted.error(), std::string("deleting ") + kind + " " + ns + "/" + name));
      if (deleted) deletes_++;
      std::lock_guard lock(conn.mu);
      conn.config_objects.erase(ns + "/" + name);
    }
  }
  {
    std::lock_guard lock(conn.mu);
    conn.deployment_writes.erase(what);
    conn.service_writes.erase(what);
    conn.config_kept.erase(what);
  }
  const std::string ns_path = resource_path("", "v1", "", "namespaces", ns);
  auto namespace_object = conn.client->get(ns_path);
  const bool wharfs =
      namespace_object &&
      namespace_object->value("/metadata/labels"_json_pointer, json::object()).value(kManagedByLabel, "") ==
          kManagedByValue;
  if (wharfs && namespace_is_empty_but(conn, ns, key.app)) {
    auto deleted = conn.client->del(ns_path, Propagation::kBackground);
    if (!deleted && !is_not_found(deleted))
      return fail(for_controller(deleted.error(), "deleting namespace " + ns));
    deletes_++;
    std::lock_guard lock(conn.mu);
    conn.namespaces.erase(ns);
  }
  return {};
}

Result<std::vector<ReleaseKey>> KubernetesRuntime::list_workloads(const std::string& cluster) {
  auto c = connection(cluster, true);
  if (!c) return fail(c.error());
  return (*c)->cache->workloads();
}

Result<std::unique_ptr<LogStream>> KubernetesRuntime::logs(const ReleaseKey& key, const std::string& cluster,
                                                           const std::string& ns, const LogQuery& query) {
  auto c = connection(cluster, true);
  if (!c) return fail(c.error());
  AppObjects seen = (*c)->cache->app(ns, key.app);
  std::vector<PodLogStream::Source> sources;
  for (const auto& pod : seen.pods) {
    std::string name = pod["metadata"].value("name", "");
    if (!query.instance.empty() && name != query.instance) continue;
    sources.push_back({name, pod_log_path(ns, name, key.app, query)});
  }
  if (!query.instance.empty() && sources.empty())
    return fail(Error::not_found("instance \"" + query.instance + "\" of " + key.app +
                                 " does not exist on cluster \"" + cluster + "\""));
  const bool prefix = sources.size() > 1;
  return std::unique_ptr<LogStream>(
      std::make_unique<PodLogStream>(*(*c)->client, std::move(sources), prefix));
}

void KubernetesRuntime::render_metrics(std::string& out) {
  std::map<std::string, std::shared_ptr<Connection>> clusters;
  {
    std::lock_guard lock(mu_);
    clusters = clusters_;
  }
  struct Family {
    const char* name;
    const char* type;
    const char* help;
    std::function<int64_t(const InformerStats&)> value;
  };
  const Family families[] = {
      {"wharf_kubernetes_lists_total", "counter",
       "Full lists per watched kind (first list and re-lists after 410 Gone).",
       [](const InformerStats& s) { return s.lists; }},
      {"wharf_kubernetes_watches_total", "counter", "Watch requests per watched kind.",
       [](const InformerStats& s) { return s.watches; }},
      {"wharf_kubernetes_watch_events_total", "counter", "Watch events handled per kind.",
       [](const InformerStats& s) { return s.events; }},
      {"wharf_kubernetes_watch_failures_total", "counter",
       "Lists and watches that failed (API server unreachable).",
       [](const InformerStats& s) { return s.failures; }},
      {"wharf_kubernetes_watch_connected", "gauge", "1 while the watch of a kind is open.",
       [](const InformerStats& s) { return s.connected ? 1 : 0; }},
      {"wharf_kubernetes_cached_objects", "gauge", "Objects in the driver's cache per kind.",
       [](const InformerStats& s) { return static_cast<int64_t>(s.objects); }},
  };
  std::map<std::string, std::vector<ClusterCache::KindStats>> stats;
  for (const auto& [name, c] : clusters) stats[name] = c->cache->stats();
  for (const auto& f : families) {
    out += std::string("# HELP ") + f.name + " " + f.help + "\n# TYPE " + f.name + " " + f.type + "\n";
    for (const auto& [cluster, kinds] : stats)
      for (const auto& k : kinds)
        out += std::string(f.name) + "{cluster=\"" + cluster + "\",kind=\"" + k.kind + "\"} " +
               std::to_string(f.value(k.stats)) + "\n";
  }
  out +=
      "# HELP wharf_kubernetes_writes_total Object writes by the Kubernetes driver, and applies that needed "
      "none.\n# TYPE wharf_kubernetes_writes_total counter\n";
  for (auto [verb, n] : {std::pair{"apply", applies_.load()}, std::pair{"scale", scales_.load()},
                         std::pair{"delete", deletes_.load()}, std::pair{"unchanged", skipped_.load()}})
    out += std::string("wharf_kubernetes_writes_total{verb=\"") + verb + "\"} " + std::to_string(n) + "\n";
}

}  // namespace wharf::kube
