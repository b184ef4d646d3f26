// The config centre in the SQLite store: drafts, publishing (numbering under concurrency), versions,
// search, large values, cascades.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "store_test_support.h"

namespace wharf::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

ConfigItem item(std::string key, std::string value, bool secret = false) {
  ConfigItem i;
  i.key = std::move(key);
  i.value = std::move(value);
  i.secret = secret;
  return i;
}

class ConfigStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    project("shop");
    environment("shop", "test");
    environment("shop", "prod");
    app("shop", "web");
    app("shop", "api");
  }

  ConfigDraft draft(std::vector<ConfigItem> items, int64_t resource_version = 0,
                    const ConfigKey& key = {"shop", "web", "test"}) {
    ConfigDraft d;
    d.project = key.project;
    d.app = key.app;
    d.environment = key.environment;
    d.items = std::move(items);
    d.updated_by = "alice";
    d.resource_version = resource_version;
    return d;
  }

  const ConfigKey web_test{"shop", "web", "test"};
};

TEST_F(ConfigStoreTest, AnUnsavedDraftIsEmptyButItsParentsMustExist) {
  auto d = store_->get_config_draft(web_test);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_TRUE(d->items.empty());
  EXPECT_EQ(d->resource_version, 0);
  EXPECT_EQ(d->base_version, 0);
  auto missing = store_->get_config_draft({"shop", "nope", "test"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(missing.error().message, HasSubstr("app \"nope\""));
  EXPECT_EQ(store_->get_config_draft({"shop", "web", "qa"}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->latest_config_version(web_test).value(), 0);
}

TEST_F(ConfigStoreTest, SaveReadBackAndStaleWrites) {
  ConfigItem port = item("PORT", "8080");
  port.type = ConfigType::kInt;
  port.comment = "http port";
  port.validation.min = 1;
  port.validation.max = 65535;
  ConfigItem re = item("MODE", "fast");
  re.validation.regex = "fast|slow";
  auto saved = store_->save_config_draft(draft({re, port, item("PW", "wsb1:sealed", true)}));
  ASSERT_TRUE(saved) << saved.error().message;
  EXPECT_GT(saved->resource_version, 0);
  auto back = store_->get_config_draft(web_test);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->items.size(), 3u);
  EXPECT_EQ(back->items[0], re);
  EXPECT_EQ(back->items[1], port);
  EXPECT_TRUE(back->items[2].secret);
  EXPECT_EQ(back->updated_by, "alice");
  EXPECT_EQ(back->resource_version, saved->resource_version);

  auto stale = store_->save_config_draft(draft({item("A", "1")}, saved->resource_version - 1));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_EQ(stale.error().field, "resourceVersion");
  auto unsorted = store_->save_config_draft(draft({item("B", "1"), item("A", "1")}));
  ASSERT_FALSE(unsorted);
  EXPECT_EQ(unsorted.error().field, "items[1].key");
  auto fresh = store_->save_config_draft(draft({item("A", "1")}, saved->resource_version));
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_EQ(store_->get_config_draft(web_test)->items.size(), 1u);
}

TEST_F(ConfigStoreTest, PublishSnapshotsTheDraftAndRebasesIt) {
  auto empty = store_->publish_config(web_test, 0, "nothing", "alice");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalid);

  auto saved = store_->save_config_draft(draft({item("A", "1"), item("B", "2")}));
  ASSERT_TRUE(saved);
  auto v1 = store_->publish_config(web_test, saved->resource_version, "first", "alice");
  ASSERT_TRUE(v1) << v1.error().message;
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->item_count, 2);
  EXPECT_EQ(v1->size_bytes, 4);
  auto d = store_->get_config_draft(web_test);
  EXPECT_EQ(d->base_version, 1);
  EXPECT_EQ(d->items.size(), 2u);
  EXPECT_GT(d->resource_version, saved->resource_version);

  // A publish of what the caller validated only: a draft changed since is refused.
  auto stale = store_->publish_config(web_test, saved->resource_version, "again", "bob");
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);

  ConfigDraft next = *d;
  next.items = {item("A", "10")};
  ASSERT_TRUE(store_->save_config_draft(next));
  auto v2 = store_->publish_config(web_test, 0, "second", "bob");
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->version, 2);

  auto got1 = store_->get_config_version(web_test, 1);
  ASSERT_TRUE(got1);
  EXPECT_EQ(got1->message, "first");
  EXPECT_EQ(got1->created_by, "alice");
  ASSERT_EQ(got1->items.size(), 2u);
  EXPECT_EQ(got1->items[0].value, "1");
  EXPECT_EQ(store_->get_config_version(web_test, 2)->items[0].value, "10");
  EXPECT_EQ(store_->get_config_version(web_test, 3).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->latest_config_version(web_test).value(), 2);

  auto page = store_->list_config_versions(web_test, {1, ""});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].version, 2);
  EXPECT_TRUE(page->items[0].items.empty());
  page = store_->list_config_versions(web_test, {1, page->continue_token});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->items[0].version, 1);
  EXPECT_TRUE(page->continue_token.empty());
  // Other app x environments are numbered on their own.
  ASSERT_TRUE(store_->save_config_draft(draft({item("X", "1")}, 0, {"shop", "web", "prod"})));
  EXPECT_EQ(store_->publish_config({"shop", "web", "prod"}, 0, "", "alice")->version, 1);
}

