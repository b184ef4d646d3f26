// The controller frame against a real SQLite store and a fake runtime (the one place a fake is right:
// the drivers are tested against real runc and a real kube-apiserver in their own suites).
#include "controller/release_controller.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "runtime/cluster_runtimes.h"
#include "store/sqlite/sqlite_store.h"
#include "util/secret_box.h"

namespace wharf {
namespace {

class FakeRuntime : public Runtime {
 public:
  std::string_view type() const override { return "fake"; }
  Status apply(const Workload& w) override {
    applied.push_back(w);
    if (apply_error) return tl::unexpected(*apply_error);
    return {};
  }
  Result<WorkloadStatus> observe(const Workload& w) override {
    WorkloadStatus s;
    s.desired = w.release.replicas;
    s.ready = std::min(ready, w.release.replicas);
    s.rollout = s.ready == s.desired ? ReleaseStatus::kSucceeded : ReleaseStatus::kProgressing;
    s.image_digest = "sha256:" + std::string(64, 'a');
    for (int i = 0; i < s.ready; ++i)
      s.instances.push_back(Instance{w.key.app + "-" + std::to_string(i), "running", true, 0,
                                     "10.0.0." + std::to_string(i), w.cluster, "node-1", "",
                                     w.release.revision, ""});
    return s;
  }
  Status remove(const ReleaseKey& key, const std::string&, const std::string&) override {
    removed.push_back(key);
    return {};
  }
  Result<std::vector<ReleaseKey>> list_workloads(const std::string&) override {
    std::vector<ReleaseKey> keys;
    for (const auto& w : applied)
      if (std::find(keys.begin(), keys.end(), w.key) == keys.end()) keys.push_back(w.key);
    for (const auto& k : removed) std::erase(keys, k);
    return keys;
  }
  Result<std::unique_ptr<LogStream>> logs(const ReleaseKey&, const std::string&, const std::string&,
                                          const LogQuery&) override {
    return tl::unexpected(Error::unavailable("the fake runtime has no logs"));
  }

  std::vector<Workload> applied;
  std::vector<ReleaseKey> removed;
  std::optional<Error> apply_error;
  int ready = 0;
};

class ReleaseControllerTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir() + "controller_test_" + std::to_string(::getpid()) + "_" +
           testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    reopen();
    ASSERT_TRUE(store_->create_project(Project{"shop", "", "", 0, "", ""}));
    Environment env;
    env.project = "shop";
    env.name = "prod";
    env.clusters = {"local"};
    env.ns = "shop-prod";
    ASSERT_TRUE(store_->create_environment(env));
    App app;
    app.project = "shop";
    app.spec.name = "web";
    app.spec.image = "127.0.0.1:5000/shop/web:1";
    app.spec.replicas = 3;
    ASSERT_TRUE(store_->create_app(app));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void reopen() {
    store_.reset();
    auto s = SqliteStore::open(dir_ + "/wharf.db");
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
  }

  Release deploy(const std::string& image, std::optional<int64_t> config_version = std::nullopt) {
    auto app = store_->get_app("shop", "web");
    auto history = store_->recent_releases(key_, 50);
    DeployRequest req;
    req.image = image;
    req.config_version = config_version;
    auto planned = plan_deploy(*app, "prod", *history, req, "alice");
    EXPECT_TRUE(planned) << planned.error().message;
    auto stored = store_->create_release(*planned);
    EXPECT_TRUE(stored) << stored.error().message;
    return *stored;
  }

  Release release(int64_t revision) { return *store_->get_release(key_, revision); }

  // Publishes `items` (secret values given in plaintext, sealed here as the API does) as the next version.
  int64_t publish(std::vector<ConfigItem> items) {
    for (auto& i : items)
      if (i.secret) i.value = box_.seal(i.value);
    auto draft = store_->get_config_draft(key_);
    EXPECT_TRUE(draft) << draft.error().message;
    draft->items = std::move(items);
    sort_config_items(draft->items);
    auto saved = store_->save_config_draft(*draft);
    EXPECT_TRUE(saved) << saved.error().message;
    auto published = store_->publish_config(key_, saved->resource_version, "test", "alice");
    EXPECT_TRUE(published) << published.error().message;
    return published->version;
  }

