#include "cli/time_format.h"

#include "util/clock.h"

namespace wharf::cli {

std::string age(std::string_view rfc3339, std::chrono::system_clock::time_point now) {
  if (rfc3339.empty()) return "-";
  auto t = parse_rfc3339(rfc3339);
  if (!t) return "-";
  // A server clock slightly ahead of ours would give negative ages; they read better as 0s.
  auto s = std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(now - *t).count());
  if (s < 120) return std::to_string(s) + "s";
  if (s < 120 * 60) return std::to_string(s / 60) + "m";
  if (s < 48 * 3600) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

std::string short_time(std::string_view rfc3339) {
  if (rfc3339.size() < 16 || rfc3339[10] != 'T') return std::string(rfc3339);
  std::string out(rfc3339.substr(0, 16));
  out[10] = ' ';
  return out;
}

std::string since_argument(std::string_view text, std::chrono::system_clock::time_point now) {
  if (auto d = parse_duration(text)) return to_rfc3339(now - *d);
  return std::string(text);
}

}  // namespace wharf::cli