TEST_F(ConfigStoreTest, ConcurrentPublishesGetConsecutiveNumbers) {
  ASSERT_TRUE(store_->save_config_draft(draft({item("A", "1")})));
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<int64_t> numbers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto v = store_->publish_config(web_test, 0, "p", "alice");
        if (!v) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mu);
        numbers.insert(v->version);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_EQ(numbers.size(), 40u);
  EXPECT_EQ(*numbers.begin(), 1);
  EXPECT_EQ(*numbers.rbegin(), 40);
}

TEST_F(ConfigStoreTest, LargeValuesSurviveIntact) {
  std::string big(1536 * 1024, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + (i * 7919) % 26);
  ConfigItem file = item("big.txt", big);
  file.type = ConfigType::kText;
  ASSERT_TRUE(store_->save_config_draft(draft({file})));
  ASSERT_TRUE(store_->publish_config(web_test, 0, "big", "alice"));
  reopen();
  auto v = store_->get_config_version(web_test, 1);
  ASSERT_TRUE(v);
  ASSERT_EQ(v->items.size(), 1u);
  EXPECT_EQ(v->items[0].value.size(), big.size());
  EXPECT_TRUE(v->items[0].value == big);
  EXPECT_EQ(v->size_bytes, static_cast<int64_t>(big.size() + 7));
}

TEST_F(ConfigStoreTest, SearchFindsKeysCommentsAndNonSecretValues) {
  ConfigItem url = item("DATABASE_URL", "postgres://db.internal/shop");
  url.comment = "Primary database";
  ASSERT_TRUE(store_->save_config_draft(draft({url, item("DB_PASSWORD", "wsb1:database-secret", true)})));
  ASSERT_TRUE(store_->save_config_draft(
      draft({item("CACHE", "redis://cache"), item("OTHER", "x")}, 0, {"shop", "api", "prod"})));

  auto hits = store_->search_config("shop", "DATABASE", {100, ""});
  ASSERT_TRUE(hits) << hits.error().message;
  ASSERT_EQ(hits->items.size(), 1u);  // the secret's value is never searched
  EXPECT_EQ(hits->items[0].key, "DATABASE_URL");
  EXPECT_THAT(hits->items[0].matched, ElementsAre("key", "comment"));

  hits = store_->search_config("shop", "db", {100, ""});
  ASSERT_EQ(hits->items.size(), 2u);
  EXPECT_EQ(hits->items[1].key, "DB_PASSWORD");
  EXPECT_TRUE(hits->items[1].value.empty());
  EXPECT_THAT(hits->items[0].matched, ElementsAre("value"));

  hits = store_->search_config("shop", "://", {1, ""});
  ASSERT_EQ(hits->items.size(), 1u);
  EXPECT_EQ(hits->items[0].app, "api");
  ASSERT_FALSE(hits->continue_token.empty());
  hits = store_->search_config("shop", "://", {1, hits->continue_token});
  ASSERT_EQ(hits->items.size(), 1u);
  EXPECT_EQ(hits->items[0].app, "web");
  EXPECT_EQ(store_->search_config("nope", "x", {}).error().code, ErrorCode::kNotFound);
}

