// Router: the table of every route with the permission it needs. The OpenAPI document, the metrics'
// route labels and (later) the authorisation matrix test are all driven by this one table.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.h"
#include "auth/identity.h"
#include "core/error.h"

namespace wharf::api {

using Handler = std::function<Result<HttpResponse>(HttpRequest&, const Identity&)>;

// Permission names. Every /api/v1 route declares one; public routes declare kPublic.
inline constexpr std::string_view kPublic = "public";

struct Route {
  std::string method;      // GET, POST, PUT, PATCH, DELETE
  std::string pattern;     // "/api/v1/projects/{project}/apps/{app}"
  std::string permission;  // "project.read", "app.deploy", ... or kPublic
  std::string summary;     // one line for humans (OpenAPI summary)
  Handler handler;
  // The response depends only on the store's contents (and the caller): the dispatcher may answer from
  // a cache for as long as the store's resource version is unchanged.
  bool cached_by_store_version = false;
  // Takes `?dryRun=true`: the handler checks and plans the change and answers with what it would do,
  // changing nothing; such calls are not audited. Other mutating routes refuse the parameter (400), so
  // a dry run can never change something by mistake.
  bool dry_run = false;
};

// Marks a read-only route as cacheable by store version (see Route).
inline Route cached(Route route) {
  route.cached_by_store_version = true;
  return route;
}

// Marks a mutating route as supporting dry runs (see Route).
inline Route dry_runnable(Route route) {
  route.dry_run = true;
  return route;
}

// True when the request asks for a dry run (`dryRun=true`); `invalid` for any other value of dryRun.
Result<bool> is_dry_run(const HttpRequest& request);

class Router {
 public:
  void add(Route route);

  struct Match {
    const Route* route = nullptr;  // null: no route
    size_t index = 0;              // position in routes(), for per-route metrics
    bool path_matched = false;     // a route has this path but not this method (405)
    std::map<std::string, std::string> params;
  };
  // Finds the route for `method` and an already percent-decoded `path`.
  Match match(std::string_view method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Compiled {
    std::vector<std::string> segments;  // "{name}" segments are parameters
  };
  std::vector<Route> routes_;
  std::vector<Compiled> compiled_;
};

}  // namespace wharf::api
