#include <charconv>

#include "api/handler_support.h"
#include "api/routes.h"
#include "core/json_codec.h"
#include "util/clock.h"

namespace wharf::api {
namespace {

constexpr const char* kBase = "/api/v1/projects/{project}/apps/{app}/environments/{env}";

Result<ReleaseKey> existing_key(Store& store, const HttpRequest& req) {
  auto app = store.get_app(req.param("project"), req.param("app"));
  if (!app) return tl::unexpected(app.error());
  auto env = store.get_environment(req.param("project"), req.param("env"));
  if (!env) return tl::unexpected(env.error());
  return ReleaseKey{app->project, app->spec.name, env->name};
}

}  // namespace

void add_instance_routes(Router& router, ApiContext& ctx) {
  router.add(
      cached({"GET", std::string(kBase) + "/instances", "instance.read", "Running instances as last observed",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto key = existing_key(ctx.store, req);
                if (!key) return tl::unexpected(key.error());
                auto instances = ctx.store.list_instances(*key);
                if (!instances) return tl::unexpected(instances.error());
                json items = json::array();
                for (const auto& i : *instances) items.push_back(json_codec::encode(i));
                return HttpResponse::json(200, items.dump());
              }}));
  router.add(
      {"GET", std::string(kBase) + "/logs", "instance.logs",
       "Log lines of the app's instances (tail, since, follow=1 streams)",
       [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
         if (auto tail = req.q("tail")) {
           int n = 0;
           auto [p, ec] = std::from_chars(tail->data(), tail->data() + tail->size(), n);
           if (ec != std::errc() || p != tail->data() + tail->size() || n < 0)
             return fail(Error::invalid("tail", "tail must be a non-negative number of lines"));
         }
         if (auto since = req.q("since"); since && !parse_rfc3339(*since))
           return fail(
               Error::invalid("since", "since must be an RFC 3339 time such as 2026-11-23T16:00:00Z"));
         if (auto follow = req.q("follow"); follow && *follow != "0" && *follow != "1")
           return fail(Error::invalid("follow", "follow must be 0 or 1"));
         auto key = existing_key(ctx.store, req);
         if (!key) return tl::unexpected(key.error());
         auto instances = ctx.store.list_instances(*key);
         if (!instances) return tl::unexpected(instances.error());
         auto wanted = req.q("instance");
         const Instance* found = nullptr;
         for (const auto& i : *instances)
           if (!wanted || i.name == *wanted) found = found ? found : &i;
         if (wanted && !found)
           return fail(Error::not_found("instance \"" + *wanted + "\" is not running in " + key->environment +
                                        "; GET .../instances lists the current ones"));
         if (!found) return HttpResponse::text(200, "");  // no instances, no logs
         // Logs are read from the driver that runs the instance; none is part of this build yet.
         return fail(Error::unavailable("logs of cluster \"" + found->cluster +
                                        "\" cannot be read: no runtime driver serves it in this build"));
       }});
}

}  // namespace wharf::api
