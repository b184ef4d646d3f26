#include "runtime/kubernetes/kube_cluster_registry.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "runtime/kubernetes/kube_client.h"
#include "runtime/kubernetes/kube_cluster_check.h"
#include "runtime/kubernetes/kubeconfig.h"

namespace wharf::kube {
namespace {

using json = nlohmann::json;

// What a person reads when registration fails: one sentence per problem, the kind first.
Error registration_error(const ClusterCheck& check) {
  std::string message;
  for (const auto& p : check.problems) {
    if (!message.empty()) message += " ";
    switch (p.kind) {
      case ProblemKind::kKubeconfig:
        message += "The kubeconfig is not usable: ";
        break;
      case ProblemKind::kUnreachable:
        message += "The API server " + check.server + " cannot be reached: ";
        break;
      case ProblemKind::kTls:
        message += "The API server's certificate does not verify against the kubeconfig's CA: ";
        break;
      case ProblemKind::kUnauthorized:
        message += "The API server refuses the kubeconfig's credentials (401): ";
        break;
      case ProblemKind::kForbidden:
        message += "Missing permission: ";
        break;
      case ProblemKind::kOther:
        break;
    }
    message += p.error.message;
    if (!message.ends_with('.') && !message.ends_with('?')) message += ".";
  }
  return Error::policy("kubeconfig", message);
}

}  // namespace

KubernetesClusters::KubernetesClusters(Store& store, const SecretBox& secrets, ClusterRuntimes& runtimes,
                                       KubernetesRuntime& driver)
    : store_(store), secrets_(secrets), runtimes_(runtimes), driver_(driver) {}

Status KubernetesClusters::serve(const std::string& name, const std::string& kubeconfig,
                                 const std::string& context) {
  KubeconfigOptions options;
  options.context = context;
  auto config = parse_kubeconfig(kubeconfig, options);
  if (!config) return fail(config.error());
  auto client = KubeClient::create(*config);
  if (!client) return fail(client.error());
  driver_.add_cluster(name, std::move(*client));
  runtimes_.set(name, &driver_);
  return {};
}

Status KubernetesClusters::serve_sealed(const std::string& name) {
  auto sealed = store_.get_cluster_credentials(name);
  if (!sealed) return fail(sealed.error());
  auto plain = secrets_.unseal(*sealed);
  if (!plain) return fail(plain.error());
  auto credentials = json::parse(*plain, nullptr, false);
  if (!credentials.is_object()) return fail(Error::internal("the stored credentials are not readable"));
  return serve(name, credentials.value("kubeconfig", ""), credentials.value("context", ""));
}

void KubernetesClusters::serve_stored() {
  std::lock_guard lock(mu_);
  ListOptions options;
  options.limit = 1000;
  do {
    auto page = store_.list_clusters(options);
    if (!page) {
      spdlog::error("cannot list the registered clusters: {}", page.error().message);
      return;
    }
    for (const auto& cluster : page->items) {
      if (cluster.type != "kubernetes") continue;
      Status served = serve_sealed(cluster.name);
      if (!served)
        spdlog::error("cluster \"{}\" is not served: {}", cluster.name, served.error().message);
      else
        spdlog::info("serving Kubernetes cluster \"{}\" ({})", cluster.name, cluster.server);
    }
    options.continue_token = page->continue_token;
  } while (!options.continue_token.empty());
}

Result<Cluster> KubernetesClusters::register_cluster(const std::string& name, const std::string& kubeconfig,
                                                     const std::string& context) {
  std::lock_guard lock(mu_);
  if (auto existing = store_.get_cluster(name); existing)
    return fail(Error::conflict("a cluster named \"" + name + "\" already exists", "name"));
  ClusterCheck check = check_cluster(kubeconfig, std::chrono::seconds(10), {}, context);
  if (!check.ok()) return fail(registration_error(check));
  Cluster cluster;
  cluster.name = name;
  cluster.type = "kubernetes";
  cluster.server = check.server;
  const json credentials = {{"kubeconfig", kubeconfig}, {"context", context}};
  auto stored = store_.create_cluster(cluster, secrets_.seal(credentials.dump()));
  if (!stored) return fail(stored.error());
  if (auto served = serve(name, kubeconfig, context); !served) {
    // The check parsed the same text a moment ago; failing now is a bug, not bad input.
    (void)store_.delete_cluster(name);
    return fail(Error::internal("cluster \"" + name +
                                "\" passed the check but cannot be served: " + served.error().message));
  }
  spdlog::info("registered Kubernetes cluster \"{}\" ({}, {})", name, check.server, check.version);
  return stored;
}

Status KubernetesClusters::delete_cluster(const std::string& name) {
  std::lock_guard lock(mu_);
  auto cluster = store_.get_cluster(name);
  if (!cluster) return fail(cluster.error());
  if (auto deleted = store_.delete_cluster(name); !deleted) return deleted;
  if (cluster->type == "kubernetes") {
    runtimes_.set(name, nullptr);
    driver_.remove_cluster(name);
  }
  return {};
}

}  // namespace wharf::kube
