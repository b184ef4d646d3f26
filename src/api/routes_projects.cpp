#include <algorithm>

#include "api/handler_support.h"
#include "api/routes.h"
#include "core/access_policy.h"
#include "core/json_codec.h"
#include "core/project_summary.h"

namespace wharf::api {
namespace {

using json_codec::encode;

HttpResponse project_changed(ApiContext& ctx, int status, const char* type, const Project& p) {
  return publish_and_respond(ctx, status, type, "project", p.name, p.name, p.resource_version, encode(p));
}

HttpResponse environment_changed(ApiContext& ctx, int status, const char* type, const Environment& e) {
  return publish_and_respond(ctx, status, type, "environment", e.project, e.name, e.resource_version,
                             encode(e));
}

// Every cluster an environment names must exist: a typo would otherwise leave releases pending forever.
Status check_clusters_exist(Store& store, const Environment& env) {
  for (size_t i = 0; i < env.clusters.size(); ++i) {
    auto c = store.get_cluster(env.clusters[i]);
    if (!c) {
      if (c.error().code != ErrorCode::kNotFound) return tl::unexpected(c.error());
      return fail(Error::invalid(
          "clusters[" + std::to_string(i) + "]",
          "cluster \"" + env.clusters[i] + "\" does not exist; GET /api/v1/clusters lists them"));
    }
  }
  return {};
}

json encode_health(const HealthCounts& h) {
  return json{{"healthy", h.healthy},
              {"progressing", h.progressing},
              {"failed", h.failed},
              {"offline", h.offline},
              {"notDeployed", h.not_deployed}};
}

json encode_usage(const ResourceUsage& u) {
  return json{{"instances", json{{"desired", u.instances_desired}, {"ready", u.instances_ready}}},
              {"cpuLimitMillis", u.cpu_limit_millis},
              {"memoryLimitBytes", u.memory_limit_bytes},
              {"cpuRequestMillis", u.cpu_request_millis},
              {"memoryRequestBytes", u.memory_request_bytes},
              {"unlimitedInstances", u.unlimited}};
}

// The names of every item a paged store list returns, all pages.
template <class List, class NameOf>
Result<std::vector<std::string>> all_names(List list, NameOf name_of) {
  std::vector<std::string> names;
  ListOptions options{1000, {}};
  do {
    auto page = list(options);
    if (!page) return tl::unexpected(page.error());
    for (const auto& item : page->items) names.push_back(name_of(item));
    options.continue_token = page->continue_token;
  } while (!options.continue_token.empty());
  return names;
}

// The summary of the environments the caller may read releases in.
Result<json> project_summary(Store& store, const std::string& project, const AccessPolicy& access) {
  if (auto p = store.get_project(project); !p) return tl::unexpected(p.error());
  auto apps = all_names([&](const ListOptions& o) { return store.list_apps(project, o); },
                        [](const App& a) { return a.spec.name; });
  if (!apps) return tl::unexpected(apps.error());
  auto envs = all_names([&](const ListOptions& o) { return store.list_environments(project, o); },
                        [](const Environment& e) { return e.name; });
  if (!envs) return tl::unexpected(envs.error());
  std::erase_if(*envs, [&](const std::string& e) { return !access.allows("release.read", project, e); });
  auto newest = store.desired_releases(project);
  if (!newest) return tl::unexpected(newest.error());
  const ProjectSummary s = summarize_project(*apps, *envs, *newest);
  json environments = json::array();
  for (const auto& [name, e] : s.environments)
    environments.push_back(
        json{{"name", name}, {"apps", encode_health(e.apps)}, {"usage", encode_usage(e.usage)}});
  return json{{"project", project},
              {"apps", s.app_count},
              {"health", encode_health(s.apps)},
              {"usage", encode_usage(s.usage)},
              {"environments", std::move(environments)}};
}

}  // namespace

void add_project_routes(Router& router, ApiContext& ctx) {
  router.add({"POST", "/api/v1/projects", "project.create", "Create a project",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto body = body_object(req);
                if (!body) return tl::unexpected(body.error());
                auto project = json_codec::decode_project(*body);
                if (!project) return tl::unexpected(project.error());
                auto created = ctx.store.create_project(*project);
                if (!created) return tl::unexpected(created.error());
                return project_changed(ctx, 201, "ADDED", *created);
              }});
  router.add(cached({"GET", "/api/v1/projects", "project.read", "List projects",
                     [&ctx](HttpRequest& req, const Identity& who) -> Result<HttpResponse> {
                       auto options = list_options(req);
                       if (!options) return tl::unexpected(options.error());
                       if (who.access->is_platform_admin()) {
                         auto page = ctx.store.list_projects(*options);
                         if (!page) return tl::unexpected(page.error());
                         return page_response(*page, [](const Project& p) { return encode(p); });
                       }
                       // Members see only the projects they have a role in. Each store page asks for
                       // what is still missing, so its continue token is right for the filtered page.
                       const int limit = std::clamp(options->limit, 1, 1000);
                       Page<Project> out;
                       ListOptions next = *options;
                       for (;;) {
                         next.limit = limit - static_cast<int>(out.items.size());
                         auto page = ctx.store.list_projects(next);
                         if (!page) return tl::unexpected(page.error());
                         for (auto& p : page->items)
                           if (who.access->sees_project(p.name)) out.items.push_back(std::move(p));
                         if (page->continue_token.empty()) break;
                         next.continue_token = page->continue_token;
                         if (static_cast<int>(out.items.size()) == limit) {
                           out.continue_token = page->continue_token;
                           break;
                         }
                       }
                       return page_response(out, [](const Project& p) { return encode(p); });
                     }}));
  router.add(cached({"GET", "/api/v1/projects/{project}", "project.read", "Get a project",
                     [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                       auto p = ctx.store.get_project(req.param("project"));
                       if (!p) return tl::unexpected(p.error());
                       return HttpResponse::json(200, encode(*p).dump());
                     }}));
  router.add(cached({"GET", "/api/v1/projects/{project}/summary", "project.read",
                     "How a project's apps are doing per environment (healthy, progressing, failed, offline, "
                     "not deployed) and what they take (instances, CPU and memory limits and requests)",
                     [&ctx](HttpRequest& req, const Identity& who) -> Result<HttpResponse> {
                       auto body = project_summary(ctx.store, req.param("project"), *who.access);
                       if (!body) return tl::unexpected(body.error());
                       return HttpResponse::json(200, body->dump());
                     }}));
  router.add({"PATCH", "/api/v1/projects/{project}", "project.update",
              "Change a project's displayName or description (JSON merge patch)",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto body = body_object(req);
                if (!body) return tl::unexpected(body.error());
                auto current = ctx.store.get_project(req.param("project"));
                if (!current) return tl::unexpected(current.error());
                if (body->contains("name") && (*body)["name"] != current->name)
                  return fail(
                      Error::invalid("name", "a project cannot be renamed; create a new project instead"));
                auto rv = resource_version_of(*body);
                if (!rv) return tl::unexpected(rv.error());
                json merged = encode(*current);
                merged.merge_patch(*body);
                for (const char* ro : {"resourceVersion", "createdAt", "updatedAt"}) merged.erase(ro);
                auto next = json_codec::decode_project(merged);
                if (!next) return tl::unexpected(next.error());
                next->resource_version = *rv;
                auto updated = ctx.store.update_project(*next);
                if (!updated) return tl::unexpected(updated.error());
                return project_changed(ctx, 200, "MODIFIED", *updated);
              }});
  router.add({"DELETE", "/api/v1/projects/{project}", "project.delete",
              "Delete a project with its environments, apps and history",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto current = ctx.store.get_project(req.param("project"));
                if (!current) return tl::unexpected(current.error());
                auto rv = resource_version_of(req);
                if (!rv) return tl::unexpected(rv.error());
                if (auto s = ctx.store.delete_project(current->name, *rv); !s)
                  return tl::unexpected(s.error());
                return project_changed(ctx, 200, "DELETED", *current);
              }});

  router.add({"POST", "/api/v1/projects/{project}/environments", "environment.create",
              "Create an environment", [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto body = body_object(req);
                if (!body) return tl::unexpected(body.error());
                auto project = ctx.store.get_project(req.param("project"));
                if (!project) return tl::unexpected(project.error());
                auto env = json_codec::decode_environment(*body, project->name);
                if (!env) return tl::unexpected(env.error());
                if (auto s = check_clusters_exist(ctx.store, *env); !s) return tl::unexpected(s.error());
                auto created = ctx.store.create_environment(*env);
                if (!created) return tl::unexpected(created.error());
                return environment_changed(ctx, 201, "ADDED", *created);
              }});
  router.add(cached({"GET", "/api/v1/projects/{project}/environments", "environment.read",
                     "List a project's environments",
                     [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                       auto options = list_options(req);
                       if (!options) return tl::unexpected(options.error());
                       auto page = ctx.store.list_environments(req.param("project"), *options);
                       if (!page) return tl::unexpected(page.error());
                       return page_response(*page, [](const Environment& e) { return encode(e); });
                     }}));
  router.add(cached({"GET", "/api/v1/projects/{project}/environments/{env}", "environment.read",
                     "Get an environment", [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                       auto e = ctx.store.get_environment(req.param("project"), req.param("env"));
                       if (!e) return tl::unexpected(e.error());
                       return HttpResponse::json(200, encode(*e).dump());
                     }}));
  router.add({"PUT", "/api/v1/projects/{project}/environments/{env}", "environment.update",
              "Replace an environment's clusters, namespace and policy",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto body = body_object(req);
                if (!body) return tl::unexpected(body.error());
                auto current = ctx.store.get_environment(req.param("project"), req.param("env"));
                if (!current) return tl::unexpected(current.error());
                if (!body->contains("name")) (*body)["name"] = current->name;
                if ((*body)["name"] != current->name)
                  return fail(Error::invalid("name", "an environment cannot be renamed"));
                auto rv = resource_version_of(*body);
                if (!rv) return tl::unexpected(rv.error());
                for (const char* ro : {"project", "resourceVersion", "createdAt", "updatedAt"})
                  body->erase(ro);
                auto env = json_codec::decode_environment(*body, current->project);
                if (!env) return tl::unexpected(env.error());
                if (auto s = check_clusters_exist(ctx.store, *env); !s) return tl::unexpected(s.error());
                env->resource_version = *rv;
                auto updated = ctx.store.update_environment(*env);
                if (!updated) return tl::unexpected(updated.error());
                return environment_changed(ctx, 200, "MODIFIED", *updated);
              }});
  router.add({"DELETE", "/api/v1/projects/{project}/environments/{env}", "environment.delete",
              "Delete an environment and its release history",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto current = ctx.store.get_environment(req.param("project"), req.param("env"));
                if (!current) return tl::unexpected(current.error());
                auto rv = resource_version_of(req);
                if (!rv) return tl::unexpected(rv.error());
                if (auto s = ctx.store.delete_environment(current->project, current->name, *rv); !s)
                  return tl::unexpected(s.error());
                return environment_changed(ctx, 200, "DELETED", *current);
              }});
}

}  // namespace wharf::api
