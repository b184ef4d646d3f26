#include <memory>
#include <mutex>
#include <set>
#include <string_view>

#include "api/handler_support.h"
#include "api/metrics.h"
#include "api/openapi.h"
#include "api/routes.h"
#include "events/live_config_hub.h"

namespace wharf {
std::string_view embedded_openapi_json();  // generated from src/api/openapi.json
}

namespace wharf::api {

void add_system_routes(Router& router, ApiContext& ctx) {
  router.add(
      {"GET", "/healthz", std::string(kPublic), "Liveness: the process serves HTTP",
       [](HttpRequest&, const Identity&) -> Result<HttpResponse> { return HttpResponse::text(200, "ok"); }});
  router.add({"GET", "/readyz", std::string(kPublic), "Readiness: started, store reachable, not draining",
              [&ctx](HttpRequest&, const Identity&) -> Result<HttpResponse> {
                if (!ctx.ready()) return HttpResponse::text(503, "starting or shutting down");
                if (auto v = ctx.store.current_version(); !v)
                  return HttpResponse::text(503, "store unavailable: " + v.error().message);
                return HttpResponse::text(200, "ok");
              }});
  router.add(
      {"GET", "/metrics", std::string(kPublic), "Prometheus metrics",
       [&ctx](HttpRequest&, const Identity&) -> Result<HttpResponse> {
         std::string out;
         out.reserve(16384);
         if (ctx.metrics) ctx.metrics->render(out);
         out += "# HELP wharf_watch_subscribers Open watch streams.\n# TYPE wharf_watch_subscribers gauge\n";
         out += "wharf_watch_subscribers " + std::to_string(ctx.bus.subscriber_count()) + "\n";
         if (ctx.live_config) {
           out +=
               "# HELP wharf_config_long_polls Config long polls (config API and Apollo) waiting for a "
               "change.\n# TYPE wharf_config_long_polls gauge\n";
           out += "wharf_config_long_polls " + std::to_string(ctx.live_config->waiting()) + "\n";
         }
         if (ctx.runtimes) {
           // A driver may serve several clusters; each renders its families once.
           std::set<Runtime*> rendered;
           for (auto& [cluster, runtime] : ctx.runtimes->all())
             if (rendered.insert(runtime).second) runtime->render_metrics(out);
         }
         auto r = HttpResponse::text(200, std::move(out));
         r.content_type = "text/plain; version=0.0.4; charset=utf-8";
         return r;
       }});
  router.add(
      {"GET", "/api/v1/version", "system.read", "Server version and commit",
       [](HttpRequest&, const Identity&) -> Result<HttpResponse> {
         return HttpResponse::json(200, json{{"version", WHARF_VERSION}, {"commit", WHARF_COMMIT}}.dump());
       }});
  // Annotated from the router's table on first use, when every route is registered; the table does not
  // change afterwards.
  struct Served {
    std::once_flag once;
    std::string text;
  };
  router.add(
      {"GET", "/api/v1/openapi.json", "system.read", "This API's OpenAPI 3 document",
       [&router, served = std::make_shared<Served>()](HttpRequest&, const Identity&) -> Result<HttpResponse> {
         std::call_once(served->once,
                        [&] { served->text = annotated_openapi(embedded_openapi_json(), router); });
         return HttpResponse::json(200, served->text);
       }});
}

}  // namespace wharf::api
