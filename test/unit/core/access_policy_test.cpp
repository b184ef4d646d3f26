// The authorisation rules: built-in roles, custom roles, narrowed bindings, hidden foreign projects.
#include "core/access_policy.h"

#include <gtest/gtest.h>

#include "core/permission.h"

namespace wharf {
namespace {

using Decision = AccessPolicy::Decision;

RoleBinding bind(std::string project, std::string subject, std::string role,
                 std::vector<std::string> envs = {}, SubjectKind kind = SubjectKind::kUser) {
  RoleBinding b;
  b.project = std::move(project);
  b.subject_kind = kind;
  b.subject = std::move(subject);
  b.role = std::move(role);
  b.environments = std::move(envs);
  return b;
}

AccessPolicy policy_of(std::string_view user, std::vector<std::string> groups,
                       std::vector<RoleBinding> bindings, std::vector<Role> custom = {}) {
  return AccessPolicy::member(grants_for(user, groups, bindings, custom));
}

TEST(Permission, EveryPermissionIsKnownOnceAndNamedResourceDotAction) {
  std::set<std::string_view> seen;
  for (const auto& p : all_permissions()) {
    EXPECT_TRUE(seen.insert(p.name).second) << p.name;
    EXPECT_NE(p.name.find('.'), std::string_view::npos) << p.name;
    EXPECT_FALSE(p.description.empty()) << p.name;
  }
  EXPECT_TRUE(find_permission("app.deploy"));
  EXPECT_FALSE(find_permission("app.launch"));
}

TEST(Role, BuiltinRolesNestViewerTesterDeveloperOwner) {
  auto perms = [](std::string_view name) {
    const Role* r = find_builtin_role(name);
    EXPECT_NE(r, nullptr) << name;
    return std::set<std::string>(r->permissions.begin(), r->permissions.end());
  };
  auto viewer = perms("viewer"), tester = perms("tester"), developer = perms("developer"),
       owner = perms("owner");
  EXPECT_TRUE(std::includes(tester.begin(), tester.end(), viewer.begin(), viewer.end()));
  EXPECT_TRUE(std::includes(developer.begin(), developer.end(), tester.begin(), tester.end()));
  EXPECT_TRUE(std::includes(owner.begin(), owner.end(), developer.begin(), developer.end()));
  EXPECT_TRUE(viewer.contains("instance.logs"));
  EXPECT_FALSE(viewer.contains("app.deploy"));
  EXPECT_TRUE(tester.contains("app.rollback"));
  EXPECT_FALSE(tester.contains("config.edit"));
  EXPECT_TRUE(owner.contains("member.manage"));
  EXPECT_FALSE(developer.contains("member.manage"));
  for (const auto& p : owner) EXPECT_NE(find_permission(p)->scope, PermissionScope::kPlatform) << p;
}

TEST(Role, CustomRolesAreValidated) {
  Role ok{"release-manager", "", {"app.rollback", "app.deploy", "app.deploy"}, true, 0};
  ASSERT_TRUE(validate_role(ok));
  EXPECT_EQ(ok.permissions, (std::vector<std::string>{"app.deploy", "app.rollback"}));
  EXPECT_FALSE(ok.builtin);

  Role builtin{"owner", "", {"app.read"}, false, 0};
  EXPECT_EQ(validate_role(builtin).error().code, ErrorCode::kConflict);
  Role unknown{"x", "", {"app.read", "app.fly"}, false, 0};
  auto e = validate_role(unknown);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().field, "permissions[1]");
  Role platform{"x", "", {"cluster.create"}, false, 0};
  EXPECT_EQ(validate_role(platform).error().field, "permissions[0]");
  Role empty{"x", "", {}, false, 0};
  EXPECT_EQ(validate_role(empty).error().field, "permissions");
  Role bad_name{"Release Manager", "", {"app.read"}, false, 0};
  EXPECT_EQ(validate_role(bad_name).error().field, "name");
}

TEST(AccessPolicy, ForeignProjectsAreHiddenNotForbidden) {
  auto p = policy_of("alice", {}, {bind("shop", "alice", "viewer")});
  EXPECT_EQ(p.decide("app.read", "shop", ""), Decision::kAllow);
  EXPECT_EQ(p.decide("app.deploy", "shop", "prod"), Decision::kDeny);
  EXPECT_EQ(p.decide("app.read", "bank", ""), Decision::kHidden);
  EXPECT_EQ(p.decide("app.deploy", "bank", "prod"), Decision::kHidden);
  EXPECT_TRUE(p.sees_project("shop"));
  EXPECT_FALSE(p.sees_project("bank"));
}

TEST(AccessPolicy, NarrowedBindingDeploysOnlyWhereGrantedAndReadsProjectWide) {
  // A developer may deploy to dev and test but only read prod.
  auto p = policy_of("dora", {},
                     {bind("shop", "dora", "developer", {"dev", "test"}), bind("shop", "dora", "viewer")});
  EXPECT_TRUE(p.allows("app.deploy", "shop", "dev"));
  EXPECT_TRUE(p.allows("app.deploy", "shop", "test"));
  EXPECT_FALSE(p.allows("app.deploy", "shop", "prod"));
  EXPECT_TRUE(p.allows("instance.logs", "shop", "prod"));
  EXPECT_TRUE(p.allows("app.read", "shop", ""));
  EXPECT_FALSE(p.allows("app.update", "shop", ""));  // the spec is shared by all environments

  auto only_dev = policy_of("dora", {}, {bind("shop", "dora", "developer", {"dev"})});
  EXPECT_TRUE(only_dev.allows("app.read", "shop", ""));  // can find the app it works on
  EXPECT_FALSE(only_dev.allows("instance.logs", "shop", "prod"));
  EXPECT_FALSE(only_dev.allows("app.create", "shop", ""));
}

TEST(AccessPolicy, GroupsGrantThroughMembership) {
  std::vector<RoleBinding> bindings{bind("shop", "qa", "tester", {"test"}, SubjectKind::kGroup)};
  auto member = policy_of("tom", {"qa", "staff"}, bindings);
  EXPECT_TRUE(member.allows("app.rollback", "shop", "test"));
  auto left_group = policy_of("tom", {"staff"}, bindings);  // removed from the group: access gone
  EXPECT_EQ(left_group.decide("app.rollback", "shop", "test"), Decision::kHidden);
  auto same_name_user = policy_of("qa", {}, bindings);  // a user named like the group gets nothing
  EXPECT_FALSE(same_name_user.sees_project("shop"));
}

TEST(AccessPolicy, CustomRolesAndUnknownRoles) {
  Role custom{"release-manager", "", {"app.deploy", "app.read", "project.read"}, false, 0};
  auto p = policy_of("rm", {}, {bind("shop", "rm", "release-manager"), bind("bank", "rm", "deleted-role")},
                     {custom});
  EXPECT_TRUE(p.allows("app.deploy", "shop", "prod"));
  EXPECT_FALSE(p.allows("app.scale", "shop", "prod"));
  EXPECT_FALSE(p.sees_project("bank"));  // a binding of an unknown role grants nothing
}

TEST(AccessPolicy, PlatformAndAuthenticatedPermissions) {
  auto owner = policy_of("olga", {}, {bind("shop", "olga", "owner")});
  EXPECT_TRUE(owner.allows("system.read", "", ""));
  EXPECT_TRUE(owner.allows("cluster.read", "", ""));
  EXPECT_FALSE(owner.allows("cluster.create", "", ""));
  EXPECT_FALSE(owner.allows("project.create", "", ""));
  EXPECT_TRUE(owner.allows("member.manage", "shop", ""));
  EXPECT_FALSE(owner.allows("made.up", "shop", ""));
  auto admin = AccessPolicy::platform_admin();
  EXPECT_TRUE(admin.allows("cluster.create", "", ""));
  EXPECT_TRUE(admin.allows("app.deploy", "any", "prod"));
  EXPECT_FALSE(admin.allows("made.up", "any", "prod"));
}

TEST(AccessPolicy, ListsAcrossProjectsNeedTheRightSomewhere) {
  auto viewer = policy_of("v", {}, {bind("shop", "v", "viewer")});
  EXPECT_TRUE(viewer.allows("project.read", "", ""));
  auto nobody = policy_of("n", {}, {});
  EXPECT_TRUE(nobody.allows("project.read", "", ""));  // an empty list, filtered by the handler
  EXPECT_FALSE(nobody.allows("app.read", "", ""));
  EXPECT_EQ(nobody.decide("project.read", "shop", ""), AccessPolicy::Decision::kHidden);
  EXPECT_TRUE(nobody.allows("watch.read", "", ""));  // authenticated; the stream filters
}

TEST(AccessPolicy, EffectivePermissionsPerEnvironment) {
  auto p = policy_of("dora", {}, {bind("shop", "dora", "developer", {"dev"})});
  auto dev = p.effective("shop", "dev");
  auto prod = p.effective("shop", "prod");
  EXPECT_TRUE(std::binary_search(dev.begin(), dev.end(), "app.deploy"));
  EXPECT_FALSE(std::binary_search(prod.begin(), prod.end(), "app.deploy"));
  EXPECT_TRUE(std::binary_search(prod.begin(), prod.end(), "app.read"));
  EXPECT_FALSE(std::binary_search(prod.begin(), prod.end(), "cluster.create"));
  EXPECT_EQ(p.projects(), std::vector<std::string>{"shop"});
}

}  // namespace
}  // namespace wharf