  std::string dir_;
  std::unique_ptr<SqliteStore> store_;
  ReleaseKey key_{"shop", "web", "prod"};
  EventBus bus_;
  SecretBox box_ = *SecretBox::from_key(std::string(32, 'k'));
  FakeRuntime runtime_;
  ClusterRuntimes runtimes_;
};

TEST_F(ReleaseControllerTest, WithoutADriverReleasesStayPendingAndSayWhy) {
  ReleaseController c(*store_, runtimes_, bus_, &box_);
  deploy("127.0.0.1:5000/shop/web:2");
  ASSERT_TRUE(c.reconcile_once(ReleaseController::Pass::kActive));
  auto r = release(1);
  EXPECT_EQ(r.status, ReleaseStatus::kPending);
  EXPECT_NE(r.reason.find("no runtime driver"), std::string::npos) << r.reason;
  EXPECT_TRUE(runtime_.applied.empty());
}

TEST_F(ReleaseControllerTest, ProgressesThenSucceedsAndWritesInstances) {
  runtimes_.set("local", &runtime_);
  ReleaseController c(*store_, runtimes_, bus_, &box_);
  auto sub = bus_.subscribe({"shop", {"release"}, nullptr});
  deploy("127.0.0.1:5000/shop/web:2");

  runtime_.ready = 1;
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kActive), 1);
  auto r = release(1);
  EXPECT_EQ(r.status, ReleaseStatus::kProgressing);
  ASSERT_EQ(r.clusters.size(), 1u);
  EXPECT_EQ(r.clusters[0].ready, 1);
  EXPECT_EQ(r.clusters[0].desired, 3);
  EXPECT_EQ(r.image_digest.substr(0, 7), "sha256:");
  EXPECT_EQ(store_->list_instances(key_)->size(), 1u);

  runtime_.ready = 3;
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kActive), 1);
  r = release(1);
  EXPECT_EQ(r.status, ReleaseStatus::kSucceeded);
  EXPECT_FALSE(r.finished_at.empty());
  EXPECT_EQ(store_->list_instances(key_)->size(), 3u);
  ASSERT_FALSE(runtime_.applied.empty());
  EXPECT_EQ(runtime_.applied.back().ns, "shop-prod");
  EXPECT_EQ(runtime_.applied.back().release.image, "127.0.0.1:5000/shop/web:2");

  std::vector<Event> events;
  sub->drain(events);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_NE(events[1].object_json.find("\"succeeded\""), std::string::npos);

  // A finished release is off the work list: another pass changes nothing.
  auto applies = runtime_.applied.size();
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kActive), 0);
  EXPECT_EQ(runtime_.applied.size(), applies);
}

TEST_F(ReleaseControllerTest, RepeatedPassesWithoutChangeWriteNothing) {
  runtimes_.set("local", &runtime_);
  ReleaseController c(*store_, runtimes_, bus_, &box_);
  deploy("127.0.0.1:5000/shop/web:2");
  runtime_.ready = 1;
  ASSERT_TRUE(c.reconcile_once(ReleaseController::Pass::kActive));
  auto version = *store_->current_version();
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kActive), 0);
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kActive), 0);
  EXPECT_EQ(*store_->current_version(), version);
  EXPECT_EQ(runtime_.applied.size(), 3u);  // apply is repeated (level-triggered) and idempotent
}

TEST_F(ReleaseControllerTest, InvalidDesiredStateFailsTheRelease) {
  runtimes_.set("local", &runtime_);
  runtime_.apply_error = Error::invalid("image", "manifest unknown: tag 2 does not exist");
  ReleaseController c(*store_, runtimes_, bus_, &box_);
  deploy("127.0.0.1:5000/shop/web:2");
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kActive), 1);
  auto r = release(1);
  EXPECT_EQ(r.status, ReleaseStatus::kFailed);
  EXPECT_NE(r.reason.find("manifest unknown"), std::string::npos) << r.reason;
}

TEST_F(ReleaseControllerTest, UnreachableClusterKeepsProgressing) {
  runtimes_.set("local", &runtime_);
  runtime_.apply_error = Error::unavailable("connection refused");
  ReleaseController c(*store_, runtimes_, bus_, &box_);
  deploy("127.0.0.1:5000/shop/web:2");
  ASSERT_TRUE(c.reconcile_once(ReleaseController::Pass::kActive));
  auto r = release(1);
  EXPECT_EQ(r.status, ReleaseStatus::kProgressing);
  EXPECT_NE(r.reason.find("connection refused"), std::string::npos);
}

