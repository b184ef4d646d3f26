#include "core/release.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace wharf {
namespace {

using ::testing::HasSubstr;

AppSpec base_spec() {
  AppSpec s;
  s.name = "web";
  s.image = "127.0.0.1:5000/team/web:1.0";
  s.ports = {{"http", 8080, "TCP"}};
  s.resources = {"500m", "512Mi"};
  s.replicas = 2;
  return s;
}

App app() {
  return {"shop", base_spec(), 4, "", ""};
}

// A release as the store would hold it.
Release rel(int64_t revision, std::string image, int replicas, ReleaseKind kind = ReleaseKind::kDeploy,
            ReleaseStatus status = ReleaseStatus::kSucceeded, std::optional<int64_t> config = 1) {
  Release r;
  r.project = "shop";
  r.app = "web";
  r.environment = "prod";
  r.revision = revision;
  r.image = image;
  r.image_digest = "sha256:" + std::string(64, static_cast<char>('0' + revision % 10));
  r.config_version = config;
  r.replicas = replicas;
  r.spec = base_spec();
  r.spec.image = image;
  r.spec.replicas = replicas;
  r.kind = kind;
  r.status = status;
  r.created_by = "alice";
  r.created_at = "2024-01-01T00:00:00Z";
  r.finished_at = "2024-01-01T00:01:00Z";
  r.clusters = {{"local", status, replicas, replicas, ""}};
  r.resource_version = 9;
  r.reason = "done";
  return r;
}

void expect_fresh(const Release& r, std::string_view actor) {
  EXPECT_EQ(r.revision, 0);
  EXPECT_EQ(r.status, ReleaseStatus::kPending);
  EXPECT_EQ(r.created_by, actor);
  EXPECT_TRUE(r.created_at.empty());
  EXPECT_TRUE(r.finished_at.empty());
  EXPECT_TRUE(r.reason.empty());
  EXPECT_TRUE(r.clusters.empty());
  EXPECT_EQ(r.resource_version, 0);
  EXPECT_EQ(r.spec.image, r.image);
  EXPECT_EQ(r.spec.replicas, r.replicas);
}

// ---- strings and transitions ----

TEST(ReleaseStrings, RoundTrip) {
  for (auto k : {ReleaseKind::kDeploy, ReleaseKind::kRollback, ReleaseKind::kScale, ReleaseKind::kOffline}) {
    EXPECT_EQ(parse_release_kind(to_string(k)), k);
  }
  for (auto s : {ReleaseStatus::kPending, ReleaseStatus::kProgressing, ReleaseStatus::kSucceeded,
                 ReleaseStatus::kFailed}) {
    EXPECT_EQ(parse_release_status(to_string(s)), s);
  }
  EXPECT_EQ(to_string(ReleaseKind::kRollback), "rollback");
  EXPECT_EQ(to_string(ReleaseStatus::kProgressing), "progressing");
  EXPECT_FALSE(parse_release_kind("Deploy"));
  EXPECT_FALSE(parse_release_kind(""));
  EXPECT_FALSE(parse_release_status("done"));
}

TEST(CanTransition, FollowsTheLifecycle) {
  using S = ReleaseStatus;
  const S all[] = {S::kPending, S::kProgressing, S::kSucceeded, S::kFailed};
  for (S s : all) EXPECT_TRUE(can_transition(s, s)) << to_string(s);
  EXPECT_TRUE(can_transition(S::kPending, S::kProgressing));
  EXPECT_TRUE(can_transition(S::kPending, S::kSucceeded));
  EXPECT_TRUE(can_transition(S::kPending, S::kFailed));
  EXPECT_TRUE(can_transition(S::kProgressing, S::kSucceeded));
  EXPECT_TRUE(can_transition(S::kProgressing, S::kFailed));
  EXPECT_FALSE(can_transition(S::kProgressing, S::kPending));
  for (S terminal : {S::kSucceeded, S::kFailed}) {
    EXPECT_TRUE(is_terminal(terminal));
    for (S to : all) {
      if (to != terminal) {
        EXPECT_FALSE(can_transition(terminal, to)) << to_string(terminal) << to_string(to);
      }
    }
  }
  EXPECT_FALSE(is_terminal(S::kPending));
  EXPECT_FALSE(is_terminal(S::kProgressing));
}

// ---- deploy ----

TEST(PlanDeploy, FirstDeployUsesTheSpec) {
  auto r = plan_deploy(app(), "prod", {}, {}, "bob");
  ASSERT_TRUE(r) << r.error().message;
  expect_fresh(*r, "bob");
  EXPECT_EQ(r->project, "shop");
  EXPECT_EQ(r->app, "web");
  EXPECT_EQ(r->environment, "prod");
  EXPECT_EQ(r->kind, ReleaseKind::kDeploy);
  EXPECT_EQ(r->image, "127.0.0.1:5000/team/web:1.0");
  EXPECT_TRUE(r->image_digest.empty());
  EXPECT_EQ(r->replicas, 2);
  EXPECT_FALSE(r->config_version);
  EXPECT_FALSE(r->rollback_of);
  EXPECT_EQ(r->spec, base_spec());
}

TEST(PlanDeploy, AppliesRequestOverrides) {
  DeployRequest req{"127.0.0.1:5000/team/web:2.0", 7, 5, "ship it"};
  auto r = plan_deploy(app(), "prod", {}, req, "bob");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->image, "127.0.0.1:5000/team/web:2.0");
  EXPECT_EQ(r->spec.image, "127.0.0.1:5000/team/web:2.0");
  EXPECT_EQ(r->config_version, 7);
  EXPECT_EQ(r->replicas, 5);
  EXPECT_EQ(r->message, "ship it");
}

