// The connection check run when a Kubernetes cluster is registered: can Wharf reach it, trust it, log in,
// and manage namespaces and workloads with these credentials?
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace wharf::kube {

enum class ProblemKind {
  kKubeconfig,    // the text is not a usable kubeconfig
  kUnreachable,   // no TCP connection or no answer in time
  kTls,           // the server's certificate does not verify, or the handshake failed
  kUnauthorized,  // 401: the credentials are refused
  kForbidden,     // 403, or an access review said no: missing RBAC permission
  kOther,
};

struct ClusterProblem {
  ProblemKind kind = ProblemKind::kOther;
  Error error;  // code and a message for a person (field: the kubeconfig field at fault, if any)
};

struct ClusterCheck {
  std::string server;   // from the kubeconfig
  std::string version;  // gitVersion, empty when it could not be read
  std::vector<ClusterProblem> problems;
  bool ok() const { return problems.empty(); }
};

// Parses the kubeconfig (inline data only), reads /version, and asks SelfSubjectAccessReviews whether the
// credentials may create/get/list/watch/patch/delete namespaces and deployments (and the other kinds the
// driver manages: services; pods, logs, replicasets and events read). Stops at the first problem that makes
// the rest meaningless (kubeconfig, unreachable, TLS, 401); lists every missing permission. Blocks for up to
// a few timeouts; thread-safe. `file_base` non-empty lets file references in the kubeconfig be read (tests,
// CLI); `context` non-empty picks that context instead of current-context.
ClusterCheck check_cluster(std::string_view kubeconfig_text,
                           std::chrono::milliseconds timeout = std::chrono::seconds(10),
                           const std::string& file_base = {}, const std::string& context = {});

std::string_view to_string(ProblemKind kind);

}  // namespace wharf::kube
