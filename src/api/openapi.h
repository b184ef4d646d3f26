// The OpenAPI document as served: the embedded src/api/openapi.json with every operation annotated from
// the router's table, so what it says about authorisation can never drift from the code.
#pragma once

#include <string>
#include <string_view>

#include "api/router.h"

namespace wharf::api {

// `document` (an OpenAPI 3 JSON text) with, on the operation of each route in `router`,
// "x-wharf-permission" (the route's permission, "public" for routes without one) and "x-wharf-scope"
// (the permission's scope: public, authenticated, platform, project or environment). A route the
// document does not describe gets an operation of its own (its summary and the two fields), so a
// reader of the served document (the isolation matrix test) still sees every route.
// Throws nlohmann::json::parse_error when `document` is not JSON (it is embedded at build time and the
// unit tests parse it).
std::string annotated_openapi(std::string_view document, const Router& router);

}  // namespace wharf::api
