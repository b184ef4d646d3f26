#include "runtime/local/probe_tracker.h"

#include <gtest/gtest.h>

namespace wharf::local {
namespace {

using namespace std::chrono_literals;
using Clock = ProbeTracker::Clock;

Probe probe(int initial_delay, int period, int success, int failure) {
  Probe p;
  p.initial_delay_seconds = initial_delay;
  p.period_seconds = period;
  p.success_threshold = success;
  p.failure_threshold = failure;
  return p;
}

TEST(ProbeTracker, FirstCheckAfterInitialDelay) {
  auto t0 = Clock::now();
  ProbeTracker t(probe(5, 10, 1, 3), false, t0);
  EXPECT_FALSE(t.due(t0 + 4s));
  EXPECT_TRUE(t.due(t0 + 5s));
}

TEST(ProbeTracker, ReadinessNeedsSuccessThresholdAndRetriesEagerlyUntilFirstSuccess) {
  auto t0 = Clock::now();
  ProbeTracker t(probe(0, 10, 2, 3), false, t0);
  EXPECT_FALSE(t.record(false, t0));
  EXPECT_EQ(t.next_due(), t0 + ProbeTracker::kEager);
  EXPECT_FALSE(t.record(true, t0 + 100ms));
  EXPECT_FALSE(t.healthy());
  EXPECT_EQ(t.next_due(), t0 + 100ms + 10s) << "after a success the period applies";
  EXPECT_TRUE(t.record(true, t0 + 10s));
  EXPECT_TRUE(t.healthy());
}

TEST(ProbeTracker, LivenessFailsOnlyAfterThresholdAtThePeriod) {
  auto t0 = Clock::now();
  ProbeTracker t(probe(0, 2, 1, 3), true, t0);
  EXPECT_FALSE(t.record(false, t0));
  EXPECT_EQ(t.next_due(), t0 + 2s) << "no eager retries for liveness";
  EXPECT_FALSE(t.record(false, t0 + 2s));
  EXPECT_TRUE(t.record(true, t0 + 4s) == false && t.healthy());
  EXPECT_FALSE(t.record(false, t0 + 6s));
  EXPECT_FALSE(t.record(false, t0 + 8s));
  EXPECT_TRUE(t.record(false, t0 + 10s));
  EXPECT_FALSE(t.healthy());
}

}  // namespace
}  // namespace wharf::local
