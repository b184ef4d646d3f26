// Dispatcher: everything between a parsed request and its response that is not socket I/O: route
// lookup, authentication, the handler, the mapping of errors to HTTP, metrics and the access log.
// Thread-safe; blocks for as long as the handler does.
#pragma once

#include "api/http_types.h"
#include "api/metrics.h"
#include "api/router.h"
#include "auth/token_authenticator.h"

namespace wharf::api {

class Dispatcher {
 public:
  Dispatcher(const Router& router, TokenAuthenticator& auth, RequestMetrics& metrics)
      : router_(router), auth_(auth), metrics_(metrics) {}

  HttpResponse dispatch(HttpRequest& request);

 private:
  const Router& router_;
  TokenAuthenticator& auth_;
  RequestMetrics& metrics_;
};

}  // namespace wharf::api
