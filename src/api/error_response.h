// The one boundary that maps an Error to an HTTP status and the JSON error body (API.md, "Errors").
#pragma once

#include <string_view>

#include "api/http_types.h"
#include "core/error.h"

namespace wharf::api {

int http_status(ErrorCode code);
// {"error":{"code","message","field"?}} with the matching status.
HttpResponse error_response(const Error& error);
// The same body with a code more specific than the Error's own and, when `status` is not 0, another
// status: 403 "csrf", 403 "password_change_required", 429 "rate_limited".
HttpResponse error_response(const Error& error, std::string_view code, int status = 0);

}  // namespace wharf::api
