#include "runtime/local/rollout_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace wharf::local {
namespace {

RolloutTarget target(int64_t revision, int replicas, int surge, int unavailable) {
  Strategy s;
  s.max_surge = {surge, false};
  s.max_unavailable = {unavailable, false};
  return {revision, replicas, rollout_budget(s, replicas)};
}

TEST(RolloutPlan, FirstDeployStartsAllReplicas) {
  EXPECT_EQ(plan_rollout(target(1, 3, 1, 0), {}), (RolloutPlan{3, {}}));
}

TEST(RolloutPlan, ScaleDownRemovesUnreadyThenNewestFirst) {
  std::vector<PlannedInstance> v = {
      {"a", 1, true, 1}, {"b", 1, true, 2}, {"c", 1, false, 3}, {"d", 1, true, 4}, {"e", 1, false, 0}};
  EXPECT_EQ(plan_rollout(target(1, 2, 1, 0), v), (RolloutPlan{0, {"c", "e", "d"}}));
}

TEST(RolloutPlan, OfflineStopsEverything) {
  std::vector<PlannedInstance> v = {{"a", 1, true, 1}, {"b", 2, false, 2}};
  auto plan = plan_rollout(target(2, 0, 1, 0), v);
  EXPECT_EQ(plan.start, 0);
  EXPECT_EQ(plan.stop.size(), 2u);
}

TEST(RolloutPlan, SurgeOneUnavailableZeroWaitsForReadiness) {
  std::vector<PlannedInstance> v = {{"a", 1, true, 1}, {"b", 1, true, 2}, {"c", 1, true, 3}};
  EXPECT_EQ(plan_rollout(target(2, 3, 1, 0), v), (RolloutPlan{1, {}}));
  v.push_back({"n1", 2, false, 4});
  EXPECT_EQ(plan_rollout(target(2, 3, 1, 0), v), (RolloutPlan{0, {}}));  // n1 not ready: nothing goes
  v.back().ready = true;
  EXPECT_EQ(plan_rollout(target(2, 3, 1, 0), v), (RolloutPlan{0, {"c"}}));
}

TEST(RolloutPlan, UnreadyOldInstancesGoFirst) {
  std::vector<PlannedInstance> v = {{"a", 1, true, 1}, {"b", 1, false, 2}, {"c", 1, true, 3}};
  EXPECT_EQ(plan_rollout(target(2, 3, 0, 1), v), (RolloutPlan{0, {"b"}}));
}

TEST(RolloutPlan, CompleteOnlyWithExactlyTheReadyTargetRevision) {
  auto t = target(2, 2, 1, 0);
  std::vector<PlannedInstance> v = {{"a", 2, true, 1}, {"b", 2, true, 2}};
  EXPECT_TRUE(rollout_complete(t, v));
  v.push_back({"c", 1, true, 0});
  EXPECT_FALSE(rollout_complete(t, v));
  v.pop_back();
  v[1].ready = false;
  EXPECT_FALSE(rollout_complete(t, v));
  EXPECT_TRUE(rollout_complete(target(3, 0, 1, 0), {}));
}

// Simulates whole rollouts: each round applies the plan (stops are immediate, starts create unready
// instances) and then one random unready instance becomes ready. Availability never drops below
// replicas - maxUnavailable, the total never exceeds replicas + maxSurge, and the rollout completes.
TEST(RolloutPlan, RollingUpdatesKeepTheBudgetInvariants) {
  std::mt19937 rng(42);
  for (int replicas : {1, 2, 3, 5, 10}) {
    for (int surge = 0; surge <= 3; ++surge) {
      for (int unavailable = 0; unavailable <= 3; ++unavailable) {
        auto t = target(2, replicas, surge, unavailable);
        const int min_ready = replicas - t.budget.max_unavailable;
        const int max_total = replicas + t.budget.max_surge;
        std::vector<PlannedInstance> v;
        uint64_t seq = 0;
        for (int i = 0; i < replicas; ++i) v.push_back({"old" + std::to_string(i), 1, true, ++seq});
        int rounds = 0;
        while (!rollout_complete(t, v)) {
          ASSERT_LT(++rounds, 1000) << replicas << " " << surge << " " << unavailable;
          auto plan = plan_rollout(t, v);
          for (const auto& name : plan.stop)
            v.erase(std::find_if(v.begin(), v.end(), [&](const auto& i) { return i.name == name; }));
          int ready =
              static_cast<int>(std::count_if(v.begin(), v.end(), [](const auto& i) { return i.ready; }));
          EXPECT_GE(ready, min_ready) << "after stops, " << replicas << "/" << surge << "/" << unavailable;
          for (int i = 0; i < plan.start; ++i) v.push_back({"new" + std::to_string(seq), 2, false, ++seq});
          EXPECT_LE(static_cast<int>(v.size()), max_total);
          std::vector<PlannedInstance*> unready;
          for (auto& i : v)
            if (!i.ready) unready.push_back(&i);
          if (!unready.empty()) unready[rng() % unready.size()]->ready = true;
        }
      }
    }
  }
}

TEST(RolloutPlan, ScaleUpDuringRolloutRespectsSurge) {
  std::vector<PlannedInstance> v = {{"a", 1, true, 1}, {"b", 1, true, 2}};
  auto plan = plan_rollout(target(2, 4, 1, 0), v);
  EXPECT_EQ(plan.start, 3);  // 4 + 1 surge - 2 existing
  EXPECT_TRUE(plan.stop.empty());
}

}  // namespace
}  // namespace wharf::local