TEST(PlanDeploy, ScaleAndConfigSurviveAnUpgrade) {
  std::vector<Release> history = {
      rel(3, "127.0.0.1:5000/team/web:1.0", 6, ReleaseKind::kScale, ReleaseStatus::kSucceeded, 4)};
  auto r = plan_deploy(app(), "prod", history, {"127.0.0.1:5000/team/web:1.1", {}, {}, ""}, "bob");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->replicas, 6);
  EXPECT_EQ(r->config_version, 4);
}

TEST(PlanDeploy, AfterOfflineComesBackAtThePreviousSize) {
  std::vector<Release> history = {rel(3, "127.0.0.1:5000/team/web:1.0", 0, ReleaseKind::kOffline),
                                  rel(2, "127.0.0.1:5000/team/web:1.0", 4)};
  auto r = plan_deploy(app(), "prod", history, {}, "bob");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->replicas, 4);
  // Offline only: back to the spec's size.
  std::vector<Release> only_offline = {rel(1, "127.0.0.1:5000/team/web:1.0", 0, ReleaseKind::kOffline)};
  r = plan_deploy(app(), "prod", only_offline, {}, "bob");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->replicas, 2);
}

TEST(PlanDeploy, NoImageAnywhereIsInvalidImage) {
  App a = app();
  a.spec.image = "";
  auto r = plan_deploy(a, "prod", {}, {}, "bob");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(r.error().field, "image");
  EXPECT_THAT(r.error().message, HasSubstr("no image"));
  // The request can supply it.
  EXPECT_TRUE(plan_deploy(a, "prod", {}, {"busybox:1.36", {}, {}, ""}, "bob"));
}

TEST(PlanDeploy, ValidatesTheResultingSpec) {
  auto r = plan_deploy(app(), "prod", {}, {"Bad Image", {}, {}, ""}, "bob");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "image");
  App a = app();
  a.spec.ports[0].port = 0;
  r = plan_deploy(a, "prod", {}, {}, "bob");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "ports[0].port");
}

