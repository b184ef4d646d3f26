// ClusterCache: what Wharf knows about its objects on one cluster, from one watch per kind (Deployments,
// ReplicaSets, Pods, Services with the managed-by=wharf label; Warning events about them). Lookups are
// in memory: observing an app costs no API call.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "runtime/kubernetes/kube_client.h"
#include "runtime/kubernetes/kube_informer.h"
#include "store/store.h"

namespace wharf::kube {

// Copies of one app's objects (so no lock is held while they are used).
struct AppObjects {
  std::optional<nlohmann::json> deployment;
  std::optional<nlohmann::json> service;
  std::vector<nlohmann::json> replica_sets;
  std::vector<nlohmann::json> pods;
  std::vector<nlohmann::json> warnings;
};

class ClusterCache {
 public:
  // Starts the watches at once. `client` must outlive the cache; `changed` is called from the watch
  // threads after every change.
  ClusterCache(KubeClient& client, std::function<void()> changed);

  // Waits until every kind is listed; false when `timeout` passes first.
  bool wait_synced(std::chrono::milliseconds timeout);
  bool synced() const;

  AppObjects app(const std::string& ns, const std::string& app) const;
  // Every app x environment a managed Deployment exists for, from the Deployments' labels.
  std::vector<ReleaseKey> workloads() const;
  // The namespace of the app x environment's Deployment; empty when there is none.
  std::string namespace_of(const ReleaseKey& key) const;

  // Whether the Deployment / Service caches have seen resourceVersion `version` (of a write) or later.
  bool deployments_seen(int64_t version) const;
  bool services_seen(int64_t version) const;

  // Prometheus samples for this cluster (without HELP/TYPE: the caller groups families).
  struct KindStats {
    std::string kind;
    InformerStats stats;
  };
  std::vector<KindStats> stats() const;

 private:
  Informer deployments_, replica_sets_, pods_, services_, events_;
};

}  // namespace wharf::kube
