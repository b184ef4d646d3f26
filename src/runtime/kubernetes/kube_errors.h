// Turning a Kubernetes API answer that is not 2xx into an Error a person understands.
#pragma once

#include <string_view>

#include "core/error.h"

namespace wharf::kube {

// Maps an HTTP status and its body (usually a Kubernetes Status object) to an Error whose message
// includes the Status message: 401 -> kUnauthorized, 403 -> kForbidden, 404 -> kNotFound,
// 409 -> kConflict, 410 -> kConflict with field "resourceVersion" (see is_expired), 400/422 -> kInvalid
// (field from the first cause), 429/5xx -> kUnavailable, anything else -> kInternal.
// `what` names the request for the message ("GET /api/v1/namespaces"). Pure; thread-safe.
Error error_from_response(int status, std::string_view body, std::string_view what);

// The Error for a watch ERROR event or a list whose resourceVersion is too old (410 Gone).
Error expired_error(std::string_view message);

// True for the 410 Gone error: the caller must re-list and watch from the new resourceVersion.
bool is_expired(const Error& error);

}  // namespace wharf::kube
