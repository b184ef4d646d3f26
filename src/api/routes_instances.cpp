#include <algorithm>
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

Result<LogQuery> log_query(const HttpRequest& req) {
  LogQuery query;
  if (auto tail = req.q("tail")) {
    int n = 0;
    auto [p, ec] = std::from_chars(tail->data(), tail->data() + tail->size(), n);
    if (ec != std::errc() || p != tail->data() + tail->size() || n < 0)
      return fail(Error::invalid("tail", "tail must be a non-negative number of lines"));
    query.tail = n;
  }
  if (auto since = req.q("since")) {
    auto t = parse_rfc3339(*since);
    if (!t)
      return fail(Error::invalid("since", "since must be an RFC 3339 time such as 2026-11-23T16:00:00Z"));
    query.since = *t;
  }
  for (auto [name, flag] : {std::pair{"follow", &query.follow}, std::pair{"timestamps", &query.timestamps}}) {
    auto v = req.q(name);
    if (v && *v != "0" && *v != "1") return fail(Error::invalid(name, std::string(name) + " must be 0 or 1"));
    *flag = v == "1";
  }
  query.instance = req.q("instance").value_or("");
  return query;
}

// The log streams of one request (one per cluster) as one HTTP response body. Plain text has no
// heartbeat: an idle followed stream notices a closed connection with its next line.
class LogResponseStream : public ResponseStream {
 public:
  explicit LogResponseStream(std::vector<std::unique_ptr<LogStream>> parts) : parts_(std::move(parts)) {}
  void set_notify(std::function<void()> notify) override {
    for (auto& p : parts_) p->set_notify(notify);
  }
  bool poll(std::string& out) override {
    std::erase_if(parts_, [&out](const std::unique_ptr<LogStream>& p) { return !p->poll(out); });
    return !parts_.empty();
  }
  std::string heartbeat() override { return {}; }

 private:
  std::vector<std::unique_ptr<LogStream>> parts_;
};

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
  router.add({"GET", std::string(kBase) + "/logs", "instance.logs",
              "Log lines of the app's instances (tail, since, follow=1 streams, timestamps=1)",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto query = log_query(req);
                if (!query) return tl::unexpected(query.error());
                auto key = existing_key(ctx.store, req);
                if (!key) return tl::unexpected(key.error());
                auto env = ctx.store.get_environment(key->project, key->environment);
                if (!env) return tl::unexpected(env.error());
                std::vector<std::string> clusters = env->clusters;
                if (!query->instance.empty()) {
                  auto instances = ctx.store.list_instances(*key);
                  if (!instances) return tl::unexpected(instances.error());
                  auto it = std::find_if(instances->begin(), instances->end(),
                                         [&](const Instance& i) { return i.name == query->instance; });
                  if (it == instances->end())
                    return fail(Error::not_found("instance \"" + query->instance + "\" is not running in " +
                                                 key->environment +
                                                 "; GET .../instances lists the current ones"));
                  clusters = {it->cluster};
                }
                std::vector<std::unique_ptr<LogStream>> parts;
                for (const auto& cluster : clusters) {
                  Runtime* runtime = ctx.runtimes ? ctx.runtimes->for_cluster(cluster) : nullptr;
                  if (!runtime)
                    return fail(Error::unavailable("logs of cluster \"" + cluster +
                                                   "\" cannot be read: no runtime driver serves it"));
                  auto part = runtime->logs(*key, cluster, env->ns, *query);
                  if (!part) return tl::unexpected(part.error());
                  parts.push_back(std::move(*part));
                }
                auto r = HttpResponse::text(200, "");
                r.headers.emplace_back("Cache-Control", "no-store");
                r.headers.emplace_back("X-Accel-Buffering", "no");  // nginx: do not buffer followed logs
                r.stream = std::make_shared<LogResponseStream>(std::move(parts));
                return r;
              }});
}

}  // namespace wharf::api
