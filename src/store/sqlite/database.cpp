#include "store/sqlite/database.h"

#include <string>
#include <utility>

namespace wharf::sqlite {

Error error_from(int code, std::string_view sqlite_message) {
  std::string message = "store database error: " + std::string(sqlite_message);
  switch (code & 0xff) {
    case SQLITE_CONSTRAINT:
      return Error::conflict(std::move(message));
    case SQLITE_ERROR:
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
    case SQLITE_SCHEMA:
      // Our SQL is fixed, so these mean a bug (or a schema someone edited by hand).
      return Error::internal(std::move(message));
    default:
      // BUSY/LOCKED past busy_timeout, FULL, IOERR, NOMEM, CORRUPT, CANTOPEN, READONLY...: the store is not
      // usable right now; the caller may retry later.
      return Error::unavailable(std::move(message));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Statement

Statement::Statement(Statement&& other) noexcept
    : stmt_(other.stmt_),
      busy_(other.busy_),
      owned_(other.owned_),
      bind_error_(other.bind_error_),
      last_code_(other.last_code_) {
  other.stmt_ = nullptr;
  other.busy_ = nullptr;
  other.owned_ = false;
}

Statement::~Statement() {
  if (!stmt_) return;
  if (owned_) {
    sqlite3_finalize(stmt_);
    return;
  }
  // Reset so the statement releases its read snapshot / locks now, not at its next use.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  if (busy_) *busy_ = false;
}

void Statement::note_bind(int rc) {
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

Statement& Statement::bind(int index, int64_t value) {
  note_bind(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  // SQLITE_STATIC: callers keep the bound strings alive until the statement is stepped and reset; all
  // call sites bind locals/arguments that outlive the Statement handle. Avoids one copy per bind.
  note_bind(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8));
  return *this;
}

Statement& Statement::bind(int index, const std::optional<int64_t>& value) {
  return value ? bind(index, *value) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
  note_bind(sqlite3_bind_null(stmt_, index));
  return *this;
}

Result<bool> Statement::step() {
  if (bind_error_ != SQLITE_OK) {
    last_code_ = bind_error_;
    return fail(error_from(bind_error_, sqlite3_errstr(bind_error_)));
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  last_code_ = rc;
  return fail(error_from(rc, sqlite3_errmsg(sqlite3_db_handle(stmt_))));
}

Status Statement::run() {
  for (;;) {
    auto r = step();
    if (!r) return fail(std::move(r.error()));
    if (!*r) return {};
  }
}

// ---------------------------------------------------------------------------------------------------------
// Database

Result<std::unique_ptr<Database>> Database::open(const std::string& path, Role role) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (role == Role::kWriter) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    return fail(Error::unavailable("cannot open the store database " + path + ": " + msg));
  }
  std::unique_ptr<Database> db(new Database(raw));
  sqlite3_extended_result_codes(raw, 1);
  // Another process (a second `wharf server`, the sqlite3 shell) may hold the write lock briefly; wait
  // up to 5 s before reporting `unavailable`.
  sqlite3_busy_timeout(raw, 5000);

  // foreign_keys is per connection and off by default: the cascades of the schema depend on it.
  if (auto s = db->exec("PRAGMA foreign_keys = ON"); !s) return fail(std::move(s.error()));
  if (role == Role::kWriter) {
    // WAL: readers never block the writer nor the writer the readers, which is what lets GETs run
    // concurrently with writes. The mode is persistent in the file; the writer sets it before any reader
    // connects.
    auto st = db->prepare("PRAGMA journal_mode = WAL");
    if (!st) return fail(std::move(st.error()));
    auto row = st->step();
    if (!row) return fail(std::move(row.error()));
    if (!*row || st->text_view(0) != "wal") {
      return fail(Error::unavailable("cannot switch the store database " + path +
                                     " to WAL mode (journal_mode is " + st->text(0) +
                                     "); put the data directory on a local file system"));
    }
  }
  // synchronous=NORMAL in WAL mode: a commit is durable once it is in the WAL file (written with write(),
  // so in the OS page cache), which survives a crash or kill -9 of the process; only an OS crash or power
  // loss can lose the last transactions, and never corrupts the database. FULL would fsync on every
  // commit and cost an order of magnitude in write throughput.
  if (auto s = db->exec("PRAGMA synchronous = NORMAL"); !s) return fail(std::move(s.error()));
  if (role == Role::kReader) {
    if (auto s = db->exec("PRAGMA query_only = ON"); !s) return fail(std::move(s.error()));
  }
  return db;
}

Database::~Database() {
  for (auto& [sql, slot] : cache_) sqlite3_finalize(slot.stmt);
  sqlite3_close_v2(db_);
}

Status Database::exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return {};
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return fail(error_from(sqlite3_extended_errcode(db_), msg));
}

Result<Statement> Database::prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second.busy) {
    it->second.busy = true;
    return Statement(it->second.stmt, &it->second.busy, false);
  }
  sqlite3_stmt* stmt = nullptr;
  bool cache = it == cache_.end();
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              cache ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
  if (rc != SQLITE_OK) return fail(error_from(rc, sqlite3_errmsg(db_)));
  if (!cache) return Statement(stmt, nullptr, true);  // nested use of a statement already on loan
  auto [slot, inserted] = cache_.emplace(sql, Slot{stmt, true});
  (void)inserted;
  return Statement(stmt, &slot->second.busy, false);
}

Error Database::last_error() const {
  return error_from(sqlite3_extended_errcode(db_), sqlite3_errmsg(db_));
}

// ---------------------------------------------------------------------------------------------------------
// Transaction

Result<Transaction> Transaction::begin(Database& db) {
  auto st = db.prepare("BEGIN IMMEDIATE");
  if (!st) return fail(std::move(st.error()));
  if (auto s = st->run(); !s) return fail(std::move(s.error()));
  return Transaction(db);
}

Status Transaction::commit() {
  auto st = db_->prepare("COMMIT");
  if (!st) return fail(std::move(st.error()));
  if (auto s = st->run(); !s) return fail(std::move(s.error()));
  done_ = true;
  return {};
}

Transaction::~Transaction() {
  if (done_) return;
  // sqlite rolls back by itself after some errors (SQLITE_FULL, IOERR); only roll back what is still open.
  if (db_->in_transaction()) {
    if (auto st = db_->prepare("ROLLBACK")) (void)st->run();
  }
}

}  // namespace wharf::sqlite
