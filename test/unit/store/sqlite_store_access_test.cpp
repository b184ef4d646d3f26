// Tenancy in the SQLite store: custom roles, role bindings, the audit log and its transaction tie-in.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/audit_scope.h"
#include "store/sqlite/sqlite_store.h"
#include "store_test_support.h"

namespace wharf::testing {
namespace {

using ::testing::HasSubstr;

class AccessTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    project("shop");
    project("bank");
  }
  RoleBinding binding(std::string project, std::string subject, std::string role,
                      SubjectKind kind = SubjectKind::kUser, std::vector<std::string> envs = {}) {
    RoleBinding b;
    b.project = std::move(project);
    b.subject = std::move(subject);
    b.subject_kind = kind;
    b.role = std::move(role);
    b.environments = std::move(envs);
    b.created_by = "admin";
    return b;
  }
};

TEST_F(AccessTest, RolesRoundTripWithVersionsAndRefuseDeletionWhileGranted) {
  Role r{"release-manager", "ships to prod", {"app.deploy", "app.read"}, false, 0};
  auto created = store_->create_role(r);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(store_->create_role(r).error().code, ErrorCode::kConflict);
  auto got = store_->get_role("release-manager");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->permissions, r.permissions);
  EXPECT_EQ(got->resource_version, created->resource_version);

  Role changed = *got;
  changed.permissions.push_back("app.rollback");
  ASSERT_TRUE(store_->update_role(changed));
  EXPECT_EQ(store_->update_role(changed).error().code, ErrorCode::kConflict);  // stale version
  EXPECT_EQ(store_->list_roles()->size(), 1u);

  ASSERT_TRUE(store_->create_binding(binding("shop", "rita", "release-manager")));
  auto refused = store_->delete_role("release-manager", 0);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_THAT(refused.error().message, HasSubstr("\"shop\""));
  EXPECT_EQ(store_->get_role("nope").error().code, ErrorCode::kNotFound);
}

TEST_F(AccessTest, DeletingAUserTakesTokensAndUserBindingsButNotGroupsOrOthers) {
  ASSERT_TRUE(store_->create_user(User{"alice", "Alice", false, ""}));
  ASSERT_TRUE(store_->create_user(User{"bob", "Bob", false, ""}));
  ASSERT_TRUE(store_->create_token(ApiToken{"t1", "alice", "ci", "hash-1", "", ""}));
  ASSERT_TRUE(store_->create_binding(binding("shop", "alice", "developer")));
  ASSERT_TRUE(store_->create_binding(binding("bank", "bob", "viewer")));
  ASSERT_TRUE(store_->create_binding(binding("shop", "alice", "viewer", SubjectKind::kGroup)));

  auto changed = store_->update_user(User{"alice", "Alice A.", true, ""});
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_TRUE(changed->admin);
  EXPECT_EQ(store_->get_user("alice")->display_name, "Alice A.");

  ASSERT_TRUE(store_->delete_user("alice"));
  EXPECT_EQ(store_->get_user("alice").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->find_token_by_hash("hash-1").error().code, ErrorCode::kNotFound);
  auto left = store_->bindings_of("alice", {"alice"});
  ASSERT_TRUE(left);
  ASSERT_EQ(left->size(), 1u);  // the group of the same name is another subject
  EXPECT_EQ((*left)[0].subject_kind, SubjectKind::kGroup);
  EXPECT_EQ(store_->bindings_of("bob", {})->size(), 1u);
  EXPECT_EQ(store_->group_bindings()->size(), 1u);
  EXPECT_EQ(store_->delete_user("alice").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->update_user(User{"alice", "", false, ""}).error().code, ErrorCode::kNotFound);
}

TEST_F(AccessTest, BindingsPerProjectAndPerSubject) {
  auto a = store_->create_binding(binding("shop", "alice", "developer", SubjectKind::kUser, {"dev", "test"}));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_GT(a->id, 0);
  ASSERT_TRUE(store_->create_binding(binding("shop", "qa", "tester", SubjectKind::kGroup)));
  ASSERT_TRUE(store_->create_binding(binding("bank", "alice", "viewer")));
  ASSERT_TRUE(store_->create_binding(binding("bank", "bob", "owner")));
  auto dup = store_->create_binding(binding("shop", "alice", "developer"));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->create_binding(binding("nope", "alice", "viewer")).error().code, ErrorCode::kNotFound);

  auto shop = store_->list_bindings("shop");
  ASSERT_TRUE(shop);
  ASSERT_EQ(shop->size(), 2u);
  EXPECT_EQ((*shop)[0].subject, "qa");  // groups sort after users by kind name: "group" < "user"
  EXPECT_EQ((*shop)[1].environments, (std::vector<std::string>{"dev", "test"}));

  auto mine = store_->bindings_of("alice", {"qa"});
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->size(), 3u);
  EXPECT_EQ(store_->bindings_of("alice", {})->size(), 2u);
  EXPECT_EQ(store_->bindings_of("qa", {})->size(), 0u);  // a user named like a group is not the group

  ASSERT_TRUE(store_->delete_binding("shop", a->id));
  EXPECT_EQ(store_->delete_binding("shop", a->id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->delete_binding("bank", (*shop)[0].id).error().code, ErrorCode::kNotFound);

  auto bank = store_->get_project("bank");
  ASSERT_TRUE(store_->delete_project("bank", bank->resource_version));
  EXPECT_EQ(store_->bindings_of("alice", {})->size(), 0u);  // deleted with the project
}

