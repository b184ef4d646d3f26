// The one boundary that maps an Error to an HTTP status and the JSON error body (API.md, "Errors").
#pragma once

#include "api/http_types.h"
#include "core/error.h"

namespace wharf::api {

int http_status(ErrorCode code);
// {"error":{"code","message","field"?}} with the matching status.
HttpResponse error_response(const Error& error);

}  // namespace wharf::api
