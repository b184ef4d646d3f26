#include "events/event_bus.h"

#include <gtest/gtest.h>

#include <thread>

namespace wharf {
namespace {

Event ev(std::string kind, std::string project, int64_t rv) {
  return Event{"ADDED", std::move(kind), std::move(project), "n", rv, "{}"};
}

TEST(EventBus, FiltersByProjectAndKind) {
  EventBus bus;
  auto all = bus.subscribe({});
  auto shop_apps = bus.subscribe({"shop", {"app"}, nullptr});
  bus.publish(ev("app", "shop", 1));
  bus.publish(ev("release", "shop", 2));
  bus.publish(ev("app", "other", 3));
  std::vector<Event> a, b;
  EXPECT_TRUE(all->drain(a));
  EXPECT_TRUE(shop_apps->drain(b));
  EXPECT_EQ(a.size(), 3u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].resource_version, 1);
}

TEST(EventBus, AllowPredicateDropsWhatTheWatcherMayNotRead) {
  EventBus bus;
  auto sub = bus.subscribe({"", {}, [](const Event& e) { return e.project.empty() || e.project == "shop"; }});
  bus.publish(ev("app", "shop", 1));
  bus.publish(ev("app", "secret", 2));
  bus.publish(ev("cluster", "", 3));
  std::vector<Event> got;
  EXPECT_TRUE(sub->drain(got));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].resource_version, 1);
  EXPECT_EQ(got[1].resource_version, 3);
}

TEST(EventBus, EnvironmentOfReleaseAndInstanceEvents) {
  EXPECT_EQ(environment_of(Event{"ADDED", "release", "shop", "web/prod/3", 1, "{}"}), "prod");
  EXPECT_EQ(environment_of(Event{"MODIFIED", "instance", "shop", "web/dev/web-x1", 1, "{}"}), "dev");
  EXPECT_EQ(environment_of(Event{"ADDED", "app", "shop", "web", 1, "{}"}), "");
  EXPECT_EQ(environment_of(Event{"ADDED", "release", "shop", "broken", 1, "{}"}), "");
}

TEST(EventBus, ResumeReplaysWhatTheWatcherMissedOnceAndInOrder) {
  EventBus bus;
  auto first = bus.subscribe({"shop", {}, nullptr});
  bus.publish(ev("app", "shop", 1));
  bus.publish(ev("app", "other", 2));
  std::vector<Event> got;
  first->drain(got);
  ASSERT_EQ(got.size(), 1u);
  const uint64_t last = got[0].seq;
  bus.unsubscribe(first);  // the connection broke; meanwhile:
  bus.publish(ev("release", "shop", 3));
  bus.publish(ev("app", "other", 4));
  bus.publish(ev("instance", "shop", 5));
  auto again = bus.resume({"shop", {}, nullptr}, last);
  ASSERT_NE(again, nullptr);
  bus.publish(ev("app", "shop", 6));
  std::vector<Event> missed;
  EXPECT_TRUE(again->drain(missed));
  std::vector<int64_t> rvs;
  for (const auto& e : missed) rvs.push_back(e.resource_version);
  EXPECT_EQ(rvs, (std::vector<int64_t>{3, 5, 6}));
  EXPECT_LT(missed[0].seq, missed[1].seq);
  EXPECT_LT(missed[1].seq, missed[2].seq);
  // Resuming at the newest event replays nothing.
  auto current = bus.resume({}, missed.back().seq);
  ASSERT_NE(current, nullptr);
  std::vector<Event> none;
  current->drain(none);
  EXPECT_TRUE(none.empty());
}

TEST(EventBus, ResumeRefusesWhatItNoLongerRemembersOrNeverSaw) {
  EventBus bus(4096, 3);
  for (int i = 1; i <= 5; ++i) bus.publish(ev("app", "p", i));  // seqs 1..5; 3, 4, 5 remembered
  EXPECT_EQ(bus.resume({}, 1), nullptr);                        // 2 is forgotten
  auto ok = bus.resume({}, 2);
  ASSERT_NE(ok, nullptr);
  std::vector<Event> got;
  ok->drain(got);
  EXPECT_EQ(got.size(), 3u);
  EXPECT_EQ(bus.resume({}, 6), nullptr);  // a seq of another bus (a restarted server)
  EXPECT_NE(EventBus().epoch(), "");
}

TEST(EventBus, SlowSubscriberIsClosedNotBlocking) {
  EventBus bus(4);
  auto sub = bus.subscribe({});
  for (int i = 0; i < 10; ++i) bus.publish(ev("app", "p", i));
  std::vector<Event> out;
  EXPECT_FALSE(sub->drain(out));
  EXPECT_TRUE(out.empty());
}

TEST(EventBus, NotifyFiresOnPublishAndClose) {
  EventBus bus;
  auto sub = bus.subscribe({});
  int calls = 0;
  sub->set_notify([&] { ++calls; });
  bus.publish(ev("app", "p", 1));
  EXPECT_EQ(calls, 1);
  bus.close_all();
  EXPECT_EQ(calls, 2);
  std::vector<Event> out;
  EXPECT_FALSE(sub->drain(out));
  EXPECT_EQ(out.size(), 1u);  // what was queued before the close is still delivered
  EXPECT_EQ(bus.subscriber_count(), 0u);
}

TEST(EventBus, ConcurrentPublishersDeliverEverything) {
  EventBus bus(100000);
  auto sub = bus.subscribe({});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&bus, t] {
      for (int i = 0; i < 1000; ++i) bus.publish(ev("app", "p", t * 1000 + i));
    });
  for (auto& th : threads) th.join();
  std::vector<Event> out;
  EXPECT_TRUE(sub->drain(out));
  EXPECT_EQ(out.size(), 4000u);
  bus.unsubscribe(sub);
  EXPECT_EQ(bus.subscriber_count(), 0u);
}

}  // namespace
}  // namespace wharf