TEST(PlanDeploy, RejectsReplicasOutOfRange) {
  for (int n : {-1, kMaxReplicas + 1}) {
    auto r = plan_deploy(app(), "prod", {}, {{}, {}, n, ""}, "bob");
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().field, "replicas");
    EXPECT_THAT(r.error().message, HasSubstr("between 0 and 1000"));
  }
  EXPECT_TRUE(plan_deploy(app(), "prod", {}, {{}, {}, 0, ""}, "bob"));
  EXPECT_TRUE(plan_deploy(app(), "prod", {}, {{}, {}, kMaxReplicas, ""}, "bob"));
}

TEST(PlanDeploy, RejectsNonPositiveConfigVersion) {
  auto r = plan_deploy(app(), "prod", {}, {{}, 0, {}, ""}, "bob");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "configVersion");
}

// ---- rollback ----

TEST(PlanRollback, EmptyHistory) {
  auto r = plan_rollback({}, {}, "bob");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_THAT(r.error().message, HasSubstr("no earlier successful release to roll back to"));
  r = plan_rollback({}, {3, ""}, "bob");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(r.error().message, HasSubstr("revision 3"));
}

TEST(PlanRollback, DefaultTargetIsThePreviousSuccessfulRelease) {
  std::vector<Release> history = {rel(3, "reg/web:3", 5, ReleaseKind::kDeploy, ReleaseStatus::kSucceeded, 3),
                                  rel(2, "reg/web:2", 2, ReleaseKind::kDeploy, ReleaseStatus::kSucceeded, 2),
                                  rel(1, "reg/web:1", 2)};
  auto r = plan_rollback(history, {{}, "bad build"}, "carol");
  ASSERT_TRUE(r) << r.error().message;
  expect_fresh(*r, "carol");
  EXPECT_EQ(r->kind, ReleaseKind::kRollback);
  EXPECT_EQ(r->rollback_of, 2);
  EXPECT_EQ(r->image, "reg/web:2");
  EXPECT_EQ(r->image_digest, history[1].image_digest);
  EXPECT_EQ(r->config_version, 2) << "config moves with the image";
  EXPECT_EQ(r->replicas, 5) << "a rollback keeps the current size";
  EXPECT_EQ(r->spec.replicas, 5);
  EXPECT_EQ(r->message, "bad build");
  EXPECT_EQ(r->project, "shop");
  EXPECT_EQ(r->app, "web");
  EXPECT_EQ(r->environment, "prod");
}

TEST(PlanRollback, SkipsReleasesIdenticalToTheCurrentOne) {
  // 4 scales 3; 3 redeploys what 2 ran. Only the replicas differ among 2..4: the target is 1.
  std::vector<Release> history = {rel(4, "reg/web:2", 8, ReleaseKind::kScale), rel(3, "reg/web:2", 3),
                                  rel(2, "reg/web:2", 2), rel(1, "reg/web:1", 2)};
  auto r = plan_rollback(history, {}, "bob");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->rollback_of, 1);
  EXPECT_EQ(r->image, "reg/web:1");
  EXPECT_EQ(r->replicas, 8);
}

TEST(PlanRollback, ConfigOrSpecChangesCountAsDifferent) {
  std::vector<Release> config_only = {
      rel(2, "reg/web:1", 2, ReleaseKind::kDeploy, ReleaseStatus::kSucceeded, 6),
      rel(1, "reg/web:1", 2, ReleaseKind::kDeploy, ReleaseStatus::kSucceeded, 5)};
  auto r = plan_rollback(config_only, {}, "bob");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rollback_of, 1);
  EXPECT_EQ(r->config_version, 5);

  std::vector<Release> spec_only = {rel(2, "reg/web:1", 2), rel(1, "reg/web:1", 2)};
  spec_only[0].spec.env["FEATURE"] = "on";
  r = plan_rollback(spec_only, {}, "bob");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rollback_of, 1);
  EXPECT_TRUE(r->spec.env.empty()) << "the target's spec comes back";
}

