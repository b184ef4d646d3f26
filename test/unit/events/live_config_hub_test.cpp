// LiveConfigHub against a real SQLite store: a release or config event, or any read, that finds another
// live version wakes whoever waits; a dropped waiter is forgotten.
#include "events/live_config_hub.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "../store/store_test_support.h"

namespace wharf::testing {
namespace {

class LiveConfigHubTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    project("shop");
    environment("shop", "test");
    app("shop", "web");
  }

  int64_t publish(std::string value) {
    ConfigDraft d;
    d.project = "shop";
    d.app = "web";
    d.environment = "test";
    ConfigItem i;
    i.key = "MODE";
    i.value = std::move(value);
    d.items = {i};
    EXPECT_TRUE(store_->save_config_draft(d));
    auto v = store_->publish_config(key_, 0, "", "alice");
    EXPECT_TRUE(v) << v.error().message;
    return v ? v->version : 0;
  }

  // What the config API does after publishing.
  void announce(int64_t version) {
    bus_.publish(Event{"ADDED", "config", "shop", "web/test/" + std::to_string(version), 0, "{}"});
  }

  // Polls `done` for up to 5 s (the hub wakes waiters on its own thread).
  static bool eventually(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }

  const ConfigKey key_{"shop", "web", "test"};
  EventBus bus_;
};

TEST_F(LiveConfigHubTest, WakesWaitersWhenTheLiveVersionChanges) {
  LiveConfigHub hub(*store_, bus_);
  EXPECT_EQ(*hub.live(key_), 0);
  EXPECT_EQ(hub.live({"shop", "ghost", "test"}).error().code, ErrorCode::kNotFound);

  std::atomic<int64_t> woken{-1};
  auto waiter = hub.wait(key_, 0, [&](int64_t v) { woken = v; });
  ASSERT_TRUE(waiter);
  EXPECT_EQ(hub.waiting(), 1u);
  EXPECT_EQ(woken, -1);

  // An announced change makes the hub read the store again and wake the waiter (on the hub's thread).
  EXPECT_EQ(publish("a"), 1);
  announce(1);
  ASSERT_TRUE(eventually([&] { return woken == 1; }));
  EXPECT_EQ(hub.waiting(), 0u);

  // Any read that finds another version wakes the waiters too, before it returns.
  std::atomic<int64_t> second{-1};
  auto again = hub.wait(key_, 1, [&](int64_t v) { second = v; });
  ASSERT_TRUE(again);
  EXPECT_EQ(publish("b"), 2);
  EXPECT_EQ(*hub.live(key_), 2);
  EXPECT_EQ(second, 2);

  // A client that has another version than the live one is answered at once, on the caller's thread.
  int64_t at_once = -1;
  auto behind = hub.wait(key_, 0, [&](int64_t v) { at_once = v; });
  ASSERT_TRUE(behind);
  EXPECT_EQ(at_once, 2);
  EXPECT_EQ(hub.waiting(), 0u);
}

TEST_F(LiveConfigHubTest, DroppedWaitersAreNotWokenAndEventsOfOtherAppsChangeNothing) {
  LiveConfigHub hub(*store_, bus_);
  publish("a");
  ASSERT_EQ(*hub.live(key_), 1);
  std::atomic<int> calls{0};
  auto kept = hub.wait(key_, 1, [&](int64_t) { ++calls; });
  {
    auto dropped = hub.wait(key_, 1, [&](int64_t) { calls += 100; });
    ASSERT_TRUE(dropped);
    EXPECT_EQ(hub.waiting(), 2u);
  }
  EXPECT_EQ(hub.waiting(), 1u);
  bus_.publish(Event{"ADDED", "config", "shop", "api/test/1", 0, "{}"});
  bus_.publish(Event{"MODIFIED", "app", "shop", "web", 0, "{}"});
  publish("b");
  bus_.publish(Event{"ADDED", "release", "shop", "web/test/1", 0, "{}"});  // any release event re-reads
  ASSERT_TRUE(eventually([&] { return calls.load() != 0; }));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(*hub.live(key_), 2);
}

}  // namespace
}  // namespace wharf::testing
