#include <charconv>

#include "api/handler_support.h"
#include "api/release_submission.h"
#include "api/routes.h"
#include "core/json_codec.h"

namespace wharf::api {
namespace {

using json_codec::encode;

constexpr int kPlanningHistory = 50;  // releases a planner looks back over for a default rollback target

constexpr const char* kBase = "/api/v1/projects/{project}/apps/{app}/environments/{env}";

std::string path(const char* tail) {
  return std::string(kBase) + tail;
}

// The app and environment named in the path (404 when either is missing) and its newest releases.
struct Target {
  App app;
  ReleaseKey key;
  std::vector<Release> history;
};

Result<Target> load_target(Store& store, const HttpRequest& req) {
  auto app = store.get_app(req.param("project"), req.param("app"));
  if (!app) return tl::unexpected(app.error());
  auto env = store.get_environment(req.param("project"), req.param("env"));
  if (!env) return tl::unexpected(env.error());
  ReleaseKey key{app->project, app->spec.name, env->name};
  auto history = store.recent_releases(key, kPlanningHistory);
  if (!history) return tl::unexpected(history.error());
  return Target{std::move(*app), std::move(key), std::move(*history)};
}

// Stores a planned release, tells watchers and the controller, and answers 202 with the release. A dry
// run answers 200 with the release as planned (revision 0, nothing stored): what the console shows before
// the caller confirms comes from the same planner as the real call.
Result<HttpResponse> submit(ApiContext& ctx, const HttpRequest& req, Result<Release> planned) {
  if (!planned) return tl::unexpected(planned.error());
  if (auto dry = is_dry_run(req); dry && *dry) return HttpResponse::json(200, encode(*planned).dump());
  auto stored = ctx.store.create_release(*planned);
  if (!stored) return tl::unexpected(stored.error());
  auto resp =
      publish_and_respond(ctx, 202, "ADDED", "release", stored->project,
                          stored->app + "/" + stored->environment + "/" + std::to_string(stored->revision),
                          stored->resource_version, encode(*stored));
  if (ctx.wake_controller) ctx.wake_controller();
  return resp;
}

// The config version a deploy uses: the one asked for, which must be published (422 otherwise), or by
// default the latest published one. Without any published version the release carries none (or keeps
// the current release's, see plan_deploy).
Status choose_config_version(Store& store, const ReleaseKey& key, DeployRequest& request) {
  if (request.config_version) {
    auto v = store.get_config_version(key, *request.config_version);
    if (v) return {};
    if (v.error().code != ErrorCode::kNotFound) return tl::unexpected(v.error());
    auto latest = store.latest_config_version(key);
    if (!latest) return tl::unexpected(latest.error());
    return fail(Error::policy("configVersion",
                              "config version " + std::to_string(*request.config_version) + " of app \"" +
                                  key.app + "\" in environment \"" + key.environment + "\" is not published" +
                                  (*latest == 0 ? std::string("; no version is published yet")
                                                : "; the latest is " + std::to_string(*latest))));
  }
  auto latest = store.latest_config_version(key);
  if (!latest) return tl::unexpected(latest.error());
  if (*latest > 0) request.config_version = *latest;
  return {};
}

// An optional request body: absent or empty means "{}".
Result<json> optional_body(const HttpRequest& req) {
  if (req.body.empty()) return json::object();
  return body_object(req);
}

Status only_fields(const json& body, std::initializer_list<const char*> allowed) {
  for (const auto& [key, _] : body.items()) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || key == a;
    if (!ok) return fail(Error::invalid(key, "unknown field \"" + key + "\""));
  }
  return {};
}

}  // namespace

Result<HttpResponse> submit_deploy(ApiContext& ctx, const HttpRequest& req, DeployRequest request,
                                   const std::string& user) {
  auto target = load_target(ctx.store, req);
  if (!target) return tl::unexpected(target.error());
  if (auto s = choose_config_version(ctx.store, target->key, request); !s) return tl::unexpected(s.error());
  return submit(ctx, req, plan_deploy(target->app, target->key.environment, target->history, request, user));
}

