#include "api/handler_support.h"
#include "api/routes.h"
#include "core/json_codec.h"

namespace wharf::api {
namespace {

using json_codec::encode;

// The app's state in each environment, from the newest release there (the desired state) and the
// cluster rollouts the controller observed.
Result<json> status_by_environment(Store& store, const App& app) {
  json status = json::object();
  ListOptions options{1000, {}};
  do {
    auto envs = store.list_environments(app.project, options);
    if (!envs) return tl::unexpected(envs.error());
    for (const auto& env : envs->items) {
      auto newest = store.recent_releases({app.project, app.spec.name, env.name}, 1);
      if (!newest) return tl::unexpected(newest.error());
      if (newest->empty()) continue;
      const auto& r = newest->front();
      int ready = 0;
      for (const auto& c : r.clusters) ready += c.ready;
      status[env.name] = json{{"revision", r.revision},
                              {"kind", to_string(r.kind)},
                              {"status", to_string(r.status)},
                              {"image", r.image},
                              {"replicas", r.replicas},
                              {"ready", ready},
                              {"offline", r.kind == ReleaseKind::kOffline}};
      if (!r.reason.empty()) status[env.name]["reason"] = r.reason;
      // Per cluster, what the drivers last observed (also after the release finished: an instance that
      // died later, a change made outside Wharf).
      json clusters = json::array();
      for (const auto& c : r.clusters) {
        json one{{"cluster", c.cluster}, {"ready", c.ready}, {"desired", c.desired}};
        if (!c.message.empty()) one["message"] = c.message;
        clusters.push_back(std::move(one));
      }
      status[env.name]["clusters"] = std::move(clusters);
    }
    options.continue_token = envs->continue_token;
  } while (!options.continue_token.empty());
  return status;
}

Result<HttpResponse> app_with_status(ApiContext& ctx, int status, const char* type, const App& app) {
  auto st = status_by_environment(ctx.store, app);
  if (!st) return tl::unexpected(st.error());
  json body = encode(app);
  body["status"] = std::move(*st);
  return publish_and_respond(ctx, status, type, "app", app.project, app.spec.name, app.resource_version,
                             std::move(body));
}

}  // namespace

void add_app_routes(Router& router, ApiContext& ctx) {
  router.add({"POST", "/api/v1/projects/{project}/apps", "app.create", "Create an app from its spec",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto body = body_object(req);
                if (!body) return tl::unexpected(body.error());
                auto project = ctx.store.get_project(req.param("project"));
                if (!project) return tl::unexpected(project.error());
                auto spec = json_codec::decode_app_spec(*body);
                if (!spec) return tl::unexpected(spec.error());
                auto created = ctx.store.create_app(App{project->name, std::move(*spec), 0, "", ""});
                if (!created) return tl::unexpected(created.error());
                return app_with_status(ctx, 201, "ADDED", *created);
              }});
  router.add(cached({"GET", "/api/v1/projects/{project}/apps", "app.read", "List a project's apps",
                     [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                       auto options = list_options(req);
                       if (!options) return tl::unexpected(options.error());
                       auto page = ctx.store.list_apps(req.param("project"), *options);
                       if (!page) return tl::unexpected(page.error());
                       return page_response(*page, [](const App& a) { return encode(a); });
                     }}));
  router.add(cached({"GET", "/api/v1/projects/{project}/apps/{app}", "app.read",
                     "Get an app with its status per environment",
                     [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                       auto app = ctx.store.get_app(req.param("project"), req.param("app"));
                       if (!app) return tl::unexpected(app.error());
                       auto st = status_by_environment(ctx.store, *app);
                       if (!st) return tl::unexpected(st.error());
                       json body = encode(*app);
                       body["status"] = std::move(*st);
                       return HttpResponse::json(200, body.dump());
                     }}));
  router.add({"PUT", "/api/v1/projects/{project}/apps/{app}", "app.update",
              "Replace an app's spec (takes effect at the next deploy)",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto body = body_object(req);
                if (!body) return tl::unexpected(body.error());
                auto current = ctx.store.get_app(req.param("project"), req.param("app"));
                if (!current) return tl::unexpected(current.error());
                if (!body->contains("name")) (*body)["name"] = current->spec.name;
                if ((*body)["name"] != current->spec.name)
                  return fail(Error::invalid("name", "an app cannot be renamed; create a new app instead"));
                auto rv = resource_version_of(*body);
                if (!rv) return tl::unexpected(rv.error());
                auto spec = json_codec::decode_app_spec(*body);
                if (!spec) return tl::unexpected(spec.error());
                App next = *current;
                next.spec = std::move(*spec);
                next.resource_version = *rv;
                auto updated = ctx.store.update_app(next);
                if (!updated) return tl::unexpected(updated.error());
                return app_with_status(ctx, 200, "MODIFIED", *updated);
              }});
  router.add({"DELETE", "/api/v1/projects/{project}/apps/{app}", "app.delete",
              "Delete an app, its instances and its release history",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto current = ctx.store.get_app(req.param("project"), req.param("app"));
                if (!current) return tl::unexpected(current.error());
                auto rv = resource_version_of(req);
                if (!rv) return tl::unexpected(rv.error());
                if (auto s = ctx.store.delete_app(current->project, current->spec.name, *rv); !s)
                  return tl::unexpected(s.error());
                return publish_and_respond(ctx, 200, "DELETED", "app", current->project, current->spec.name,
                                           current->resource_version, encode(*current));
              }});
}

}  // namespace wharf::api
