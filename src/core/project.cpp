#include "core/project.h"

#include <string>

#include "core/names.h"

namespace wharf {

namespace {

constexpr size_t kMaxDisplayName = 100;
constexpr size_t kMaxDescription = 2000;

// Limits count characters as people see them (code points), so a Chinese display name gets 100 too.
size_t code_points(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool has_control(std::string_view s, bool allow_newlines) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (allow_newlines && (c == '\n' || c == '\r' || c == '\t')) continue;
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

}  // namespace

Status validate_project(const Project& project) {
  if (auto s = validate_name(project.name, "name"); !s) return s;
  if (size_t n = code_points(project.display_name); n > kMaxDisplayName) {
    return fail(Error::invalid("displayName", "displayName is " + std::to_string(n) +
                                                  " characters long; shorten it to at most 100"));
  }
  if (has_control(project.display_name, false)) {
    return fail(Error::invalid("displayName", "displayName must be one line without control characters"));
  }
  if (size_t n = code_points(project.description); n > kMaxDescription) {
    return fail(Error::invalid("description", "description is " + std::to_string(n) +
                                                  " characters long; shorten it to at most 2000"));
  }
  if (has_control(project.description, true)) {
    return fail(Error::invalid("description",
                               "description must not contain control characters other than "
                               "line breaks and tabs"));
  }
  return {};
}

}  // namespace wharf
