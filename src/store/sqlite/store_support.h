// Helpers shared by the translation units that implement SqliteStore: messages, optimistic concurrency,
// continue tokens, row collection, existence checks, JSON columns, and the write transaction. Private to
// store/sqlite.
#pragma once

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "store/audit_scope.h"
#include "store/sqlite/database.h"
#include "store/sqlite/sqlite_store.h"
#include "util/clock.h"
#include "util/crypto.h"

namespace wharf::sqlite::support {

inline std::string in_quotes(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

inline Error stale(const std::string& what, int64_t stored, int64_t sent) {
  return Error::conflict(what + " was changed by someone else (resourceVersion " + std::to_string(stored) +
                             ", you sent " + std::to_string(sent) + "); reload and retry",
                         "resourceVersion");
}

inline Status check_version(const std::string& what, int64_t stored, int64_t sent) {
  if (sent != 0 && sent != stored) return fail(stale(what, stored, sent));
  return {};
}

// After a failed INSERT: a PRIMARY KEY violation is the name being taken, anything else stays as it was.
inline Error taken_or(const Statement& st, Error error, std::string message) {
  if (st.last_code() == SQLITE_CONSTRAINT_PRIMARYKEY || st.last_code() == SQLITE_CONSTRAINT_UNIQUE) {
    return Error::conflict(std::move(message), "name");
  }
  return error;
}

inline int clamp_limit(int limit) {
  return std::clamp(limit, 1, 1000);
}

// Continue tokens: base64url of the last key of the page, tagged with the kind of key so that a token
// from another list is refused instead of silently misread.
inline std::string name_token(std::string_view name) {
  return base64url_encode("n:" + std::string(name));
}
inline std::string revision_token(int64_t revision) {
  return base64url_encode("r:" + std::to_string(revision));
}

inline Error bad_token() {
  return Error::invalid("continue",
                        "the continue token is malformed; pass the \"continue\" value of the previous page "
                        "unchanged, or omit it to start from the beginning");
}

// The name after which the page starts ("" for the first page).
inline Result<std::string> after_name(const std::string& token) {
  if (token.empty()) return std::string();
  std::string raw;
  if (!base64url_decode(token, raw) || raw.size() < 3 || raw.compare(0, 2, "n:") != 0)
    return fail(bad_token());
  return raw.substr(2);
}

// The revision below which the page starts (INT64_MAX for the first page).
inline Result<int64_t> before_revision(const std::string& token) {
  if (token.empty()) return INT64_MAX;
  std::string raw;
  if (!base64url_decode(token, raw) || raw.size() < 3 || raw.size() > 21 || raw.compare(0, 2, "r:") != 0) {
    return fail(bad_token());
  }
  int64_t v = 0;
  for (size_t i = 2; i < raw.size(); ++i) {
    if (raw[i] < '0' || raw[i] > '9') return fail(bad_token());
    v = v * 10 + (raw[i] - '0');
    if (v > 1'000'000'000'000'000LL) return fail(bad_token());
  }
  if (v <= 0) return fail(bad_token());
  return v;
}

// Steps through the rows of `st`, reading at most `limit` items; an extra row means there is another page.
template <class T, class Read, class Token>
Result<Page<T>> collect_page(Statement& st, int limit, Read read, Token token) {
  Page<T> page;
  page.items.reserve(static_cast<size_t>(std::min(limit, 128)));
  for (;;) {
    auto row = st.step();
    if (!row) return fail(std::move(row.error()));
    if (!*row) break;
    if (static_cast<int>(page.items.size()) == limit) {
      page.continue_token = token(page.items.back());
      break;
    }
    auto item = read(st);
    if (!item) return fail(std::move(item.error()));
    page.items.push_back(std::move(*item));
  }
  return page;
}

template <class T, class Read>
Result<std::vector<T>> collect_all(Statement& st, Read read) {
  std::vector<T> items;
  for (;;) {
    auto row = st.step();
    if (!row) return fail(std::move(row.error()));
    if (!*row) return items;
    auto item = read(st);
    if (!item) return fail(std::move(item.error()));
    items.push_back(std::move(*item));
  }
}

// The one row `st` selects, read by `read`; `not_found` with `missing` when there is none.
template <class T, class Read>
Result<T> one_row(Statement& st, Read read, const std::string& missing) {
  auto row = st.step();
  if (!row) return fail(std::move(row.error()));
  if (!*row) return fail(Error::not_found(missing));
  return read(st);
}

template <class... Args>
Result<bool> exists(Database& db, std::string_view sql, const Args&... args) {
  auto st = db.prepare(sql);
  if (!st) return fail(std::move(st.error()));
  st->bind_all(args...);
  return st->step();
}

inline Status need_project(Database& db, const std::string& project) {
  auto r = exists(db, "SELECT 1 FROM projects WHERE name = ?", project);
  if (!r) return fail(std::move(r.error()));
  if (!*r) return fail(Error::not_found("project " + in_quotes(project) + " does not exist"));
  return {};
}

inline std::string strings_to_json(const std::vector<std::string>& v) {
  return nlohmann::json(v).dump();
}

inline bool strings_from_json(std::string_view text, std::vector<std::string>& out) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return false;
  out.clear();
  out.reserve(j.size());
  for (const auto& e : j) {
    if (!e.is_string()) return false;
    out.push_back(e.get_ref<const std::string&>());
  }
  return true;
}

inline Result<int64_t> bump_version(Database& db) {
  auto st = db.prepare(
      "UPDATE meta SET resource_version = resource_version + 1 WHERE id = 1 "
      "RETURNING resource_version");
  if (!st) return fail(std::move(st.error()));
  auto row = st->step();
  if (!row) return fail(std::move(row.error()));
  if (!*row) return fail(Error::internal("the store's meta row is missing"));
  return st->int64(0);
}

inline Status insert_audit(Database& db, const AuditRecord& r, const std::string& now) {
  auto st = db.prepare(
      "INSERT INTO audit_log (at, actor, remote, action, method, target, project, result) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(now, r.actor, r.remote, r.action, r.method, r.target, r.project, r.result);
  return st->run();
}

}  // namespace wharf::sqlite::support

namespace wharf {

template <class Fn>
auto SqliteStore::write(Fn&& fn)
    -> decltype(fn(std::declval<sqlite::Database&>(), int64_t{}, std::string{})) {
  std::lock_guard lock(write_mu_);
  sqlite::Database& db = *writer_;
  auto tx = sqlite::Transaction::begin(db);
  if (!tx) return fail(std::move(tx.error()));
  // Bumped first so every row the transaction writes carries the new version; a failure rolls it back.
  auto version = sqlite::support::bump_version(db);
  if (!version) return fail(std::move(version.error()));
  const std::string now = now_rfc3339();
  auto result = fn(db, *version, now);
  if (!result) return result;
  // The API call this write serves is recorded in the same transaction (see AuditScope).
  AuditScope* audit = AuditScope::current();
  if (audit && !audit->written()) {
    if (auto s = sqlite::support::insert_audit(db, audit->record(), now); !s)
      return fail(std::move(s.error()));
  }
  if (auto s = tx->commit(); !s) return fail(std::move(s.error()));
  if (audit) audit->mark_written();
  committed_version_.store(*version, std::memory_order_release);
  return result;
}

template <class Fn>
auto SqliteStore::write_unversioned(Fn&& fn) -> decltype(fn(std::declval<sqlite::Database&>())) {
  std::lock_guard lock(write_mu_);
  sqlite::Database& db = *writer_;
  auto tx = sqlite::Transaction::begin(db);
  if (!tx) return fail(std::move(tx.error()));
  auto result = fn(db);
  if (!result) return result;
  if (auto s = tx->commit(); !s) return fail(std::move(s.error()));
  return result;
}

}  // namespace wharf
