#include "util/clock.h"

#include <cstdio>
#include <ctime>

namespace wharf {

std::string to_rfc3339(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  using namespace std::chrono;
  int y, mo, d, h, mi, s, consumed = 0;
  std::string str(text);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6 ||
      consumed != 19)
    return std::nullopt;
  // system_clock counts nanoseconds: years outside about 1678..2262 would overflow it.
  if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
    return std::nullopt;
  size_t i = 19;
  int64_t frac_ns = 0;
  if (i < str.size() && str[i] == '.') {
    ++i;
    int64_t scale = 100000000;
    size_t start = i;
    while (i < str.size() && std::isdigit(static_cast<unsigned char>(str[i]))) {
      frac_ns += (str[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return std::nullopt;
  }
  int offset_min = 0;
  if (i < str.size() && (str[i] == 'Z' || str[i] == 'z')) {
    ++i;
  } else if (i + 6 == str.size() && (str[i] == '+' || str[i] == '-') && str[i + 3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(str.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
    offset_min = (str[i] == '+' ? 1 : -1) * (oh * 60 + om);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != str.size()) return std::nullopt;
  auto days = sys_days(year_month_day(year(y), month(mo), day(d)));
  if (!year_month_day(year(y), month(mo), day(d)).ok()) return std::nullopt;
  auto tp = time_point_cast<system_clock::duration>(days + hours(h) + minutes(mi) + seconds(s) +
                                                    nanoseconds(frac_ns) - minutes(offset_min));
  return tp;
}

}  // namespace wharf