TEST(PlanRollback, SkipsFailedAndOfflineReleases) {
  std::vector<Release> history = {
      rel(5, "reg/web:5", 3), rel(4, "reg/web:4", 3, ReleaseKind::kDeploy, ReleaseStatus::kFailed),
      rel(3, "reg/web:3", 0, ReleaseKind::kOffline),
      rel(2, "reg/web:2", 3, ReleaseKind::kDeploy, ReleaseStatus::kProgressing), rel(1, "reg/web:1", 3)};
  auto r = plan_rollback(history, {}, "bob");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rollback_of, 1);
}

TEST(PlanRollback, FromAFailedDeployGoesBackToTheLastGoodOne) {
  std::vector<Release> history = {rel(2, "reg/web:2", 3, ReleaseKind::kDeploy, ReleaseStatus::kFailed),
                                  rel(1, "reg/web:1", 3)};
  auto r = plan_rollback(history, {}, "bob");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rollback_of, 1);
}

TEST(PlanRollback, NoDifferentSuccessfulReleaseIsAConflict) {
  std::vector<Release> history = {rel(2, "reg/web:1", 4, ReleaseKind::kScale), rel(1, "reg/web:1", 2)};
  auto r = plan_rollback(history, {}, "bob");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_THAT(r.error().message, HasSubstr("no earlier successful release to roll back to"));
  std::vector<Release> one = {rel(1, "reg/web:1", 2)};
  EXPECT_FALSE(plan_rollback(one, {}, "bob"));
}

TEST(PlanRollback, ExplicitRevision) {
  std::vector<Release> history = {rel(3, "reg/web:3", 4), rel(2, "reg/web:2", 2), rel(1, "reg/web:1", 2)};
  auto r = plan_rollback(history, {1, "back to 1"}, "bob");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rollback_of, 1);
  EXPECT_EQ(r->image, "reg/web:1");
  EXPECT_EQ(r->replicas, 4);
  EXPECT_EQ(r->message, "back to 1");
}

TEST(PlanRollback, ExplicitRevisionMayBeAFailedOne) {
  std::vector<Release> history = {rel(2, "reg/web:2", 2),
                                  rel(1, "reg/web:1", 2, ReleaseKind::kDeploy, ReleaseStatus::kFailed)};
  auto r = plan_rollback(history, {1, ""}, "bob");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rollback_of, 1);
}

TEST(PlanRollback, ExplicitRevisionMustExist) {
  std::vector<Release> history = {rel(2, "reg/web:2", 2), rel(1, "reg/web:1", 2)};
  auto r = plan_rollback(history, {9, ""}, "bob");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(r.error().message, HasSubstr("revision 9"));
  EXPECT_THAT(r.error().message, HasSubstr("app web in prod"));
}

TEST(PlanRollback, ExplicitRevisionMustNotBeOffline) {
  std::vector<Release> history = {rel(3, "reg/web:2", 2), rel(2, "reg/web:1", 0, ReleaseKind::kOffline),
                                  rel(1, "reg/web:1", 2)};
  auto r = plan_rollback(history, {2, ""}, "bob");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_EQ(r.error().message, "revision 2 took the app offline; pick a revision that ran it");
}

TEST(PlanRollback, ExplicitRevisionIdenticalToCurrentIsAConflict) {
  std::vector<Release> history = {rel(3, "reg/web:2", 5, ReleaseKind::kScale), rel(2, "reg/web:2", 2),
                                  rel(1, "reg/web:1", 2)};
  for (int64_t rev : {3, 2}) {
    auto r = plan_rollback(history, {rev, ""}, "bob");
    ASSERT_FALSE(r) << rev;
    EXPECT_EQ(r.error().code, ErrorCode::kConflict);
    EXPECT_THAT(r.error().message, HasSubstr("same image, config and spec"));
  }
}

