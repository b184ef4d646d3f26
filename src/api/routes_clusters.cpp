#include "api/handler_support.h"
#include "api/routes.h"
#include "core/json_codec.h"
#include "core/names.h"
#include "runtime/kubernetes/kube_cluster_registry.h"

namespace wharf::api {

void add_cluster_routes(Router& router, ApiContext& ctx) {
  router.add(cached({"GET", "/api/v1/clusters", "cluster.read", "List clusters (local is always present)",
                     [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                       auto options = list_options(req);
                       if (!options) return tl::unexpected(options.error());
                       auto page = ctx.store.list_clusters(*options);
                       if (!page) return tl::unexpected(page.error());
                       return page_response(*page, [](const Cluster& c) { return json_codec::encode(c); });
                     }}));
  router.add(cached({"GET", "/api/v1/clusters/{cluster}", "cluster.read", "Get a cluster",
                     [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                       auto c = ctx.store.get_cluster(req.param("cluster"));
                       if (!c) return tl::unexpected(c.error());
                       return HttpResponse::json(200, json_codec::encode(*c).dump());
                     }}));
  router.add(
      {"POST", "/api/v1/clusters", "cluster.create", "Register a Kubernetes cluster from a kubeconfig",
       [&ctx](HttpRequest& req, const Identity& who) -> Result<HttpResponse> {
         if (!who.admin) return fail(Error::forbidden("only platform admins register clusters"));
         auto body = body_object(req);
         if (!body) return tl::unexpected(body.error());
         auto name = body->value("name", json()).is_string() ? (*body)["name"].get<std::string>() : "";
         if (auto s = validate_name(name, "name"); !s) return tl::unexpected(s.error());
         auto type = body->value("type", json("kubernetes"));
         if (type != "kubernetes")
           return fail(Error::invalid("type", "type must be \"kubernetes\"; the local cluster is built in"));
         auto kubeconfig = body->value("kubeconfig", json());
         if (!kubeconfig.is_string() || kubeconfig.get<std::string>().empty())
           return fail(Error::invalid("kubeconfig", "kubeconfig must be the text of a kubeconfig file"));
         auto context = body->value("context", json(""));
         if (!context.is_string()) return fail(Error::invalid("context", "context must be a context name"));
         if (!ctx.kubernetes)
           return fail(Error::unavailable("this server cannot register Kubernetes clusters"));
         auto cluster = ctx.kubernetes->register_cluster(name, kubeconfig.get<std::string>(),
                                                         context.get<std::string>());
         if (!cluster) return tl::unexpected(cluster.error());
         return HttpResponse::json(201, json_codec::encode(*cluster).dump());
       }});
  router.add({"DELETE", "/api/v1/clusters/{cluster}", "cluster.delete",
              "Delete a Kubernetes cluster no environment uses (what runs on it is left alone)",
              [&ctx](HttpRequest& req, const Identity& who) -> Result<HttpResponse> {
                if (!who.admin) return fail(Error::forbidden("only platform admins delete clusters"));
                if (!ctx.kubernetes) return fail(Error::unavailable("this server cannot delete clusters"));
                auto cluster = ctx.store.get_cluster(req.param("cluster"));
                if (!cluster) return tl::unexpected(cluster.error());
                if (auto s = ctx.kubernetes->delete_cluster(cluster->name); !s)
                  return tl::unexpected(s.error());
                return HttpResponse::json(200, json_codec::encode(*cluster).dump());
              }});
}

}  // namespace wharf::api
