#include "core/role.h"

#include <algorithm>

#include "core/names.h"
#include "core/permission.h"

namespace wharf {
namespace {

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::vector<std::string> with(std::vector<std::string> base, std::initializer_list<const char*> more) {
  base.insert(base.end(), more.begin(), more.end());
  return sorted(std::move(base));
}

const std::vector<Role>& roles() {
  static const std::vector<Role> kRoles = [] {
    auto viewer = sorted({"project.read", "environment.read", "app.read", "member.read", "release.read",
                          "instance.read", "instance.logs", "config.read"});
    auto tester = with(viewer, {"app.deploy", "app.rollback", "app.scale", "app.offline"});
    auto developer = with(tester, {"app.create", "app.update", "config.edit", "config.publish",
                                   "config.reveal", "instance.exec"});
    std::vector<std::string> owner;
    for (const auto& p : all_permissions())
      if (p.scope == PermissionScope::kProject || p.scope == PermissionScope::kEnvironment)
        owner.emplace_back(p.name);
    return std::vector<Role>{
        {"owner", "everything in the project, including members and environments", sorted(owner), true, 0},
        {"developer", "creates and changes apps, deploys, configures, opens terminals", developer, true, 0},
        {"tester", "deploys, rolls back and scales what developers built; reads config", tester, true, 0},
        {"viewer", "reads everything in the project, including logs; changes nothing", viewer, true, 0},
    };
  }();
  return kRoles;
}

}  // namespace

std::span<const Role> builtin_roles() {
  return roles();
}

const Role* find_builtin_role(std::string_view name) {
  for (const auto& r : roles())
    if (r.name == name) return &r;
  return nullptr;
}

Status validate_role(Role& role) {
  if (auto s = validate_name(role.name, "name"); !s) return s;
  if (find_builtin_role(role.name))
    return fail(Error::conflict("\"" + role.name + "\" is a built-in role; choose another name", "name"));
  if (role.permissions.empty())
    return fail(Error::invalid("permissions", "a role needs at least one permission"));
  for (size_t i = 0; i < role.permissions.size(); ++i) {
    const std::string field = "permissions[" + std::to_string(i) + "]";
    auto p = find_permission(role.permissions[i]);
    if (!p)
      return fail(Error::invalid(
          field, "unknown permission \"" + role.permissions[i] + "\"; GET /api/v1/permissions lists them"));
    if (p->scope == PermissionScope::kPlatform || p->scope == PermissionScope::kAuthenticated)
      return fail(Error::invalid(field, "\"" + role.permissions[i] +
                                            "\" is not granted by roles: platform rights belong to "
                                            "platform administrators, and every user has the others"));
  }
  role.permissions = sorted(std::move(role.permissions));
  role.builtin = false;
  return {};
}

}  // namespace wharf
