// KubernetesRuntime: the Runtime driver for every registered Kubernetes cluster. Per cluster it keeps a
// client and a ClusterCache (one watch per kind); apply() writes with server-side apply (or the scale
// subresource when only replicas change, or nothing when the cluster already matches), observe() and
// list_workloads() read the caches, logs() streams pods/{name}/log.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "runtime/kubernetes/kube_client.h"
#include "runtime/kubernetes/kube_config_mapping.h"
#include "runtime/runtime.h"

namespace wharf::kube {

struct AppObjects;

class KubernetesRuntime : public Runtime {
 public:
  KubernetesRuntime();
  ~KubernetesRuntime() override;

  // Serves `cluster` through `client` from now on (replacing an earlier client) and starts its watches.
  // Thread-safe.
  void add_cluster(const std::string& cluster, std::unique_ptr<KubeClient> client);
  // Stops serving `cluster` (calls in progress finish on the old state). Thread-safe.
  void remove_cluster(const std::string& cluster);

  std::string_view type() const override { return "kubernetes"; }
  // `unavailable` when the cluster cannot be reached or is not served here, `invalid` when the API
  // server refuses the objects as malformed (400/422) or the config cannot be delivered (an item larger
  // than a ConfigMap/Secret holds). Writes the version's ConfigMaps and Secrets before the Deployment that
  // refers to them, then garbage-collects the config objects no template refers to (collect_config).
  Status apply(const Workload& desired) override;
  // From the caches; `unavailable` until the cluster's first lists are in.
  Result<WorkloadStatus> observe(const Workload& desired) override;
  // Deletes the Deployment, Service and config objects (background propagation), and the Namespace when
  // Wharf created it and nothing else is in it. An empty `ns` is looked up from the managed Deployments.
  Status remove(const ReleaseKey& key, const std::string& cluster, const std::string& ns) override;
  Result<std::vector<ReleaseKey>> list_workloads(const std::string& cluster) override;
  Result<std::unique_ptr<LogStream>> logs(const ReleaseKey& key, const std::string& cluster,
                                          const std::string& ns, const LogQuery& query) override;
  void set_change_listener(std::function<void()> changed) override;
  void render_metrics(std::string& out) override;

 private:
  struct Connection;
  Result<std::shared_ptr<Connection>> connection(const std::string& cluster, bool synced);
  Status ensure_namespace(Connection& c, const Workload& w, const nlohmann::json& ns_object);
  // Applies the config objects of `layout` that are not known to exist yet.
  Status ensure_config(Connection& c, const Workload& w, const ConfigLayout& layout);
  // Deletes the app's config objects of versions neither `w` nor the Deployment nor any of its
  // ReplicaSets refers to. Failures are logged and retried on the next apply.
  void collect_config(Connection& c, const Workload& w, const AppObjects& seen);
  bool namespace_is_empty_but(Connection& c, const std::string& ns, const std::string& app);
  void notify_changed();

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Connection>> clusters_;
  std::function<void()> changed_;
  std::atomic<int64_t> applies_{0}, scales_{0}, skipped_{0}, deletes_{0};
};

}  // namespace wharf::kube
