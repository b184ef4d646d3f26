#include "runtime/local/instance_state.h"

#include <gtest/gtest.h>

namespace wharf::local {
namespace {

using namespace std::chrono_literals;
using Clock = InstanceState::Clock;

RestartPolicy quick() {
  RestartPolicy p;
  p.base = 1s;
  p.max = 4s;
  p.stable_after = 60s;
  p.crash_loop_after = 3;
  return p;
}

TEST(RestartBackoff, NoneFirstThenDoublingUpToMax) {
  auto p = quick();
  EXPECT_EQ(backoff_delay(1, p), 0ms);
  EXPECT_EQ(backoff_delay(2, p), 1s);
  EXPECT_EQ(backoff_delay(3, p), 2s);
  EXPECT_EQ(backoff_delay(4, p), 4s);
  EXPECT_EQ(backoff_delay(50, p), 4s);
  EXPECT_EQ(backoff_delay(2, RestartPolicy{}), 10s);
  EXPECT_EQ(backoff_delay(7, RestartPolicy{}), 300s);
}

TEST(InstanceState, StartsAndBecomesReadyWithoutProbe) {
  InstanceState s;
  EXPECT_EQ(to_string(s.phase), "creating");
  s = on_starting(s);
  EXPECT_EQ(to_string(s.phase), "starting");
  auto now = Clock::now();
  auto probed = on_started(s, now, true);
  EXPECT_EQ(to_string(probed.phase), "running");
  EXPECT_FALSE(probed.ready);
  EXPECT_TRUE(on_readiness(probed, true).ready);
  EXPECT_TRUE(on_started(s, now, false).ready);
  EXPECT_FALSE(on_readiness(s, true).ready) << "readiness counts only while running";
}

TEST(InstanceState, OomKillIsFailedWithReasonAndImmediateFirstRestart) {
  auto now = Clock::now();
  auto s = on_started(on_starting({}), now, false);
  s = on_exited(s, 137, true, now + 1s, quick());
  EXPECT_EQ(s.phase, Phase::kFailed);
  EXPECT_EQ(s.reason, "OOMKilled");
  EXPECT_FALSE(s.ready);
  EXPECT_TRUE(restart_due(s, now + 1s));
  s = on_restarting(s);
  EXPECT_EQ(s.phase, Phase::kStarting);
  EXPECT_EQ(s.restarts, 1);
  EXPECT_EQ(s.reason, "OOMKilled") << "the last termination stays visible";
}

TEST(InstanceState, ExitReasons) {
  auto now = Clock::now();
  auto running = on_started(on_starting({}), now, false);
  auto done = on_exited(running, 0, false, now, quick());
  EXPECT_EQ(done.phase, Phase::kExited);
  EXPECT_EQ(done.reason, "Completed");
  auto err = on_exited(running, 3, false, now, quick());
  EXPECT_EQ(err.phase, Phase::kFailed);
  EXPECT_EQ(err.reason, "Error");
  EXPECT_EQ(err.exit_code, 3);
  auto dead = on_exited(on_liveness_failed(running), 137, false, now, quick());
  EXPECT_EQ(dead.reason, "HealthCheckFailed");
  EXPECT_EQ(dead.phase, Phase::kFailed);
  auto unstartable = on_start_failed(on_starting({}), "exec: /bin/nope: not found", now, quick());
  EXPECT_EQ(unstartable.phase, Phase::kFailed);
  EXPECT_EQ(unstartable.reason, "Error");
  EXPECT_EQ(unstartable.message, "exec: /bin/nope: not found");
}

TEST(InstanceState, RepeatedCrashesBackOffIntoCrashLoop) {
  auto p = quick();
  auto now = Clock::now();
  InstanceState s = on_starting({});
  std::vector<std::chrono::milliseconds> waits;
  for (int i = 0; i < 4; ++i) {
    s = on_started(s, now, false);
    now += 100ms;
    s = on_exited(s, 1, false, now, p);
    waits.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(s.restart_at - now));
    EXPECT_FALSE(restart_due(s, now + waits.back() - 1ms) && waits.back() > 0ms);
    now = s.restart_at;
    EXPECT_TRUE(restart_due(s, now));
    if (i < 3) s = on_restarting(s);
  }
  EXPECT_EQ(waits, (std::vector<std::chrono::milliseconds>{0ms, 1s, 2s, 4s}));
  EXPECT_EQ(s.reason, "CrashLoopBackOff");
  EXPECT_NE(s.message.find("Error"), std::string::npos) << s.message;
}

TEST(InstanceState, StableRunResetsTheBackoff) {
  auto p = quick();
  auto now = Clock::now();
  InstanceState s = on_started(on_starting({}), now, false);
  s = on_exited(s, 1, false, now, p);
  s = on_started(on_restarting(s), now, false);
  s = on_exited(s, 1, false, now + 1s, p);
  EXPECT_EQ(s.consecutive_failures, 2);
  s = on_started(on_restarting(s), now, false);
  s = on_exited(s, 1, false, now + 61s, p);
  EXPECT_EQ(s.consecutive_failures, 1);
  EXPECT_TRUE(restart_due(s, now + 61s));
}

}  // namespace
}  // namespace wharf::local
