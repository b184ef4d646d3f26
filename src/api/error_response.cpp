#include "api/error_response.h"

#include <nlohmann/json.hpp>

namespace wharf::api {

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalid:
      return 400;
    case ErrorCode::kUnauthorized:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kQuotaExceeded:
    case ErrorCode::kPolicyViolation:
      return 422;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

HttpResponse error_response(const Error& error) {
  return error_response(error, to_string(error.code));
}

HttpResponse error_response(const Error& error, std::string_view code, int status) {
  nlohmann::json inner{{"code", code}, {"message", error.message}};
  if (!error.field.empty()) inner["field"] = error.field;
  auto r =
      HttpResponse::json(status ? status : http_status(error.code), nlohmann::json{{"error", inner}}.dump());
  if (error.code == ErrorCode::kUnauthorized)
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"wharf\"");
  return r;
}

}  // namespace wharf::api
