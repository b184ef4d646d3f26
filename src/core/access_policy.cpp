#include "core/access_policy.h"

#include <algorithm>

#include "core/permission.h"

namespace wharf {

std::vector<Grant> grants_for(std::string_view user, const std::vector<std::string>& groups,
                              const std::vector<RoleBinding>& bindings,
                              const std::vector<Role>& custom_roles) {
  std::vector<Grant> out;
  for (const auto& b : bindings) {
    const bool names_caller = b.subject_kind == SubjectKind::kUser
                                  ? b.subject == user
                                  : std::find(groups.begin(), groups.end(), b.subject) != groups.end();
    if (!names_caller) continue;
    const Role* role = nullptr;
    for (const auto& r : custom_roles)
      if (r.name == b.role) role = &r;
    if (!role) role = find_builtin_role(b.role);
    if (!role) continue;
    out.push_back(Grant{b.project, b.environments, {role->permissions.begin(), role->permissions.end()}});
  }
  return out;
}

bool AccessPolicy::grant_covers(const Grant& g, std::string_view permission, bool environment_scoped,
                                std::string_view environment) const {
  if (!g.permissions.contains(std::string(permission))) return false;
  if (g.environments.empty()) return true;
  // Narrowed to environments: project-wide, only what reads; an environment permission without an
  // environment in the path is a list the handler filters.
  if (!environment_scoped) return is_read_permission(permission);
  if (environment.empty()) return true;
  return std::find(g.environments.begin(), g.environments.end(), environment) != g.environments.end();
}

AccessPolicy::Decision AccessPolicy::decide(std::string_view permission, std::string_view project,
                                            std::string_view environment) const {
  auto info = find_permission(permission);
  if (!info) return Decision::kDeny;
  if (admin_ || info->scope == PermissionScope::kAuthenticated) return Decision::kAllow;
  if (info->scope == PermissionScope::kPlatform) return Decision::kDeny;
  if (project.empty()) {
    // A list across projects: allowed when some grant has the permission; the handler filters. Anyone
    // may list projects: a new user sees an empty list (the console's first page), not a refusal.
    if (permission == "project.read") return Decision::kAllow;
    for (const auto& g : grants_)
      if (g.permissions.contains(std::string(permission))) return Decision::kAllow;
    return Decision::kDeny;
  }
  if (!sees_project(project)) return Decision::kHidden;
  const bool env_scoped = info->scope == PermissionScope::kEnvironment;
  for (const auto& g : grants_)
    if (g.project == project && grant_covers(g, permission, env_scoped, environment)) return Decision::kAllow;
  return Decision::kDeny;
}

bool AccessPolicy::sees_project(std::string_view project) const {
  if (admin_) return true;
  return std::any_of(grants_.begin(), grants_.end(), [&](const Grant& g) { return g.project == project; });
}

std::vector<std::string> AccessPolicy::effective(std::string_view project,
                                                 std::string_view environment) const {
  std::vector<std::string> out;
  for (const auto& p : all_permissions()) {
    if (p.scope == PermissionScope::kPlatform && !admin_) continue;
    if (decide(p.name, project, environment) == Decision::kAllow) out.emplace_back(p.name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> AccessPolicy::projects() const {
  std::vector<std::string> out;
  for (const auto& g : grants_) out.push_back(g.project);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace wharf
