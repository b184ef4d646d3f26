#include "core/project_summary.h"

#include <gtest/gtest.h>

namespace wharf {
namespace {

Release release(std::string app, std::string env, ReleaseStatus status, int replicas, std::vector<int> ready,
                std::string cpu = "500m", std::string memory = "256Mi", QosTier qos = QosTier::kStandard) {
  Release r;
  r.project = "shop";
  r.app = std::move(app);
  r.environment = std::move(env);
  r.status = status;
  r.replicas = replicas;
  r.spec.replicas = replicas;
  r.spec.resources = {std::move(cpu), std::move(memory)};
  r.spec.qos = qos;
  for (size_t i = 0; i < ready.size(); ++i)
    r.clusters.push_back({"c" + std::to_string(i), status, ready[i], replicas, ""});
  return r;
}

TEST(ProjectSummary, HealthFollowsTheNewestReleaseAndItsInstances) {
  EXPECT_EQ(health_of(release("a", "dev", ReleaseStatus::kSucceeded, 2, {2})), AppHealth::kHealthy);
  // Succeeded once, an instance died since.
  EXPECT_EQ(health_of(release("a", "dev", ReleaseStatus::kSucceeded, 2, {1})), AppHealth::kProgressing);
  EXPECT_EQ(health_of(release("a", "dev", ReleaseStatus::kProgressing, 2, {2})), AppHealth::kProgressing);
  EXPECT_EQ(health_of(release("a", "dev", ReleaseStatus::kPending, 2, {})), AppHealth::kProgressing);
  EXPECT_EQ(health_of(release("a", "dev", ReleaseStatus::kFailed, 2, {2})), AppHealth::kFailed);
  Release offline = release("a", "dev", ReleaseStatus::kSucceeded, 0, {0});
  offline.kind = ReleaseKind::kOffline;
  EXPECT_EQ(health_of(offline), AppHealth::kOffline);
}

TEST(ProjectSummary, AnAppCountsOnceAsItsWorstStateAndEachEnvironmentCountsEveryApp) {
  const std::vector<std::string> apps{"api", "web", "worker", "idle"};
  const std::vector<std::string> envs{"dev", "prod", "test"};
  const std::vector<Release> newest{
      release("api", "dev", ReleaseStatus::kSucceeded, 1, {1}),
      release("api", "prod", ReleaseStatus::kFailed, 1, {0}),
      release("web", "dev", ReleaseStatus::kSucceeded, 2, {2}),
      release("web", "prod", ReleaseStatus::kProgressing, 2, {1}),
      release("worker", "dev", ReleaseStatus::kSucceeded, 1, {1}),
      // Of an environment the caller may not read: left out.
      release("worker", "secret", ReleaseStatus::kFailed, 1, {0}),
  };
  const ProjectSummary s = summarize_project(apps, envs, newest);
  EXPECT_EQ(s.app_count, 4);
  EXPECT_EQ(s.apps.failed, 1);        // api
  EXPECT_EQ(s.apps.progressing, 1);   // web
  EXPECT_EQ(s.apps.healthy, 1);       // worker
  EXPECT_EQ(s.apps.not_deployed, 1);  // idle
  ASSERT_EQ(s.environments.size(), 3u);
  const auto& dev = s.environments.at("dev");
  EXPECT_EQ(dev.apps.healthy, 3);
  EXPECT_EQ(dev.apps.not_deployed, 1);
  const auto& prod = s.environments.at("prod");
  EXPECT_EQ(prod.apps.failed, 1);
  EXPECT_EQ(prod.apps.progressing, 1);
  EXPECT_EQ(prod.apps.not_deployed, 2);
  EXPECT_EQ(s.environments.at("test").apps.not_deployed, 4);
  EXPECT_EQ(s.environments.count("secret"), 0u);
}

TEST(ProjectSummary, UsageIsInstancesTimesLimitsWithRequestsByTier) {
  const std::vector<std::string> apps{"api", "batch", "free"};
  const std::vector<std::string> envs{"dev"};
  const std::vector<Release> newest{
      // Two clusters (active-active), 3 each.
      release("api", "dev", ReleaseStatus::kSucceeded, 3, {3, 2}, "500m", "256Mi", QosTier::kCritical),
      release("batch", "dev", ReleaseStatus::kSucceeded, 2, {2}, "1", "1Gi", QosTier::kBatch),
      release("free", "dev", ReleaseStatus::kSucceeded, 1, {1}, "", ""),
  };
  const ProjectSummary s = summarize_project(apps, envs, newest);
  const ResourceUsage& u = s.usage;
  EXPECT_EQ(u.instances_desired, 9);
  EXPECT_EQ(u.instances_ready, 8);
  EXPECT_EQ(u.cpu_limit_millis, 6 * 500 + 2 * 1000);
  EXPECT_EQ(u.memory_limit_bytes, 6 * (256LL << 20) + 2 * (1LL << 30));
  const TierRatio critical = default_tier_ratio(QosTier::kCritical),
                  batch = default_tier_ratio(QosTier::kBatch);
  EXPECT_EQ(u.cpu_request_millis,
            6 * (500 * critical.cpu_num / critical.cpu_den) + 2 * (1000 * batch.cpu_num / batch.cpu_den));
  EXPECT_LT(u.cpu_request_millis, u.cpu_limit_millis);  // batch overcommits
  EXPECT_EQ(u.unlimited, 1);
  EXPECT_EQ(s.environments.at("dev").usage.instances_desired, 9);
}

TEST(ProjectSummary, OfflineAppsTakeNothing) {
  Release offline = release("api", "dev", ReleaseStatus::kSucceeded, 0, {0});
  offline.kind = ReleaseKind::kOffline;
  const std::vector<std::string> apps{"api"}, envs{"dev"};
  const std::vector<Release> newest{offline};
  const ProjectSummary s = summarize_project(apps, envs, newest);
  EXPECT_EQ(s.apps.offline, 1);
  EXPECT_EQ(s.usage.instances_desired, 0);
  EXPECT_EQ(s.usage.cpu_limit_millis, 0);
}

}  // namespace
}  // namespace wharf
