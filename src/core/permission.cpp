#include "core/permission.h"

#include <algorithm>
#include <array>

namespace wharf {
namespace {

using enum PermissionScope;

constexpr std::array kPermissions = {
    PermissionInfo{"system.read", kAuthenticated, "server version and API document"},
    PermissionInfo{"cluster.read", kAuthenticated, "list clusters (names and versions, never credentials)"},
    PermissionInfo{"image.read", kAuthenticated, "list repositories and tags of registries"},
    PermissionInfo{"watch.read", kAuthenticated, "watch changes (filtered to what the caller may read)"},
    PermissionInfo{"token.manage", kAuthenticated, "create, list and revoke one's own API tokens"},
    PermissionInfo{"account.manage", kAuthenticated,
                   "change one's own password and end one's console session"},

    PermissionInfo{"project.create", kPlatform, "create projects"},
    PermissionInfo{"cluster.create", kPlatform, "register clusters"},
    PermissionInfo{"cluster.delete", kPlatform, "remove clusters"},
    PermissionInfo{"user.manage", kPlatform, "create, disable and delete users; manage groups"},
    PermissionInfo{"role.manage", kPlatform, "define custom roles"},
    PermissionInfo{"platform.audit", kPlatform, "read the audit log of every project"},

    PermissionInfo{"project.read", kProject, "see the project"},
    PermissionInfo{"project.update", kProject, "change the project's description and quota"},
    PermissionInfo{"project.delete", kProject, "delete the project with everything in it"},
    PermissionInfo{"environment.read", kProject, "see the project's environments"},
    PermissionInfo{"environment.create", kProject, "add environments"},
    PermissionInfo{"environment.update", kProject, "change environments (clusters, policy)"},
    PermissionInfo{"environment.delete", kProject, "delete environments"},
    PermissionInfo{"app.read", kProject, "see apps and their specs"},
    PermissionInfo{"app.create", kProject, "create apps"},
    PermissionInfo{"app.update", kProject, "change app specs"},
    PermissionInfo{"app.delete", kProject, "delete apps"},
    PermissionInfo{"member.read", kProject, "see members and their roles"},
    PermissionInfo{"member.manage", kProject, "grant and revoke roles in the project"},
    PermissionInfo{"audit.read", kProject, "read the project's audit log"},

    PermissionInfo{"release.read", kEnvironment, "see releases"},
    PermissionInfo{"instance.read", kEnvironment, "see running instances"},
    PermissionInfo{"instance.logs", kEnvironment, "read instance logs"},
    PermissionInfo{"instance.exec", kEnvironment, "open a terminal in an instance"},
    PermissionInfo{"app.deploy", kEnvironment, "deploy and upgrade"},
    PermissionInfo{"app.rollback", kEnvironment, "roll back to an earlier release"},
    PermissionInfo{"app.scale", kEnvironment, "change the number of replicas"},
    PermissionInfo{"app.offline", kEnvironment, "take the app offline"},
    PermissionInfo{"config.read", kEnvironment, "read config items (secrets masked)"},
    PermissionInfo{"config.edit", kEnvironment, "edit config drafts"},
    PermissionInfo{"config.publish", kEnvironment, "publish config versions"},
    PermissionInfo{"config.reveal", kEnvironment, "see secret config values"},
};

}  // namespace

std::string_view to_string(PermissionScope scope) {
  switch (scope) {
    case kAuthenticated:
      return "authenticated";
    case kPlatform:
      return "platform";
    case kProject:
      return "project";
    case kEnvironment:
      return "environment";
  }
  return "";
}

std::span<const PermissionInfo> all_permissions() {
  return kPermissions;
}

std::optional<PermissionInfo> find_permission(std::string_view name) {
  auto it = std::find_if(kPermissions.begin(), kPermissions.end(),
                         [name](const PermissionInfo& p) { return p.name == name; });
  if (it == kPermissions.end()) return std::nullopt;
  return *it;
}

bool is_read_permission(std::string_view name) {
  return name.ends_with(".read") || name == "instance.logs";
}

}  // namespace wharf