TEST_F(ReleaseControllerTest, ProgressDeadlineFailsTheRelease) {
  runtimes_.set("local", &runtime_);
  ReleaseController c(*store_, runtimes_, bus_, &box_);
  deploy("127.0.0.1:5000/shop/web:2");
  runtime_.ready = 1;
  ASSERT_TRUE(c.reconcile_once(ReleaseController::Pass::kActive));
  EXPECT_EQ(release(1).status, ReleaseStatus::kProgressing);
  c.set_clock([] { return std::chrono::system_clock::now() + std::chrono::hours(1); });
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kActive), 1);
  auto r = release(1);
  EXPECT_EQ(r.status, ReleaseStatus::kFailed);
  EXPECT_EQ(r.reason.rfind("ProgressDeadlineExceeded", 0), 0u) << r.reason;
}

TEST_F(ReleaseControllerTest, AFailedDeployReturnsToThePreviousGoodRelease) {
  runtimes_.set("local", &runtime_);
  ReleaseController c(*store_, runtimes_, bus_, &box_);
  deploy("127.0.0.1:5000/shop/web:2");
  runtime_.ready = 3;
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kActive), 1);
  ASSERT_EQ(release(1).status, ReleaseStatus::kSucceeded);
  deploy("127.0.0.1:5000/shop/web:3");
  runtime_.apply_error = Error::invalid("image", "image 127.0.0.1:5000/shop/web:3 not found");
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kActive), 1);

  auto failed = release(2);
  EXPECT_EQ(failed.status, ReleaseStatus::kFailed);
  EXPECT_NE(failed.reason.find("not found"), std::string::npos) << failed.reason;
  auto back = release(3);  // written in the same transaction as the failure
  EXPECT_EQ(back.kind, ReleaseKind::kRollback);
  EXPECT_EQ(back.rollback_of, 1);
  EXPECT_EQ(back.image, "127.0.0.1:5000/shop/web:2");
  EXPECT_EQ(back.created_by, "wharf");
  EXPECT_NE(back.message.find("revision 2 failed"), std::string::npos) << back.message;

  runtime_.apply_error.reset();
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kActive), 1);
  EXPECT_EQ(release(3).status, ReleaseStatus::kSucceeded);
  EXPECT_EQ(runtime_.applied.back().release.image, "127.0.0.1:5000/shop/web:2");
}

TEST_F(ReleaseControllerTest, AFailedFirstDeployOrRollbackDoesNotReturn) {
  runtimes_.set("local", &runtime_);
  ReleaseController c(*store_, runtimes_, bus_, &box_);
  deploy("127.0.0.1:5000/shop/web:2");
  runtime_.apply_error = Error::invalid("image", "no such image");
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kActive), 1);
  EXPECT_EQ(release(1).status, ReleaseStatus::kFailed);
  EXPECT_EQ(store_->recent_releases(key_, 10)->size(), 1u);  // nothing to return to

  // A failing rollback must not bounce between releases.
  runtime_.apply_error.reset();
  deploy("127.0.0.1:5000/shop/web:3");
  runtime_.ready = 3;
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kActive), 1);
  deploy("127.0.0.1:5000/shop/web:4");
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kActive), 1);
  auto history = store_->recent_releases(key_, 10);
  auto planned = plan_rollback(*history, RollbackRequest{2, ""}, "alice");
  ASSERT_TRUE(planned) << planned.error().message;
  ASSERT_TRUE(store_->create_release(*planned));
  runtime_.apply_error = Error::invalid("image", "gone");
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kActive), 1);
  EXPECT_EQ(release(4).status, ReleaseStatus::kFailed);
  EXPECT_EQ(store_->recent_releases(key_, 10)->size(), 4u);
}

