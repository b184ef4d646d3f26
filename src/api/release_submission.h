// Deploys the app named by a request's {project}/{app}/{env} path parameters: what POST .../deploy does,
// shared with the config API's publish with apply "restart". Implemented in routes_releases.cpp.
#pragma once

#include <string>

#include "api/api_context.h"
#include "api/http_types.h"
#include "core/error.h"
#include "core/release.h"

namespace wharf::api {

// Plans, stores and announces the release (202 with it); the controller is woken.
Result<HttpResponse> submit_deploy(ApiContext& ctx, const HttpRequest& req, DeployRequest request,
                                   const std::string& user);

}  // namespace wharf::api
