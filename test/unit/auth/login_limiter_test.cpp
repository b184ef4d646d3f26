// Login rate limiting with an injected clock.
#include "auth/login_limiter.h"

#include <gtest/gtest.h>

namespace wharf {
namespace {

using std::chrono::seconds;

struct FakeClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};
  LoginLimiter::Clock fn() {
    return [this] { return now; };
  }
};

TEST(LoginLimiter, FiveFreeFailuresThenAWait) {
  FakeClock clock;
  LoginLimiter limiter({}, clock.fn());
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(limiter.retry_after("alice", "10.0.0.1"), seconds(0)) << i;
    limiter.record_failure("alice", "10.0.0.1");
  }
  EXPECT_EQ(limiter.retry_after("alice", "10.0.0.1"), seconds(30));
  // Per user: another address does not help.
  EXPECT_EQ(limiter.retry_after("alice", "10.0.0.2"), seconds(30));
  // Per address: another user from the same address waits too.
  EXPECT_EQ(limiter.retry_after("bob", "10.0.0.1"), seconds(30));
  EXPECT_EQ(limiter.retry_after("bob", "10.0.0.2"), seconds(0));
  clock.now += seconds(10);
  EXPECT_EQ(limiter.retry_after("alice", "10.0.0.1"), seconds(20));
  clock.now += seconds(20);
  EXPECT_EQ(limiter.retry_after("alice", "10.0.0.1"), seconds(0));
}

TEST(LoginLimiter, TheWaitDoublesUpToTheCap) {
  FakeClock clock;
  LoginLimiter limiter({}, clock.fn());
  for (int i = 0; i < 5; ++i) limiter.record_failure("alice", "a");
  std::vector<int64_t> waits;
  for (int i = 0; i < 8; ++i) {
    auto wait = limiter.retry_after("alice", "a");
    waits.push_back(wait.count());
    clock.now += wait;
    limiter.record_failure("alice", "a");
  }
  EXPECT_EQ(waits, (std::vector<int64_t>{30, 60, 120, 240, 480, 900, 900, 900}));
}

TEST(LoginLimiter, SuccessResetsTheUserButNotTheAddress) {
  FakeClock clock;
  LoginLimiter limiter({}, clock.fn());
  for (int i = 0; i < 5; ++i) limiter.record_failure("alice", "10.0.0.1");
  limiter.record_success("alice");
  EXPECT_EQ(limiter.retry_after("alice", "10.0.0.2"), seconds(0));
  EXPECT_EQ(limiter.retry_after("alice", "10.0.0.1"), seconds(30));
}

TEST(LoginLimiter, FailuresOlderThanTheWindowAreForgotten) {
  FakeClock clock;
  LoginLimiter limiter({}, clock.fn());
  for (int i = 0; i < 4; ++i) limiter.record_failure("alice", "a");
  clock.now += std::chrono::minutes(16);
  limiter.record_failure("alice", "a");  // counts as the first again
  EXPECT_EQ(limiter.retry_after("alice", "a"), seconds(0));
}

TEST(LoginLimiter, StateIsBounded) {
  FakeClock clock;
  LoginLimitPolicy policy;
  policy.max_keys = 10;
  LoginLimiter limiter(policy, clock.fn());
  for (int i = 0; i < 100; ++i) {
    clock.now += seconds(1);
    limiter.record_failure("user" + std::to_string(i), "addr");
  }
  // The address (touched last) is still tracked and throttled; old names were dropped.
  EXPECT_GT(limiter.retry_after("nobody", "addr"), seconds(0));
}

TEST(LoginLimiter, HostOfStripsThePort) {
  EXPECT_EQ(LoginLimiter::host_of("127.0.0.1:54321"), "127.0.0.1");
  EXPECT_EQ(LoginLimiter::host_of("::1:54321"), "::1");
  EXPECT_EQ(LoginLimiter::host_of("[::1]:54321"), "::1");
  EXPECT_EQ(LoginLimiter::host_of("localhost"), "localhost");
}

}  // namespace
}  // namespace wharf
