#include "runtime/kubernetes/kube_errors.h"

#include <nlohmann/json.hpp>
#include <string>

namespace wharf::kube {
namespace {

constexpr std::string_view kExpiredField = "resourceVersion";

// The Status message, or the start of a non-JSON body.
std::string status_message(std::string_view body, std::string* field) {
  auto status = nlohmann::json::parse(body, nullptr, false);
  if (status.is_object()) {
    if (field) {
      const auto causes = status.value("/details/causes"_json_pointer, nlohmann::json::array());
      if (causes.is_array() && !causes.empty() && causes[0].is_object())
        *field = causes[0].value("field", std::string());
    }
    std::string message = status.value("message", std::string());
    if (!message.empty()) return message;
  }
  std::string text(body.substr(0, 300));
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text.empty() ? "no message" : text;
}

}  // namespace

Error error_from_response(int status, std::string_view body, std::string_view what) {
  std::string field;
  std::string message = status_message(body, &field);
  std::string where = " (" + std::string(what) + ")";
  switch (status) {
    case 401:
      return Error::unauthorized("the cluster refused the credentials (401 Unauthorized): " + message);
    case 403:
      return Error::forbidden("the cluster forbids this request (403 Forbidden): " + message + where);
    case 404:
      return Error::not_found(message + " (404 Not Found)" + where);
    case 409:
      return Error::conflict(message + " (409 Conflict)" + where);
    case 410:
      return expired_error(message);
    case 400:
    case 422:
      return Error::invalid(
          field, "the cluster rejected the request (" + std::to_string(status) + "): " + message + where);
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return Error::unavailable("the cluster could not serve the request (" + std::to_string(status) +
                                "): " + message + where);
    default:
      return Error::internal("the cluster answered " + std::to_string(status) + ": " + message + where);
  }
}

Error expired_error(std::string_view message) {
  return Error::conflict("the resourceVersion is too old to continue from (410 Gone): " +
                             std::string(message) + "; list again and watch from the new resourceVersion",
                         std::string(kExpiredField));
}

bool is_expired(const Error& error) {
  return error.code == ErrorCode::kConflict && error.field == kExpiredField;
}

}  // namespace wharf::kube
