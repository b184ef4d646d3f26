// The RAII wrapper over sqlite3: statements, the statement cache, transactions and error mapping.
#include "store/sqlite/database.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "store_test_support.h"

namespace wharf::testing {
namespace {

using sqlite::Database;
using sqlite::Transaction;
using ::testing::HasSubstr;

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::open(dir_.path() + "/t.db", Database::Role::kWriter);
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    ASSERT_TRUE(db_->exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER, flag INTEGER)"));
  }

  int64_t count() {
    auto st = db_->prepare("SELECT COUNT(*) FROM t");
    EXPECT_TRUE(st);
    EXPECT_TRUE(*st->step());
    return st->int64(0);
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(DatabaseTest, BindStepAndColumns) {
  {
    auto st = db_->prepare("INSERT INTO t (k, v, flag) VALUES (?, ?, ?)");
    ASSERT_TRUE(st);
    const std::string key = "a";
    st->bind_all(key, std::optional<int64_t>{}, true);
    ASSERT_TRUE(st->run());
  }
  {
    auto st = db_->prepare("INSERT INTO t (k, v, flag) VALUES (?, ?, ?)");
    ASSERT_TRUE(st);
    st->bind_all("b", std::optional<int64_t>{42}, false);
    ASSERT_TRUE(st->run());
  }
  auto st = db_->prepare("SELECT k, v, flag FROM t ORDER BY k");
  ASSERT_TRUE(st);
  ASSERT_TRUE(*st->step());
  EXPECT_EQ(st->text(0), "a");
  EXPECT_TRUE(st->is_null(1));
  EXPECT_FALSE(st->optional_int64(1));
  EXPECT_TRUE(st->boolean(2));
  ASSERT_TRUE(*st->step());
  EXPECT_EQ(st->text_view(0), "b");
  EXPECT_EQ(st->optional_int64(1), 42);
  EXPECT_FALSE(st->boolean(2));
  EXPECT_FALSE(*st->step());
}

TEST_F(DatabaseTest, CachedStatementsAreResetAndNestedUseGetsAFreshOne) {
  const char* sql = "SELECT k FROM t WHERE k >= ? ORDER BY k";
  ASSERT_TRUE(db_->exec("INSERT INTO t VALUES ('a', 1, 0), ('b', 2, 0)"));
  {
    auto outer = db_->prepare(sql);
    ASSERT_TRUE(outer);
    outer->bind_all("a");
    ASSERT_TRUE(*outer->step());
    EXPECT_EQ(outer->text(0), "a");
    // Same SQL while the cached one is mid-iteration: an independent statement.
    auto inner = db_->prepare(sql);
    ASSERT_TRUE(inner);
    inner->bind_all("b");
    ASSERT_TRUE(*inner->step());
    EXPECT_EQ(inner->text(0), "b");
    ASSERT_TRUE(*outer->step());
    EXPECT_EQ(outer->text(0), "b");
  }
  // Back in the cache, reset, with its bindings cleared: k >= NULL matches nothing.
  auto again = db_->prepare(sql);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again->step());
}

TEST_F(DatabaseTest, TransactionRollsBackUnlessCommitted) {
  {
    auto tx = Transaction::begin(*db_);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db_->exec("INSERT INTO t VALUES ('a', 1, 0)"));
    EXPECT_TRUE(db_->in_transaction());
  }
  EXPECT_FALSE(db_->in_transaction());
  EXPECT_EQ(count(), 0);
  {
    auto tx = Transaction::begin(*db_);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db_->exec("INSERT INTO t VALUES ('a', 1, 0)"));
    ASSERT_TRUE(tx->commit());
  }
  EXPECT_EQ(count(), 1);
}

TEST_F(DatabaseTest, ErrorsMapToCodes) {
  ASSERT_TRUE(db_->exec("INSERT INTO t VALUES ('a', 1, 0)"));
  auto st = db_->prepare("INSERT INTO t (k) VALUES (?)");
  ASSERT_TRUE(st);
  st->bind_all("a");
  auto dup = st->run();
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  EXPECT_EQ(st->last_code(), SQLITE_CONSTRAINT_PRIMARYKEY);
  EXPECT_THAT(dup.error().message, HasSubstr("UNIQUE constraint failed"));

  auto bad = db_->prepare("SELEKT nothing");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInternal);

  EXPECT_EQ(sqlite::error_from(SQLITE_BUSY, "database is locked").code, ErrorCode::kUnavailable);
  EXPECT_EQ(sqlite::error_from(SQLITE_FULL, "database or disk is full").code, ErrorCode::kUnavailable);
  EXPECT_EQ(sqlite::error_from(SQLITE_IOERR_WRITE, "disk I/O error").code, ErrorCode::kUnavailable);
  EXPECT_THAT(sqlite::error_from(SQLITE_FULL, "database or disk is full").message, HasSubstr("disk is full"));
}

TEST_F(DatabaseTest, ReadersCannotWrite) {
  auto reader = Database::open(dir_.path() + "/t.db", Database::Role::kReader);
  ASSERT_TRUE(reader) << reader.error().message;
  auto w = (*reader)->exec("INSERT INTO t VALUES ('x', 1, 0)");
  ASSERT_FALSE(w);
  EXPECT_EQ(count(), 0);
}

TEST_F(DatabaseTest, WriterLockedByAnotherConnectionIsUnavailableAfterTheTimeout) {
  // A second process-like connection holds the write lock; our BEGIN IMMEDIATE waits busy_timeout (5 s)
  // and then reports `unavailable`. Shorten the wait for the test.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() + "/t.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_busy_timeout(db_->handle(), 50);
  auto tx = Transaction::begin(*db_);
  ASSERT_FALSE(tx);
  EXPECT_EQ(tx.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(tx.error().message, HasSubstr("locked"));
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_TRUE(Transaction::begin(*db_));
}

}  // namespace
}  // namespace wharf::testing