void add_release_routes(Router& router, ApiContext& ctx) {
  router.add(dry_runnable({"POST", path("/deploy"), "app.deploy",
                           "Deploy the app (new image, config version or replicas)",
                           [&ctx](HttpRequest& req, const Identity& who) -> Result<HttpResponse> {
                             auto body = optional_body(req);
                             if (!body) return tl::unexpected(body.error());
                             auto request = json_codec::decode_deploy_request(*body);
                             if (!request) return tl::unexpected(request.error());
                             return submit_deploy(ctx, req, std::move(*request), who.user);
                           }}));
  router.add(dry_runnable({"POST", path("/rollback"), "app.rollback",
                           "Roll back to an earlier release: its image, spec and config version together",
                           [&ctx](HttpRequest& req, const Identity& who) -> Result<HttpResponse> {
                             auto body = optional_body(req);
                             if (!body) return tl::unexpected(body.error());
                             auto request = json_codec::decode_rollback_request(*body);
                             if (!request) return tl::unexpected(request.error());
                             auto target = load_target(ctx.store, req);
                             if (!target) return tl::unexpected(target.error());
                             if (request->to_revision) {
                               // An explicit target may be older than the planning window: fetch it.
                               bool seen = false;
                               for (const auto& r : target->history)
                                 seen = seen || r.revision == *request->to_revision;
                               if (!seen) {
                                 auto old = ctx.store.get_release(target->key, *request->to_revision);
                                 if (!old && old.error().code != ErrorCode::kNotFound)
                                   return tl::unexpected(old.error());
                                 if (old) target->history.push_back(std::move(*old));
                               }
                             }
                             return submit(ctx, req, plan_rollback(target->history, *request, who.user));
                           }}));
  router.add(dry_runnable(
      {"POST", path("/scale"), "app.scale", "Change the number of replicas",
       [&ctx](HttpRequest& req, const Identity& who) -> Result<HttpResponse> {
         auto body = body_object(req);
         if (!body) return tl::unexpected(body.error());
         if (auto s = only_fields(*body, {"replicas", "message"}); !s) return tl::unexpected(s.error());
         auto replicas = body->find("replicas");
         if (replicas == body->end() || !replicas->is_number_integer())
           return fail(Error::invalid(
               "replicas", "replicas must be an integer from 0 to " + std::to_string(kMaxReplicas)));
         auto message = message_of(*body);
         if (!message) return tl::unexpected(message.error());
         auto n = replicas->get<int64_t>();
         if (n < 0 || n > kMaxReplicas)
           return fail(Error::invalid(
               "replicas",
               "replicas must be from 0 to " + std::to_string(kMaxReplicas) + "; got " + std::to_string(n)));
         auto target = load_target(ctx.store, req);
         if (!target) return tl::unexpected(target.error());
         return submit(ctx, req, plan_scale(target->history, static_cast<int>(n), *message, who.user));
       }}));
  router.add(dry_runnable({"POST", path("/offline"), "app.offline",
                           "Stop every instance; history is kept and deploy brings it back",
                           [&ctx](HttpRequest& req, const Identity& who) -> Result<HttpResponse> {
                             auto body = optional_body(req);
                             if (!body) return tl::unexpected(body.error());
                             if (auto s = only_fields(*body, {"message"}); !s)
                               return tl::unexpected(s.error());
                             auto message = message_of(*body);
                             if (!message) return tl::unexpected(message.error());
                             auto target = load_target(ctx.store, req);
                             if (!target) return tl::unexpected(target.error());
                             return submit(ctx, req, plan_offline(target->history, *message, who.user));
                           }}));
  router.add(
      cached({"GET", path("/releases"), "release.read", "Release history, newest first",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto options = list_options(req);
                if (!options) return tl::unexpected(options.error());
                auto app = ctx.store.get_app(req.param("project"), req.param("app"));
                if (!app) return tl::unexpected(app.error());
                auto env = ctx.store.get_environment(req.param("project"), req.param("env"));
                if (!env) return tl::unexpected(env.error());
                auto page = ctx.store.list_releases({app->project, app->spec.name, env->name}, *options);
                if (!page) return tl::unexpected(page.error());
                return page_response(*page, [](const Release& r) { return encode(r); });
              }}));
  router.add(cached(
      {"GET", path("/releases/{revision}"), "release.read", "One release",
       [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
         const auto& text = req.param("revision");
         int64_t revision = 0;
         auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), revision);
         if (ec != std::errc() || p != text.data() + text.size() || revision < 1)
           return fail(
               Error::invalid("revision", "revision must be a positive integer; got \"" + text + "\""));
         auto r = ctx.store.get_release({req.param("project"), req.param("app"), req.param("env")}, revision);
         if (!r) return tl::unexpected(r.error());
         return HttpResponse::json(200, encode(*r).dump());
       }}));
}

}  // namespace wharf::api