TEST_F(ReleaseControllerTest, ObservePassRefreshesFinishedReleasesWithoutApplying) {
  runtimes_.set("local", &runtime_);
  ReleaseController c(*store_, runtimes_, bus_, &box_);
  deploy("127.0.0.1:5000/shop/web:2");
  runtime_.ready = 3;
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kActive), 1);
  auto applies = runtime_.applied.size();
  runtime_.ready = 1;  // two instances died after the rollout
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kObserve), 0);
  EXPECT_EQ(runtime_.applied.size(), applies);
  auto r = release(1);
  EXPECT_EQ(r.status, ReleaseStatus::kSucceeded);
  ASSERT_EQ(r.clusters.size(), 1u);
  EXPECT_EQ(r.clusters[0].ready, 1);
  EXPECT_EQ(store_->list_instances(key_)->size(), 1u);
  auto version = r.resource_version;
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kObserve), 0);
  EXPECT_EQ(release(1).resource_version, version);  // unchanged: no write
}

TEST_F(ReleaseControllerTest, ResyncRemovesWorkloadsOfDeletedApps) {
  runtimes_.set("local", &runtime_);
  ReleaseController c(*store_, runtimes_, bus_, &box_);
  deploy("127.0.0.1:5000/shop/web:2");
  runtime_.ready = 3;
  ASSERT_TRUE(c.reconcile_once(ReleaseController::Pass::kResync));
  EXPECT_TRUE(runtime_.removed.empty());  // still wanted
  auto app = store_->get_app("shop", "web");
  ASSERT_TRUE(store_->delete_app("shop", "web", app->resource_version));
  ASSERT_TRUE(c.reconcile_once(ReleaseController::Pass::kActive));
  EXPECT_TRUE(runtime_.removed.empty());  // only resyncs remove
  ASSERT_TRUE(c.reconcile_once(ReleaseController::Pass::kResync));
  ASSERT_EQ(runtime_.removed.size(), 1u);
  EXPECT_EQ(runtime_.removed[0], key_);
}

TEST_F(ReleaseControllerTest, ANewControllerOnTheSameStoreConverges) {
  runtimes_.set("local", &runtime_);
  deploy("127.0.0.1:5000/shop/web:2");
  {
    ReleaseController c(*store_, runtimes_, bus_, &box_);
    runtime_.ready = 2;
    ASSERT_TRUE(c.reconcile_once(ReleaseController::Pass::kActive));
  }
  reopen();  // as after kill -9: only the store survives
  ReleaseController c2(*store_, runtimes_, bus_, &box_);
  runtime_.ready = 3;
  ASSERT_EQ(*c2.reconcile_once(ReleaseController::Pass::kActive), 1);
  EXPECT_EQ(release(1).status, ReleaseStatus::kSucceeded);
  EXPECT_EQ(store_->list_instances(key_)->size(), 3u);
}

TEST_F(ReleaseControllerTest, OnlyTheNewestReleaseIsWorkedOn) {
  runtimes_.set("local", &runtime_);
  ReleaseController c(*store_, runtimes_, bus_, &box_);
  deploy("127.0.0.1:5000/shop/web:2");
  deploy("127.0.0.1:5000/shop/web:3");
  runtime_.ready = 3;
  ASSERT_TRUE(c.reconcile_once(ReleaseController::Pass::kActive));
  EXPECT_EQ(release(1).status, ReleaseStatus::kFailed);  // superseded by the store
  EXPECT_EQ(release(2).status, ReleaseStatus::kSucceeded);
  for (const auto& w : runtime_.applied) EXPECT_EQ(w.release.revision, 2);
}

TEST_F(ReleaseControllerTest, ResyncReappliesFinishedReleases) {
  runtimes_.set("local", &runtime_);
  ReleaseController c(*store_, runtimes_, bus_, &box_);
  deploy("127.0.0.1:5000/shop/web:2");
  runtime_.ready = 3;
  ASSERT_TRUE(c.reconcile_once(ReleaseController::Pass::kActive));
  auto applies = runtime_.applied.size();
  runtime_.ready = 2;  // an instance died
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kResync), 0);
  EXPECT_EQ(runtime_.applied.size(), applies + 1);
  EXPECT_EQ(store_->list_instances(key_)->size(), 2u);
  EXPECT_EQ(release(1).status, ReleaseStatus::kSucceeded);  // history does not change
}

