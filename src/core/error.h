// Error values for expected failures, and the Result<T> every fallible call returns.
//
// Expected failures (bad input, missing objects, conflicts, unreachable dependencies) travel as
// Result<T> = tl::expected<T, Error>. Exactly one boundary (src/api/error_response) maps an Error to an
// HTTP status and the JSON body {"error":{"code","message","field"}}. Broken invariants abort instead.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace wharf {

enum class ErrorCode {
  kInvalid,          // 400: the input is malformed or out of range
  kUnauthorized,     // 401: no or wrong credentials
  kForbidden,        // 403: authenticated but not allowed
  kNotFound,         // 404
  kConflict,         // 409: name taken, stale resourceVersion, state does not allow it
  kQuotaExceeded,    // 422
  kPolicyViolation,  // 422
  kUnavailable,      // 503: a dependency (store, cluster, registry) is down
  kInternal,         // 500
};

// The wire name of a code: "invalid", "not_found", ...
std::string_view to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // a sentence for a person: what is wrong and what to change
  std::string field;    // the input field at fault ("spec.replicas"), empty when none is

  static Error invalid(std::string field, std::string message) {
    return {ErrorCode::kInvalid, std::move(message), std::move(field)};
  }
  static Error not_found(std::string message) { return {ErrorCode::kNotFound, std::move(message), {}}; }
  static Error conflict(std::string message, std::string field = {}) {
    return {ErrorCode::kConflict, std::move(message), std::move(field)};
  }
  static Error unavailable(std::string message) { return {ErrorCode::kUnavailable, std::move(message), {}}; }
  static Error internal(std::string message) { return {ErrorCode::kInternal, std::move(message), {}}; }
  static Error unauthorized(std::string message) {
    return {ErrorCode::kUnauthorized, std::move(message), {}};
  }
  static Error forbidden(std::string message) { return {ErrorCode::kForbidden, std::move(message), {}}; }
  static Error policy(std::string field, std::string message) {
    return {ErrorCode::kPolicyViolation, std::move(message), std::move(field)};
  }

  // Prefixes the field path: Error{field="port"}.under("spec.ports[0]") -> "spec.ports[0].port".
  Error under(std::string_view prefix) &&;
};

template <class T>
using Result = tl::expected<T, Error>;

using Status = tl::expected<void, Error>;

inline tl::unexpected<Error> fail(Error e) {
  return tl::unexpected<Error>(std::move(e));
}

}  // namespace wharf
