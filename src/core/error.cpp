#include "core/error.h"

namespace wharf {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalid:
      return "invalid";
    case ErrorCode::kUnauthorized:
      return "unauthorized";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kQuotaExceeded:
      return "quota_exceeded";
    case ErrorCode::kPolicyViolation:
      return "policy_violation";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

Error Error::under(std::string_view prefix) && {
  if (field.empty()) {
    field = std::string(prefix);
  } else if (field.front() == '[') {
    field = std::string(prefix) + field;
  } else {
    field = std::string(prefix) + "." + field;
  }
  return std::move(*this);
}

}  // namespace wharf
