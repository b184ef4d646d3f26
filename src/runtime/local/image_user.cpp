#include "runtime/local/image_user.h"

#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

namespace wharf::local {

namespace {

std::optional<uint32_t> number(const std::string& s) {
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// The fields of the line of a passwd/group file whose field `match` (0: name, 2: id) is `value` (passwd has
// 7 fields, group 4, but a trailing empty member list leaves 3 to getline).
std::optional<std::vector<std::string>> entry(const std::string& file, const std::string& value,
                                              size_t min_fields, size_t match = 0) {
  std::ifstream f(file);
  for (std::string line; std::getline(f, line);) {
    std::vector<std::string> fields;
    std::istringstream in(line);
    for (std::string field; std::getline(in, field, ':');) fields.push_back(field);
    if (fields.size() >= min_fields && fields[match] == value) return fields;
  }
  return std::nullopt;
}

}  // namespace

Result<ProcessUser> resolve_image_user(const std::string& user, const std::string& rootfs) {
  ProcessUser out;
  if (user.empty()) return out;
  const auto colon = user.find(':');
  const std::string who = user.substr(0, colon);
  const std::string group = colon == std::string::npos ? "" : user.substr(colon + 1);
  if (auto uid = number(who)) {
    out.uid = *uid;
    out.gid = *uid == 0 ? 0 : *uid;  // a bare uid without an entry: its own group id, as runc does
    if (auto pw = entry(rootfs + "/etc/passwd", who, 4, 2); pw && number((*pw)[3]))
      out.gid = *number((*pw)[3]);
  } else {
    auto pw = entry(rootfs + "/etc/passwd", who, 4);
    if (!pw || !number((*pw)[2]) || !number((*pw)[3]))
      return fail(Error::invalid("image", "the image's user \"" + who + "\" is not in its /etc/passwd"));
    out.uid = *number((*pw)[2]);
    out.gid = *number((*pw)[3]);
  }
  if (!group.empty()) {
    if (auto gid = number(group)) {
      out.gid = *gid;
    } else {
      auto gr = entry(rootfs + "/etc/group", group, 3);
      if (!gr || !number((*gr)[2]))
        return fail(Error::invalid("image", "the image's group \"" + group + "\" is not in its /etc/group"));
      out.gid = *number((*gr)[2]);
    }
  }
  return out;
}

}  // namespace wharf::local
