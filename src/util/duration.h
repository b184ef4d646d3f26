// Durations people type: API token lifetimes (ttl), CLI timeouts and `--since 10m`.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace wharf {

// "300", "300s", "5m", "1h30m", "2d" -> seconds. nullopt when malformed or negative.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace wharf
