#include <charconv>
#include <map>
#include <optional>
#include <string_view>

#include "api/handler_support.h"
#include "api/routes.h"
#include "core/access_policy.h"

namespace wharf::api {
namespace {

// Every kind of event, with the permission that reading such objects through the API needs.
const std::map<std::string, std::string, std::less<>> kKinds = {
    {"project", "project.read"}, {"environment", "environment.read"}, {"cluster", "cluster.read"},
    {"app", "app.read"},         {"release", "release.read"},         {"instance", "instance.read"},
    {"config", "config.read"}};

std::string_view read_permission_of(std::string_view kind) {
  auto it = kKinds.find(kind);
  return it == kKinds.end() ? std::string_view() : std::string_view(it->second);
}

// Server-Sent Events over one bus subscription: one "data:" JSON object per change.
class WatchStream : public ResponseStream {
 public:
  WatchStream(EventBus& bus, std::shared_ptr<Subscription> sub) : bus_(bus), sub_(std::move(sub)) {}
  ~WatchStream() override { bus_.unsubscribe(sub_); }

  void set_notify(std::function<void()> notify) override { sub_->set_notify(std::move(notify)); }

  bool poll(std::string& out) override {
    batch_.clear();
    bool open = sub_->drain(batch_);
    for (const auto& e : batch_) {
      out += "id: " + bus_.epoch() + "." + std::to_string(e.seq) + "\nevent: " + e.kind + "\ndata: ";
      out += json{{"type", e.type},
                  {"kind", e.kind},
                  {"project", e.project},
                  {"name", e.name},
                  {"resourceVersion", e.resource_version},
                  {"object", json::parse(e.object_json)}}
                 .dump();
      out += "\n\n";
    }
    if (!open)
      out +=
          "event: error\ndata: {\"error\":{\"code\":\"conflict\",\"message\":\"the watch fell behind; list "
          "again and re-watch\"}}\n\n";
    return open;
  }

  std::string heartbeat() override { return ": keep-alive\n\n"; }

 private:
  EventBus& bus_;
  std::shared_ptr<Subscription> sub_;
  std::vector<Event> batch_;
};

// The seq of a Last-Event-ID this bus wrote ("<epoch>.<seq>"); nullopt for another bus's or garbage.
std::optional<uint64_t> resume_point(const EventBus& bus, std::string_view last_event_id) {
  auto dot = last_event_id.rfind('.');
  if (dot == std::string_view::npos || last_event_id.substr(0, dot) != bus.epoch()) return std::nullopt;
  auto digits = last_event_id.substr(dot + 1);
  uint64_t seq = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  if (ec != std::errc() || p != digits.data() + digits.size() || digits.empty()) return std::nullopt;
  return seq;
}

}  // namespace

void add_watch_routes(Router& router, ApiContext& ctx) {
  router.add(
      {"GET", "/api/v1/watch", "watch.read",
       "Server-Sent Events of changes (?project=&kinds=app,release,instance)",
       [&ctx](HttpRequest& req, const Identity& who) -> Result<HttpResponse> {
         Subscription::Filter filter;
         if (!who.access->is_platform_admin()) {
           // Each event only to whoever may read it: hidden projects drop out, and so do kinds
           // (or environments) the caller's roles do not let them read. Events of no project
           // (clusters) pass. The policy is the one of the moment the watch started.
           filter.allow = [policy = who.access](const Event& e) {
             if (e.project.empty()) return true;
             auto permission = read_permission_of(e.kind);
             return !permission.empty() && policy->allows(permission, e.project, environment_of(e));
           };
         }
         if (auto project = req.q("project"); project && !project->empty()) {
           if (!who.access->sees_project(*project))
             return fail(Error::not_found("project \"" + *project + "\" does not exist"));
           auto p = ctx.store.get_project(*project);
           if (!p) return tl::unexpected(p.error());
           filter.project = *project;
         }
         if (auto kinds = req.q("kinds"); kinds && !kinds->empty()) {
           size_t start = 0;
           while (start <= kinds->size()) {
             auto end = kinds->find(',', start);
             if (end == std::string::npos) end = kinds->size();
             auto kind = kinds->substr(start, end - start);
             if (!kKinds.contains(kind))
               return fail(Error::invalid("kinds", "unknown kind \"" + kind +
                                                       "\"; use project, environment, cluster, app, release, "
                                                       "instance or config"));
             filter.kinds.insert(kind);
             start = end + 1;
           }
         }
         HttpResponse r;
         r.status = 200;
         r.content_type = "text/event-stream";
         r.headers.emplace_back("Cache-Control", "no-cache");
         r.headers.emplace_back("X-Accel-Buffering", "no");  // nginx: do not buffer the stream
         // A client that reconnects with Last-Event-ID (browsers do by themselves) gets what it
         // missed if the server still remembers it. Its first event says whether it was resumed: if
         // not, it must list again rather than trust what it holds. A new watch gets no such event.
         std::shared_ptr<Subscription> sub;
         if (auto after = resume_point(ctx.bus, req.last_event_id)) sub = ctx.bus.resume(filter, *after);
         r.body = ": watching\n\n";
         if (!req.last_event_id.empty())
           r.body += std::string("event: sync\ndata: {\"resumed\":") + (sub ? "true" : "false") + "}\n\n";
         if (!sub) sub = ctx.bus.subscribe(std::move(filter));
         r.stream = std::make_shared<WatchStream>(ctx.bus, std::move(sub));
         return r;
       }});
}

}  // namespace wharf::api
