#include "runtime/kubernetes/kube_cluster_check.h"

#include "runtime/kubernetes/kube_client.h"
#include "runtime/kubernetes/kubeconfig.h"

namespace wharf::kube {
namespace {

ProblemKind kind_of(const Error& e) {
  switch (e.code) {
    case ErrorCode::kInvalid:
      return ProblemKind::kKubeconfig;
    case ErrorCode::kUnauthorized:
      return ProblemKind::kUnauthorized;
    case ErrorCode::kForbidden:
      return ProblemKind::kForbidden;
    case ErrorCode::kUnavailable:
      return e.field == "certificate-authority-data" || e.field == "tls" ? ProblemKind::kTls
                                                                         : ProblemKind::kUnreachable;
    default:
      return ProblemKind::kOther;
  }
}

struct Permission {
  const char* verb;
  const char* group;
  const char* resource;
};

// What the driver does: namespaces and workloads are written; pods, replicasets and events are watched.
constexpr Permission kNeeded[] = {
    {"create", "", "namespaces"},
    {"patch", "", "namespaces"},
    {"delete", "", "namespaces"},
    {"get", "", "namespaces"},
    {"create", "apps", "deployments"},
    {"patch", "apps", "deployments"},
    {"delete", "apps", "deployments"},
    {"list", "apps", "deployments"},
    {"watch", "apps", "deployments"},
    {"patch", "apps", "deployments/scale"},
    {"create", "", "services"},
    {"patch", "", "services"},
    {"delete", "", "services"},
    {"list", "", "services"},
    {"watch", "", "services"},
    {"list", "", "pods"},
    {"watch", "", "pods"},
    {"get", "", "pods/log"},
    {"list", "apps", "replicasets"},
    {"watch", "apps", "replicasets"},
    {"list", "", "events"},
    {"watch", "", "events"},
};

}  // namespace

std::string_view to_string(ProblemKind kind) {
  switch (kind) {
    case ProblemKind::kKubeconfig:
      return "kubeconfig";
    case ProblemKind::kUnreachable:
      return "unreachable";
    case ProblemKind::kTls:
      return "tls";
    case ProblemKind::kUnauthorized:
      return "unauthorized";
    case ProblemKind::kForbidden:
      return "forbidden";
    case ProblemKind::kOther:
      return "other";
  }
  return "other";
}

ClusterCheck check_cluster(std::string_view kubeconfig_text, std::chrono::milliseconds timeout,
                           const std::string& file_base, const std::string& context) {
  ClusterCheck check;
  auto add = [&](Error e) { check.problems.push_back({kind_of(e), std::move(e)}); };
  KubeconfigOptions options;
  options.file_base = file_base;
  options.context = context;
  auto config = parse_kubeconfig(kubeconfig_text, options);
  if (!config) {
    add(config.error());
    return check;
  }
  check.server = config->server;
  TransportOptions transport;
  transport.timeout = timeout;
  transport.max_idle_connections = 1;  // the reviews run one after another
  auto client = KubeClient::create(*config, transport);
  if (!client) {
    add(client.error());
    return check;
  }
  auto version = (*client)->server_version();
  if (!version) {
    add(version.error());
    return check;
  }
  check.version = *version;
  for (const auto& p : kNeeded) {
    auto review = (*client)->can_i(p.verb, p.group, p.resource);
    if (!review) {
      add(review.error());
      if (review.error().code != ErrorCode::kForbidden) return check;
      continue;
    }
    if (!review->allowed) {
      std::string what =
          std::string(p.resource) + (std::string_view(p.group).empty() ? "" : "." + std::string(p.group));
      add(Error::forbidden("the credentials of user \"" + config->user + "\" may not " + p.verb + " " + what +
                           " in all namespaces (403 by RBAC)" +
                           (review->reason.empty() ? "" : ": " + review->reason) +
                           "; bind a role that allows it (e.g. cluster-admin or a Wharf ClusterRole)"));
    }
  }
  return check;
}

}  // namespace wharf::kube
