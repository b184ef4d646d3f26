// Durations people type (--timeout 5m, --since 10m) and times people read (AGE columns).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "util/duration.h"

namespace wharf::cli {

// How long ago `rfc3339` was, compactly: "45s", "12m", "5h", "3d". "-" when empty or unparseable.
std::string age(std::string_view rfc3339, std::chrono::system_clock::time_point now);

// "2026-11-23T16:46:54.123Z" -> "2026-11-23 16:46" (UTC, as the server wrote it). Empty stays empty.
std::string short_time(std::string_view rfc3339);

// The server's `since` takes RFC 3339; people also write a duration ("10m" = ten minutes ago).
std::string since_argument(std::string_view text, std::chrono::system_clock::time_point now);

}  // namespace wharf::cli
