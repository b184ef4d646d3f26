#include "core/qos.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

namespace wharf {
namespace {

using ::testing::HasSubstr;

TEST(QosTier, StringsRoundTrip) {
  for (QosTier t : {QosTier::kCritical, QosTier::kStandard, QosTier::kElastic, QosTier::kBatch}) {
    auto parsed = parse_qos_tier(to_string(t), "qos");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, t);
  }
  EXPECT_EQ(to_string(QosTier::kCritical), "critical");
  EXPECT_EQ(to_string(QosTier::kBatch), "batch");
}

TEST(QosTier, RejectsUnknownTiers) {
  for (const char* text : {"gold", "", "Critical", "BestEffort"}) {
    auto r = parse_qos_tier(text, "qos");
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
    EXPECT_EQ(r.error().field, "qos");
    EXPECT_THAT(r.error().message, HasSubstr("critical, standard, elastic or batch"));
  }
}

TEST(DefaultTierRatio, MatchesDesignTable) {
  ResourceLimits limits{1000, 1500};
  struct Case {
    QosTier tier;
    int64_t cpu, mem;
  } cases[] = {
      {QosTier::kCritical, 1000, 1500},
      {QosTier::kStandard, 500, 1000},
      {QosTier::kElastic, 200, 1000},
      {QosTier::kBatch, 100, 1000},
  };
  for (const auto& c : cases) {
    auto req = requests_for(limits, default_tier_ratio(c.tier));
    EXPECT_EQ(req.cpu_millis, c.cpu) << to_string(c.tier);
    EXPECT_EQ(req.memory_bytes, c.mem) << to_string(c.tier);
  }
}

TEST(RequestsFor, RoundsDownButNeverBelowOne) {
  auto batch = default_tier_ratio(QosTier::kBatch);
  auto req = requests_for({1, 1}, batch);
  EXPECT_EQ(req.cpu_millis, 1);
  EXPECT_EQ(req.memory_bytes, 1);
  req = requests_for({19, 512LL << 20}, batch);
  EXPECT_EQ(req.cpu_millis, 1);            // 1.9 -> 1
  EXPECT_EQ(req.memory_bytes, 357913941);  // 536870912 * 2 / 3 = 357913941.33
  req = requests_for({999, 100}, default_tier_ratio(QosTier::kStandard));
  EXPECT_EQ(req.cpu_millis, 499);
  EXPECT_EQ(req.memory_bytes, 66);
}

TEST(RequestsFor, UnsetLimitsGiveUnsetRequests) {
  auto req = requests_for({}, default_tier_ratio(QosTier::kStandard));
  EXPECT_FALSE(req.cpu_millis);
  EXPECT_FALSE(req.memory_bytes);
  req = requests_for({std::nullopt, 1024}, default_tier_ratio(QosTier::kStandard));
  EXPECT_FALSE(req.cpu_millis);
  EXPECT_EQ(req.memory_bytes, 682);
}

TEST(RequestsFor, NoOverflowNearInt64Max) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  auto req = requests_for({max, max}, default_tier_ratio(QosTier::kStandard));
  EXPECT_EQ(req.cpu_millis, max / 2);
  EXPECT_EQ(req.memory_bytes, static_cast<int64_t>(static_cast<__int128>(max) * 2 / 3));
}

TEST(RequestsFor, AdminRatiosNeverExceedTheLimit) {
  TierRatio odd{3, 2, 1, 0};  // above 1, and a zero denominator
  auto req = requests_for({1000, 1000}, odd);
  EXPECT_EQ(req.cpu_millis, 1000);
  EXPECT_EQ(req.memory_bytes, 1000);
  req = requests_for({1000, 1000}, TierRatio{0, 1, 0, 1});
  EXPECT_EQ(req.cpu_millis, 1);
  EXPECT_EQ(req.memory_bytes, 1);
}

TEST(KubernetesQosClass, FollowsGetPodQos) {
  EXPECT_EQ(kubernetes_qos_class({}, {}), "BestEffort");
  EXPECT_EQ(kubernetes_qos_class({0, 0}, {0, 0}), "BestEffort");
  EXPECT_EQ(kubernetes_qos_class({1000, 1024}, {1000, 1024}), "Guaranteed");
  // Requests left unset default to the limits (API server defaulting).
  EXPECT_EQ(kubernetes_qos_class({1000, 1024}, {}), "Guaranteed");
  EXPECT_EQ(kubernetes_qos_class({1000, 1024}, {500, 1024}), "Burstable");
  EXPECT_EQ(kubernetes_qos_class({1000, 1024}, {1000, 512}), "Burstable");
  // Only one of cpu/memory limited: never Guaranteed.
  EXPECT_EQ(kubernetes_qos_class({1000, std::nullopt}, {1000, std::nullopt}), "Burstable");
  EXPECT_EQ(kubernetes_qos_class({std::nullopt, 1024}, {}), "Burstable");
  // Requests without limits.
  EXPECT_EQ(kubernetes_qos_class({}, {100, std::nullopt}), "Burstable");
  // An explicit zero request is not defaulted and not counted.
  EXPECT_EQ(kubernetes_qos_class({1000, 1024}, {0, 1024}), "Burstable");
}

TEST(KubernetesQosClass, TiersGiveTheDesignedClass) {
  ResourceLimits limits{500, 512LL << 20};
  EXPECT_EQ(kubernetes_qos_class(limits, requests_for(limits, default_tier_ratio(QosTier::kCritical))),
            "Guaranteed");
  for (QosTier t : {QosTier::kStandard, QosTier::kElastic, QosTier::kBatch}) {
    EXPECT_EQ(kubernetes_qos_class(limits, requests_for(limits, default_tier_ratio(t))), "Burstable");
  }
  EXPECT_EQ(kubernetes_qos_class({}, requests_for({}, default_tier_ratio(QosTier::kCritical))), "BestEffort");
}

}  // namespace
}  // namespace wharf
