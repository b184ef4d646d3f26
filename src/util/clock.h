// Wall-clock time as the API shows it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace wharf {

// RFC 3339 in UTC with milliseconds: "2026-11-23T16:46:54.123Z".
std::string to_rfc3339(std::chrono::system_clock::time_point t);
inline std::string now_rfc3339() {
  return to_rfc3339(std::chrono::system_clock::now());
}

// Parses what to_rfc3339 writes, plus offsets ("+08:00") and no or any fraction. nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace wharf