TEST_F(AccessTest, UpdatingABindingChangesRoleAndEnvironmentsInPlace) {
  auto a = store_->create_binding(binding("shop", "alice", "tester", SubjectKind::kUser, {"dev"}));
  ASSERT_TRUE(a);
  ASSERT_TRUE(store_->create_binding(binding("shop", "alice", "viewer")));
  auto changed = store_->update_binding("shop", a->id, "developer", {"dev", "test"});
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(changed->id, a->id);
  EXPECT_EQ(changed->subject, "alice");
  EXPECT_EQ(changed->role, "developer");
  EXPECT_EQ(changed->environments, (std::vector<std::string>{"dev", "test"}));
  EXPECT_EQ(changed->created_at, a->created_at);
  // The same subject with that role already: refused, nothing changed.
  auto clash = store_->update_binding("shop", a->id, "viewer", {});
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error().code, ErrorCode::kConflict);
  EXPECT_EQ(store_->update_binding("bank", a->id, "owner", {}).error().code, ErrorCode::kNotFound);
  auto now = store_->bindings_of("alice", {});
  ASSERT_TRUE(now);
  ASSERT_EQ(now->size(), 2u);
  EXPECT_EQ((*now)[0].role, "developer");
}

TEST_F(AccessTest, AuditScopeCommitsTheRecordWithTheChangeOrNotAtAll) {
  AuditRecord record{0, "", "alice", "127.0.0.1", "project.create", "POST", "/api/v1/projects", "", "ok"};
  {
    AuditScope scope(record);
    Project p;
    p.name = "shop";  // exists: the write fails, so no record either
    EXPECT_FALSE(store_->create_project(p));
    EXPECT_FALSE(scope.written());
    p.name = "web";
    ASSERT_TRUE(store_->create_project(p));
    EXPECT_TRUE(scope.written());
    p.name = "web2";  // a second write in the same call is not recorded twice
    ASSERT_TRUE(store_->create_project(p));
  }
  auto page = store_->list_audit({}, {100, ""});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].actor, "alice");
  EXPECT_EQ(page->items[0].action, "project.create");
  EXPECT_FALSE(page->items[0].at.empty());
  Project p;
  p.name = "web3";  // no scope: nothing recorded
  ASSERT_TRUE(store_->create_project(p));
  EXPECT_EQ(store_->list_audit({}, {100, ""})->items.size(), 1u);
}

TEST_F(AccessTest, AuditQueriesFilterAndPageNewestFirst) {
  for (int i = 0; i < 5; ++i) {
    AuditRecord r{0,
                  "",
                  i % 2 ? "bob" : "alice",
                  "127.0.0.1",
                  "app.deploy",
                  "POST",
                  "/x/" + std::to_string(i),
                  i < 3 ? "shop" : "bank",
                  "ok"};
    ASSERT_TRUE(store_->append_audit(r));
  }
  auto all = store_->list_audit({}, {2, ""});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->items.size(), 2u);
  EXPECT_EQ(all->items[0].target, "/x/4");
  ASSERT_FALSE(all->continue_token.empty());
  auto next = store_->list_audit({}, {2, all->continue_token});
  EXPECT_EQ(next->items[0].target, "/x/2");

  EXPECT_EQ(store_->list_audit({"shop", "", "", ""}, {100, ""})->items.size(), 3u);
  EXPECT_EQ(store_->list_audit({"shop", "alice", "", ""}, {100, ""})->items.size(), 2u);
  EXPECT_EQ(store_->list_audit({"", "", "2000-01-01T00:00:00Z", ""}, {100, ""})->items.size(), 5u);
  EXPECT_EQ(store_->list_audit({"", "", "", "2000-01-01T00:00:00+08:00"}, {100, ""})->items.size(), 0u);
  auto bad = store_->list_audit({"", "", "yesterday", ""}, {100, ""});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "since");
  EXPECT_EQ(store_->list_audit({}, {10, "garbage"}).error().field, "continue");
}

}  // namespace
}  // namespace wharf::testing