TEST_F(ReleaseControllerTest, WakeRunsAPassOnTheThread) {
  runtimes_.set("local", &runtime_);
  runtime_.ready = 3;
  ReleaseController c(*store_, runtimes_, bus_, &box_);
  c.start(std::chrono::hours(1), std::chrono::hours(1));
  auto sub = bus_.subscribe({"shop", {"release"}, nullptr});
  std::mutex mu;
  std::condition_variable cv;
  bool notified = false;
  sub->set_notify([&] {
    std::lock_guard lock(mu);
    notified = true;
    cv.notify_one();
  });
  deploy("127.0.0.1:5000/shop/web:2");
  c.wake();
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return notified; }));
  lock.unlock();
  c.stop();
  EXPECT_EQ(release(1).status, ReleaseStatus::kSucceeded);
}

}  // namespace
}  // namespace wharf

namespace wharf {
namespace {

TEST_F(ReleaseControllerTest, HandsTheDriverTheConfigVersionWithSecretsInPlaintextAndCachesIt) {
  runtimes_.set("local", &runtime_);
  ReleaseController c(*store_, runtimes_, bus_, &box_);
  ConfigItem file{"app.properties", "a=1\n", ConfigType::kProperties, "", {}, false};
  ConfigItem secret{"DB_PASSWORD", "hunter2", ConfigType::kString, "", {}, true};
  const int64_t v = publish({file, secret});
  deploy("127.0.0.1:5000/shop/web:2", v);

  runtime_.ready = 1;
  ASSERT_TRUE(c.reconcile_once(ReleaseController::Pass::kActive));
  ASSERT_FALSE(runtime_.applied.empty());
  auto config = runtime_.applied.back().config;
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->version, v);
  ASSERT_EQ(config->items.size(), 2u);
  EXPECT_EQ(config->items[0].key, "DB_PASSWORD");
  EXPECT_EQ(config->items[0].value, "hunter2");
  EXPECT_EQ(config->items[1].value, "a=1\n");

  // Passes reuse the loaded version instead of reading and unsealing it again.
  ASSERT_TRUE(c.reconcile_once(ReleaseController::Pass::kActive));
  EXPECT_EQ(runtime_.applied.back().config.get(), config.get());
}

TEST_F(ReleaseControllerTest, AReleaseWithoutConfigHandsTheDriverNone) {
  runtimes_.set("local", &runtime_);
  ReleaseController c(*store_, runtimes_, bus_, &box_);
  deploy("127.0.0.1:5000/shop/web:2");
  ASSERT_TRUE(c.reconcile_once(ReleaseController::Pass::kActive));
  ASSERT_FALSE(runtime_.applied.empty());
  EXPECT_EQ(runtime_.applied.back().config, nullptr);
}

TEST_F(ReleaseControllerTest, AMissingConfigVersionFailsTheReleaseOnce) {
  runtimes_.set("local", &runtime_);
  ReleaseController c(*store_, runtimes_, bus_, &box_);
  deploy("127.0.0.1:5000/shop/web:2", 7);
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kActive), 1);
  auto r = release(1);
  EXPECT_EQ(r.status, ReleaseStatus::kFailed);
  EXPECT_NE(r.reason.find("config version 7"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("does not exist"), std::string::npos) << r.reason;
  EXPECT_TRUE(runtime_.applied.empty());
  // Failed is final: later passes do not retry it.
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kActive), 0);
  EXPECT_EQ(release(1).status, ReleaseStatus::kFailed);
}

TEST_F(ReleaseControllerTest, ASecretThatCannotBeUnsealedFailsTheRelease) {
  runtimes_.set("local", &runtime_);
  const int64_t v = publish({ConfigItem{"TOKEN", "s3cret", ConfigType::kString, "", {}, true}});
  deploy("127.0.0.1:5000/shop/web:2", v);
  SecretBox other = *SecretBox::from_key(std::string(32, 'o'));
  ReleaseController c(*store_, runtimes_, bus_, &other);
  ASSERT_EQ(*c.reconcile_once(ReleaseController::Pass::kActive), 1);
  auto r = release(1);
  EXPECT_EQ(r.status, ReleaseStatus::kFailed);
  EXPECT_NE(r.reason.find("TOKEN"), std::string::npos) << r.reason;
  EXPECT_EQ(r.reason.find("s3cret"), std::string::npos) << r.reason;
  EXPECT_TRUE(runtime_.applied.empty());
}

}  // namespace
}  // namespace wharf
