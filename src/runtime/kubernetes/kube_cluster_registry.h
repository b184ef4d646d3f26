// KubernetesClusters: registering Kubernetes clusters (connection check, credentials sealed at rest,
// stored) and serving each registered cluster with the Kubernetes driver from server start until it is
// deleted.
#pragma once

#include <mutex>
#include <string>

#include "core/cluster.h"
#include "core/error.h"
#include "runtime/cluster_runtimes.h"
#include "runtime/kubernetes/kubernetes_runtime.h"
#include "store/store.h"
#include "util/secret_box.h"

namespace wharf::kube {

class KubernetesClusters {
 public:
  // All references must outlive this object.
  KubernetesClusters(Store& store, const SecretBox& secrets, ClusterRuntimes& runtimes,
                     KubernetesRuntime& driver);

  // Serves every stored Kubernetes cluster (watches start in the background). A cluster whose
  // credentials cannot be read is logged and left without a driver.
  void serve_stored();

  // Checks that the kubeconfig (its current context, or `context`) reaches a cluster that accepts the
  // credentials and grants what the driver needs, stores the cluster with the kubeconfig sealed, and
  // serves it. Errors: `policy_violation` (HTTP 422) with field "kubeconfig" and a
  // message naming the problem (bad kubeconfig, unreachable, TLS, 401, missing RBAC permissions);
  // `conflict` when the name is taken. Blocks for the check (a few 10 s timeouts at most).
  Result<Cluster> register_cluster(const std::string& name, const std::string& kubeconfig,
                                   const std::string& context);

  // Stops serving the cluster and deletes it (refused by the store while environments use it).
  Status delete_cluster(const std::string& name);

 private:
  Status serve(const std::string& name, const std::string& kubeconfig, const std::string& context);
  Status serve_sealed(const std::string& name);  // with the stored credentials

  Store& store_;
  const SecretBox& secrets_;
  ClusterRuntimes& runtimes_;
  KubernetesRuntime& driver_;
  std::mutex mu_;  // one registration or deletion at a time
};

}  // namespace wharf::kube
