// Dispatcher: everything between a parsed request and its response that is not socket I/O: route
// lookup, authentication (bearer token, else console session cookie; a session's mutating calls must
// carry its CSRF token, and a session whose password must be changed may only change it), authorisation (the
// route's permission against the caller's AccessPolicy: a project the caller cannot see answers 404, a
// missing permission 403), the audit record of every mutating call, the handler, the mapping of errors to
// HTTP, metrics and the access log. Thread-safe; blocks for as long as the handler does.
#pragma once

#include <functional>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "api/http_types.h"
#include "api/metrics.h"
#include "api/router.h"
#include "auth/authenticator.h"
#include "auth/authorizer.h"
#include "store/store.h"

namespace wharf::api {

class Dispatcher {
 public:
  Dispatcher(const Router& router, Authenticator& auth, Authorizer& authorizer, RequestMetrics& metrics,
             Store& store)
      : router_(router), auth_(auth), authorizer_(authorizer), metrics_(metrics), store_(store) {}

  HttpResponse dispatch(HttpRequest& request);

  // Answers requests that match no route (the web console's files); nullopt keeps the JSON 404. Set
  // before serving starts.
  using Fallback = std::function<std::optional<HttpResponse>(const HttpRequest&)>;
  void set_fallback(Fallback fallback) { fallback_ = std::move(fallback); }

 private:
  Result<HttpResponse> call(const Router::Match& match, HttpRequest& request, const Identity& identity);
  // Sets identity.access and checks the route's permission for the project and environment in `params`.
  Status authorize(const Route& route, const std::map<std::string, std::string>& params, Identity& identity);

  const Router& router_;
  Authenticator& auth_;
  Authorizer& authorizer_;
  RequestMetrics& metrics_;
  Store& store_;
  Fallback fallback_;

  // Bodies of `cached` routes by caller, path and query, valid while the store version is unchanged.
  struct CachedBody {
    int64_t version;
    std::string body;
  };
  std::shared_mutex cache_mu_;
  std::unordered_map<std::string, CachedBody> cache_;
};

}  // namespace wharf::api
