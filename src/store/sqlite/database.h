// A small RAII layer over raw sqlite3: a connection with a prepared-statement cache, a statement handle
// with bind/step/column helpers, and a transaction guard. Nothing here throws; failures come back as
// Error values (store failures are `unavailable`, constraint violations `conflict`).
//
// Thread-safety: none. A Database and the Statements it hands out belong to one thread at a time; the
// store serialises access (one writer behind a mutex, readers leased from a pool).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "core/error.h"

namespace wharf::sqlite {

// The Error for a failed sqlite call: constraint violations are `conflict`, programming errors (bad SQL,
// misuse) `internal`, everything else (busy past the timeout, disk full, I/O, out of memory) `unavailable`.
// The message carries sqlite's own text.
Error error_from(int code, std::string_view sqlite_message);

class Database;

// A prepared statement on loan from a Database's cache. On destruction it is reset and its bindings
// cleared, so the next user finds it fresh. Move-only; must not outlive its Database.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based. A failed bind is remembered and reported by the next step()/run().
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, bool value) { return bind(index, static_cast<int64_t>(value ? 1 : 0)); }
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  // Text is bound without a copy (SQLITE_STATIC), so a temporary string would dangle.
  Statement& bind(int index, std::string&& value) = delete;
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::optional<int64_t>& value);
  Statement& bind_null(int index);

  // Binds the arguments to parameters 1, 2, ... in order.
  template <class... Args>
  Statement& bind_all(Args&&... args) {
    static_assert(
        ((!std::is_same_v<std::remove_cvref_t<Args>, std::string> || std::is_lvalue_reference_v<Args>)&&...),
        "bind a named string: text is bound without a copy");
    int index = 0;
    (bind(++index, args), ...);
    return *this;
  }

  // Advances: true when a row is available, false when done, an Error when sqlite failed.
  Result<bool> step();
  // Steps to completion, ignoring rows (INSERT/UPDATE/DELETE).
  Status run();

  // Column accessors for the current row; columns are 0-based.
  int64_t int64(int column) const { return sqlite3_column_int64(stmt_, column); }
  int integer(int column) const { return sqlite3_column_int(stmt_, column); }
  bool boolean(int column) const { return sqlite3_column_int(stmt_, column) != 0; }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::optional<int64_t> optional_int64(int column) const {
    if (is_null(column)) return std::nullopt;
    return int64(column);
  }
  // Valid until the next step() or the statement's destruction.
  std::string_view text_view(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string_view();
  }
  std::string text(int column) const { return std::string(text_view(column)); }

  // The extended result code of the last failed step (0 when none), to tell a PRIMARY KEY violation from
  // a FOREIGN KEY one.
  int last_code() const { return last_code_; }

 private:
  friend class Database;
  Statement(sqlite3_stmt* stmt, bool* busy, bool owned) : stmt_(stmt), busy_(busy), owned_(owned) {}
  void note_bind(int rc);

  sqlite3_stmt* stmt_;
  bool* busy_;  // the cache slot's in-use flag; null for an uncached statement
  bool owned_;  // finalize on destruction (uncached)
  int bind_error_ = SQLITE_OK;
  int last_code_ = 0;
};

// One sqlite3 connection (opened SQLITE_OPEN_NOMUTEX: callers serialise) and its statement cache.
class Database {
 public:
  enum class Role {
    kWriter,  // creates the file, switches it to WAL
    kReader,  // PRAGMA query_only: a bug that writes through a reader fails loudly
  };

  // Opens `path` and applies the connection settings every connection needs (see database.cpp).
  static Result<std::unique_ptr<Database>> open(const std::string& path, Role role);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements that return no rows of interest (DDL, PRAGMA, BEGIN).
  Status exec(const char* sql);

  // A cached prepared statement for `sql` (the cache keeps its own copy of the text, so `sql` may be built
  // at run time). If the cached statement is already on loan (a nested use), a fresh uncached one is
  // prepared instead.
  Result<Statement> prepare(std::string_view sql);

  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  sqlite3* handle() const { return db_; }
  // The Error for the connection's last failure.
  Error last_error() const;

 private:
  explicit Database(sqlite3* db) : db_(db) {}

  struct Slot {
    sqlite3_stmt* stmt = nullptr;
    bool busy = false;
  };
  sqlite3* db_;
  // Transparent hashing: lookups by string_view allocate nothing; only a first preparation copies the text.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, Slot, SqlHash, std::equal_to<>> cache_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back on destruction unless commit() succeeded. IMMEDIATE takes the
// write lock up front, so a write transaction never fails half way with SQLITE_BUSY on lock upgrade.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_), done_(other.done_) { other.done_ = true; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  Status commit();

 private:
  explicit Transaction(Database& db) : db_(&db) {}
  Database* db_;
  bool done_ = false;
};

}  // namespace wharf::sqlite
