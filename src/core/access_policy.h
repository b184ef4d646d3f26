// AccessPolicy: what one caller may do, decided per request from the route's permission and the project
// and environment the request names. Pure: built from the caller's grants (their bindings with roles
// resolved), never touches the store.
//
// Decisions follow the rules: a project the caller has no grant in does not exist for them
// (kHidden → 404, so names do not leak); a grant narrowed to environments gives its environment
// permissions there and only the reading ones project-wide, so a developer of `dev` can find the app
// but cannot change its spec.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/role.h"

namespace wharf {

enum class SubjectKind { kUser, kGroup };

// One role granted to a user or a group in a project, optionally narrowed to some environments.
struct RoleBinding {
  std::string project;
  SubjectKind subject_kind = SubjectKind::kUser;
  std::string subject;                    // user name or group name
  std::string role;                       // a built-in or custom role
  std::vector<std::string> environments;  // empty: the whole project
  std::string created_by;
  std::string created_at;
  int64_t id = 0;

  bool operator==(const RoleBinding&) const = default;
};

// A binding with its role resolved.
struct Grant {
  std::string project;
  std::vector<std::string> environments;  // empty: the whole project
  std::set<std::string> permissions;
};

// The grants of a user who belongs to `groups`: every binding naming the user or one of the groups,
// with its role looked up first in `custom_roles`, then among the built-in ones. Bindings of unknown
// roles grant nothing.
std::vector<Grant> grants_for(std::string_view user, const std::vector<std::string>& groups,
                              const std::vector<RoleBinding>& bindings,
                              const std::vector<Role>& custom_roles);

class AccessPolicy {
 public:
  enum class Decision { kAllow, kDeny, kHidden };

  static AccessPolicy platform_admin() { return AccessPolicy(true, {}); }
  static AccessPolicy member(std::vector<Grant> grants) { return AccessPolicy(false, std::move(grants)); }

  // `project` and `environment` are what the request path names; empty when it names none (lists,
  // creation of a project), in which case handlers filter what they return with sees_project().
  // An unknown permission is denied.
  Decision decide(std::string_view permission, std::string_view project, std::string_view environment) const;
  bool allows(std::string_view permission, std::string_view project, std::string_view environment) const {
    return decide(permission, project, environment) == Decision::kAllow;
  }
  bool sees_project(std::string_view project) const;
  bool is_platform_admin() const { return admin_; }

  // The permissions the caller holds in `project` (in `environment` when not empty), sorted: for
  // GET /api/v1/me and for the console to hide what the caller cannot do.
  std::vector<std::string> effective(std::string_view project, std::string_view environment) const;
  // The projects the caller has any grant in (every project for an administrator is not listed here).
  std::vector<std::string> projects() const;

 private:
  AccessPolicy(bool admin, std::vector<Grant> grants) : admin_(admin), grants_(std::move(grants)) {}
  bool grant_covers(const Grant& g, std::string_view permission, bool environment_scoped,
                    std::string_view environment) const;

  bool admin_;
  std::vector<Grant> grants_;
};

}  // namespace wharf
