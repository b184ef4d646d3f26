// Opening, migrations, durability across a kill -9, concurrency, and a timing print of list_apps.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "store_test_support.h"

namespace wharf::testing {
namespace {

using ::testing::HasSubstr;

void exec_raw(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

TEST_F(StoreTest, MigrationsRunOnceAcrossReopen) {
  project("shop");
  auto version = *store_->current_version();
  for (int i = 0; i < 3; ++i) reopen();
  EXPECT_EQ(count_rows("schema_migrations"), SqliteStore::schema_version());
  EXPECT_EQ(count_rows("clusters"), 1);
  EXPECT_EQ(*store_->current_version(), version) << "opening is not a write";
  EXPECT_TRUE(store_->get_project("shop"));
  EXPECT_GT(project("blog").resource_version, version);
}

TEST_F(StoreTest, RefusesASchemaNewerThanTheBinary) {
  store_.reset();
  exec_raw(path_, "INSERT INTO schema_migrations (version, applied_at) VALUES (999, '2030-01-01T00:00:00Z')");
  auto opened = SqliteStore::open(path_);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(opened.error().message, HasSubstr("schema version 999"));
  EXPECT_THAT(opened.error().message, HasSubstr("newer wharf"));
  EXPECT_EQ(count_rows("schema_migrations"), SqliteStore::schema_version() + 1)
      << "the file is left as it was";
}

TEST(SqliteStoreOpen, UnopenablePathIsUnavailable) {
  TempDir dir;
  auto missing_dir = SqliteStore::open(dir.path() + "/no/such/dir/wharf.db");
  ASSERT_FALSE(missing_dir);
  EXPECT_EQ(missing_dir.error().code, ErrorCode::kUnavailable);
  auto a_directory = SqliteStore::open(dir.path());
  ASSERT_FALSE(a_directory);
  EXPECT_EQ(a_directory.error().code, ErrorCode::kUnavailable);
}

TEST(SqliteStoreOpen, NotADatabaseIsUnavailable) {
  TempDir dir;
  std::string path = dir.path() + "/junk.db";
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  for (int i = 0; i < 64; ++i) std::fputs("this is not an sqlite database, only text\n", f);
  std::fclose(f);
  auto opened = SqliteStore::open(path);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(opened.error().message, HasSubstr("not a database"));
}

// A returned write must survive the process dying without closing anything (the WAL is not checkpointed).
TEST(SqliteStoreDurability, CommittedWritesSurviveKill9) {
  TempDir dir;
  const std::string path = dir.path() + "/wharf.db";
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = SqliteStore::open(path);
    if (!store) _exit(2);
    for (int i = 0; i < 20; ++i) {
      if (!(*store)->create_project(Project{"p" + std::to_string(i), "", "", 0, "", ""})) _exit(3);
    }
    kill(getpid(), SIGKILL);
    _exit(4);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);

  auto store = SqliteStore::open(path);
  ASSERT_TRUE(store) << store.error().message;
  auto page = (*store)->list_projects({});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->items.size(), 20u);
}

TEST_F(StoreTest, ConcurrentWritersAndReaders) {
  project("shop");
  environment("shop", "dev");
  constexpr int kWriters = 4, kReaders = 4, kAppsPerWriter = 50;
  std::atomic<int> writers_left{kWriters};
  std::atomic<int> errors{0};
  std::atomic<long> reads{0};
  std::mutex mu;
  std::string first_error;
  std::vector<int64_t> versions;
  auto report = [&](const std::string& what) {
    errors++;
    std::lock_guard lock(mu);
    if (first_error.empty()) first_error = what;
  };

  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      std::vector<int64_t> mine;
      for (int i = 0; i < kAppsPerWriter; ++i) {
        App a;
        a.project = "shop";
        a.spec = sample_spec("w" + std::to_string(w) + "-" + std::to_string(i));
        auto created = store_->create_app(a);
        if (!created) {
          report(created.error().message);
          continue;
        }
        mine.push_back(created->resource_version);
        App change = *created;
        change.spec.replicas = 3;
        auto updated = store_->update_app(change);
        if (!updated) {
          report(updated.error().message);
          continue;
        }
        mine.push_back(updated->resource_version);
        auto rel = store_->create_release(release_for("shop", a.spec.name, "dev"));
        if (!rel)
          report(rel.error().message);
        else
          mine.push_back(rel->resource_version);
      }
      std::lock_guard lock(mu);
      versions.insert(versions.end(), mine.begin(), mine.end());
      writers_left--;
    });
  }
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&] {
      int64_t last_version = 0;
      while (writers_left.load() > 0) {
        ListOptions options;
        options.limit = 37;
        std::set<std::string> names;
        std::string previous;
        do {
          auto page = store_->list_apps("shop", options);
          if (!page) {
            report(page.error().message);
            break;
          }
          for (const auto& a : page->items) {
            if (a.spec.name <= previous) report("out of order: " + a.spec.name + " after " + previous);
            previous = a.spec.name;
            names.insert(a.spec.name);
          }
          options.continue_token = page->continue_token;
          reads++;
        } while (!options.continue_token.empty());
        auto version = store_->current_version();
        if (!version)
          report(version.error().message);
        else if (*version < last_version)
          report("resource version went backwards");
        else
          last_version = *version;
        if (!store_->get_project("shop")) report("get_project failed");
        if (!store_->active_releases()) report("active_releases failed");
      }
    });
  }
  for (auto& t : threads) t.join();

  EXPECT_EQ(errors.load(), 0) << first_error;
  EXPECT_GT(reads.load(), 0);
  std::set<int64_t> unique(versions.begin(), versions.end());
  EXPECT_EQ(unique.size(), versions.size()) << "every write got its own resource version";
  EXPECT_EQ(versions.size(), static_cast<size_t>(kWriters * kAppsPerWriter * 3));

  ListOptions options;
  options.limit = 1000;
  auto all = store_->list_apps("shop", options);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->items.size(), static_cast<size_t>(kWriters * kAppsPerWriter));
  for (const auto& a : all->items) EXPECT_EQ(a.spec.replicas, 3);
  EXPECT_EQ(store_->active_releases()->size(), static_cast<size_t>(kWriters * kAppsPerWriter));
  EXPECT_EQ(*store_->current_version(), *std::max_element(versions.begin(), versions.end()));
}

}  // namespace
}  // namespace wharf::testing
