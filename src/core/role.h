// Roles: named sets of project and environment permissions, granted to users and groups by bindings.
// The built-in roles follow the seeds' teams: the project lead owns the project, developers ship and
// configure, testers release what developers built, viewers read (and read logs).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/error.h"

namespace wharf {

struct Role {
  std::string name;
  std::string description;
  std::vector<std::string> permissions;  // project- and environment-scoped permission names, sorted
  bool builtin = false;
  int64_t resource_version = 0;

  bool operator==(const Role&) const = default;
};

// owner, developer, tester, viewer.
std::span<const Role> builtin_roles();
const Role* find_builtin_role(std::string_view name);

// A custom role: a DNS-label name that is not a built-in one, and known permissions of project or
// environment scope (platform rights come with the platform administrator flag, not with roles).
// Sorts and de-duplicates the permissions. The error names the offending field ("permissions[2]").
Status validate_role(Role& role);

}  // namespace wharf