TEST(PlanRollback, FromOfflineTakesTheTargetsReplicas) {
  std::vector<Release> history = {rel(3, "reg/web:2", 0, ReleaseKind::kOffline), rel(2, "reg/web:2", 6),
                                  rel(1, "reg/web:1", 3)};
  auto r = plan_rollback(history, {}, "bob");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rollback_of, 1);
  EXPECT_EQ(r->replicas, 3);
  // Explicitly to what ran before going offline: allowed, it brings the app back.
  r = plan_rollback(history, {2, ""}, "bob");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rollback_of, 2);
  EXPECT_EQ(r->replicas, 6);
  EXPECT_EQ(r->spec.replicas, 6);
}

TEST(PlanRollback, ARollbackCanBeRolledBack) {
  std::vector<Release> history = {rel(3, "reg/web:1", 2, ReleaseKind::kRollback), rel(2, "reg/web:2", 2),
                                  rel(1, "reg/web:1", 2)};
  history[0].rollback_of = 1;
  auto r = plan_rollback(history, {}, "bob");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rollback_of, 2);
  EXPECT_EQ(r->image, "reg/web:2");
}

// ---- scale ----

TEST(PlanScale, CopiesTheCurrentReleaseWithNewReplicas) {
  std::vector<Release> history = {rel(2, "reg/web:2", 2, ReleaseKind::kDeploy, ReleaseStatus::kSucceeded, 7),
                                  rel(1, "reg/web:1", 2)};
  auto r = plan_scale(history, 9, "peak", "dave");
  ASSERT_TRUE(r);
  expect_fresh(*r, "dave");
  EXPECT_EQ(r->kind, ReleaseKind::kScale);
  EXPECT_EQ(r->replicas, 9);
  EXPECT_EQ(r->spec.replicas, 9);
  EXPECT_EQ(r->image, "reg/web:2");
  EXPECT_EQ(r->image_digest, history[0].image_digest);
  EXPECT_EQ(r->config_version, 7);
  EXPECT_EQ(r->message, "peak");
  EXPECT_FALSE(r->rollback_of);
  EXPECT_TRUE(plan_scale(history, 0, "", "dave"));
}

TEST(PlanScale, Preconditions) {
  auto r = plan_scale({}, 3, "", "dave");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_THAT(r.error().message, HasSubstr("deploy it first"));

  std::vector<Release> offline = {rel(2, "reg/web:1", 0, ReleaseKind::kOffline), rel(1, "reg/web:1", 2)};
  r = plan_scale(offline, 3, "", "dave");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_EQ(r.error().message, "app web is offline in prod; deploy it first");

  std::vector<Release> history = {rel(1, "reg/web:1", 2)};
  for (int n : {-1, 1001}) {
    r = plan_scale(history, n, "", "dave");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
    EXPECT_EQ(r.error().field, "replicas");
    EXPECT_EQ(r.error().message, "replicas must be between 0 and 1000; got " + std::to_string(n));
  }
}

// ---- offline ----

TEST(PlanOffline, ZeroReplicasHistoryKept) {
  std::vector<Release> history = {rel(2, "reg/web:2", 4, ReleaseKind::kDeploy, ReleaseStatus::kSucceeded, 3)};
  auto r = plan_offline(history, "maintenance", "erin");
  ASSERT_TRUE(r);
  expect_fresh(*r, "erin");
  EXPECT_EQ(r->kind, ReleaseKind::kOffline);
  EXPECT_EQ(r->replicas, 0);
  EXPECT_EQ(r->spec.replicas, 0);
  EXPECT_EQ(r->image, "reg/web:2");
  EXPECT_EQ(r->config_version, 3);
  EXPECT_EQ(r->message, "maintenance");
}

TEST(PlanOffline, Preconditions) {
  auto r = plan_offline({}, "", "erin");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  std::vector<Release> offline = {rel(2, "reg/web:2", 0, ReleaseKind::kOffline)};
  r = plan_offline(offline, "", "erin");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_THAT(r.error().message, HasSubstr("already offline"));
}

}  // namespace
}  // namespace wharf