TEST_F(ConfigStoreTest, DeletingTheAppOrEnvironmentDeletesItsConfig) {
  ASSERT_TRUE(store_->save_config_draft(draft({item("A", "1")})));
  ASSERT_TRUE(store_->publish_config(web_test, 0, "", "alice"));
  ASSERT_TRUE(store_->save_config_draft(draft({item("B", "1")}, 0, {"shop", "api", "prod"})));
  ASSERT_TRUE(store_->delete_environment("shop", "test", 0));
  EXPECT_EQ(count_rows("config_drafts"), 1);
  EXPECT_EQ(count_rows("config_draft_items"), 1);
  EXPECT_EQ(count_rows("config_versions"), 0);
  EXPECT_EQ(count_rows("config_version_items"), 0);
  ASSERT_TRUE(store_->delete_app("shop", "api", 0));
  EXPECT_EQ(count_rows("config_draft_items"), 0);
}

TEST_F(ConfigStoreTest, LiveVersionFollowsReleasesAndHotPublishes) {
  auto publish = [&](std::string value, bool hot) {
    EXPECT_TRUE(store_->save_config_draft(draft({item("MODE", std::move(value))})));
    auto v = store_->publish_config(web_test, 0, "", "alice", hot);
    EXPECT_TRUE(v) << v.error().message;
    return v ? v->version : 0;
  };
  auto live = [&] {
    auto v = store_->live_config_version(web_test);
    EXPECT_TRUE(v) << v.error().message;
    return v ? *v : -1;
  };
  auto deploy = [&](std::optional<int64_t> config) {
    Release r = release_for("shop", "web", "test");
    r.config_version = config;
    auto stored = store_->create_release(r);
    EXPECT_TRUE(stored) << stored.error().message;
    return *stored;
  };

  EXPECT_EQ(live(), 0);
  EXPECT_EQ(store_->live_config_version({"shop", "ghost", "test"}).error().code, ErrorCode::kNotFound);
  // Never deployed: the latest published version is live, hot or not.
  EXPECT_EQ(publish("a", false), 1);
  EXPECT_EQ(live(), 1);
  // A release without config (deployed before any was published) leaves the latest published live.
  deploy(std::nullopt);
  EXPECT_EQ(publish("b", false), 2);
  EXPECT_EQ(live(), 2);
  // A release pins its version: a plain publish waits for the next release, a hot one is live at once.
  deploy(2);
  EXPECT_EQ(publish("c", false), 3);
  EXPECT_EQ(live(), 2);
  EXPECT_EQ(publish("d", true), 4);
  EXPECT_EQ(live(), 4);
  // A later release wins over the hot version: a rollback takes clients back.
  deploy(1);
  EXPECT_EQ(live(), 1);
  // A release in progress is live; when it fails, the release that reverts it is.
  Release bad = deploy(3);
  EXPECT_EQ(live(), 3);
  bad.status = ReleaseStatus::kFailed;
  Release revert = release_for("shop", "web", "test");
  revert.kind = ReleaseKind::kRollback;
  revert.config_version = 1;
  ASSERT_TRUE(store_->fail_and_revert(bad, revert));
  EXPECT_EQ(live(), 1);
  // Other environments are not affected.
  auto prod = store_->live_config_version({"shop", "web", "prod"});
  ASSERT_TRUE(prod);
  EXPECT_EQ(*prod, 0);
}

TEST_F(ConfigStoreTest, AccessKeysAreKeptPerAppAndEnvironment) {
  ConfigAccessKey k{"shop", "web", "test", 0, "wsb1:sealed", "alice", ""};
  auto a = store_->create_config_access_key(k);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_GT(a->id, 0);
  EXPECT_FALSE(a->created_at.empty());
  auto b = store_->create_config_access_key(k);
  ASSERT_TRUE(b);
  EXPECT_NE(a->id, b->id);
  auto keys = store_->list_config_access_keys(web_test);
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].secret, "wsb1:sealed");
  EXPECT_TRUE(store_->list_config_access_keys({"shop", "web", "prod"})->empty());
  EXPECT_EQ(store_->list_config_access_keys({"shop", "ghost", "prod"}).error().code, ErrorCode::kNotFound);
  // Deleting names the app and environment it belongs to.
  EXPECT_EQ(store_->delete_config_access_key({"shop", "web", "prod"}, a->id).error().code,
            ErrorCode::kNotFound);
  ASSERT_TRUE(store_->delete_config_access_key(web_test, a->id));
  EXPECT_EQ(store_->list_config_access_keys(web_test)->size(), 1u);
  ConfigAccessKey ghost = k;
  ghost.app = "ghost";
  EXPECT_EQ(store_->create_config_access_key(ghost).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace wharf::testing
