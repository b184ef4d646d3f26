// SqliteStore: credentials (password hashes, user source), console sessions, listing and revoking tokens.
#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/store_support.h"

namespace wharf {
namespace {

using sqlite::Database;
using sqlite::Statement;
using namespace sqlite::support;

std::string user_what(std::string_view name) {
  return "user " + in_quotes(name);
}

constexpr const char* kSessionColumns =
    "id_hash, user, csrf_hash, created_at, expires_at, last_seen_at, remote";

Result<SessionRecord> read_session(const Statement& s) {
  return SessionRecord{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6)};
}

Result<ApiToken> read_token_row(const Statement& s) {
  return ApiToken{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5)};
}

// Steps `st` (a DELETE ... RETURNING) to the end and counts the rows.
Result<int> count_rows(Statement& st) {
  int n = 0;
  for (;;) {
    auto row = st.step();
    if (!row) return fail(std::move(row.error()));
    if (!*row) return n;
    ++n;
  }
}

}  // namespace

Result<Credentials> SqliteStore::get_credentials(const std::string& user) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  auto st = (*db)->prepare(
      "SELECT name, display_name, admin, source, password_hash, must_change_password FROM users WHERE name = "
      "?");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(user);
  return one_row<Credentials>(
      *st,
      [](const Statement& s) -> Result<Credentials> {
        return Credentials{s.text(0), s.text(1), s.boolean(2), s.text(3), s.text(4), s.boolean(5)};
      },
      user_what(user) + " does not exist");
}

Result<User> SqliteStore::create_local_user(const User& user, const std::string& password_hash,
                                            bool must_change_password) {
  return write([&](Database& db, int64_t version, const std::string& now) -> Result<User> {
    auto st = db.prepare(
        "INSERT INTO users (name, display_name, admin, resource_version, created_at, password_hash, source, "
        "must_change_password) VALUES (?, ?, ?, ?, ?, ?, 'local', ?)");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(user.name, user.display_name, user.admin, version, now, password_hash, must_change_password);
    if (auto s = st->run(); !s)
      return fail(
          taken_or(*st, std::move(s.error()), user_what(user.name) + " already exists; choose another name"));
    User out = user;
    out.created_at = now;
    return out;
  });
}

Status SqliteStore::set_password(const std::string& user, const std::string& password_hash,
                                 bool must_change_password) {
  return write([&](Database& db, int64_t version, const std::string&) -> Status {
    auto st = db.prepare(
        "UPDATE users SET password_hash = ?, source = 'local', must_change_password = ?, resource_version = "
        "? "
        "WHERE name = ? RETURNING name");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(password_hash, must_change_password, version, user);
    auto row = st->step();
    if (!row) return fail(std::move(row.error()));
    if (!*row) return fail(Error::not_found(user_what(user) + " does not exist"));
    return {};
  });
}

Result<User> SqliteStore::upsert_directory_user(const std::string& user, const std::string& display_name) {
  return write([&](Database& db, int64_t version, const std::string& now) -> Result<User> {
    auto st = db.prepare("SELECT display_name, admin, created_at, password_hash FROM users WHERE name = ?");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(user);
    auto row = st->step();
    if (!row) return fail(std::move(row.error()));
    if (!*row) {
      auto ins = db.prepare(
          "INSERT INTO users (name, display_name, admin, resource_version, created_at, password_hash, "
          "source, "
          "must_change_password) VALUES (?, ?, 0, ?, ?, '', 'ldap', 0)");
      if (!ins) return fail(std::move(ins.error()));
      ins->bind_all(user, display_name, version, now);
      if (auto s = ins->run(); !s) return fail(std::move(s.error()));
      return User{user, display_name, false, now};
    }
    if (!st->text_view(3).empty())
      return fail(Error::conflict(user_what(user) +
                                  " is a local user with a password; the directory's user of "
                                  "that name cannot log in until an administrator renames one"));
    User out{user, display_name.empty() ? st->text(0) : display_name, st->boolean(1), st->text(2)};
    auto up = db.prepare(
        "UPDATE users SET display_name = ?, source = 'ldap', must_change_password = 0, resource_version = ? "
        "WHERE name = ?");
    if (!up) return fail(std::move(up.error()));
    up->bind_all(out.display_name, version, user);
    if (auto s = up->run(); !s) return fail(std::move(s.error()));
    return out;
  });
}

Status SqliteStore::create_session(const SessionRecord& r) {
  return write_unversioned([&](Database& db) -> Status {
    auto st = db.prepare(std::string("INSERT INTO sessions (") + kSessionColumns +
                         ") VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(r.id_hash, r.user, r.csrf_hash, r.created_at, r.expires_at, r.last_seen_at, r.remote);
    return st->run();
  });
}

Result<SessionRecord> SqliteStore::find_session(const std::string& id_hash) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  auto st = (*db)->prepare(std::string("SELECT ") + kSessionColumns + " FROM sessions WHERE id_hash = ?");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(id_hash);
  return one_row<SessionRecord>(*st, read_session, "no such session");
}

Status SqliteStore::touch_session(const std::string& id_hash, const std::string& last_seen_at) {
  return write_unversioned([&](Database& db) -> Status {
    auto st = db.prepare("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(last_seen_at, id_hash);
    return st->run();
  });
}

Status SqliteStore::delete_session(const std::string& id_hash) {
  return write_unversioned([&](Database& db) -> Status {
    auto st = db.prepare("DELETE FROM sessions WHERE id_hash = ?");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(id_hash);
    return st->run();
  });
}

Result<int> SqliteStore::delete_sessions_of(const std::string& user, const std::string& keep_id_hash) {
  return write_unversioned([&](Database& db) -> Result<int> {
    auto st = db.prepare("DELETE FROM sessions WHERE user = ? AND id_hash != ? RETURNING 1");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(user, keep_id_hash);
    return count_rows(*st);
  });
}

Result<int> SqliteStore::purge_sessions(const std::string& now, const std::string& idle_before) {
  return write_unversioned([&](Database& db) -> Result<int> {
    // Times are UTC RFC 3339 of one fixed shape, so text order is time order.
    auto st = db.prepare("DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ? RETURNING 1");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(now, idle_before);
    return count_rows(*st);
  });
}

Result<std::vector<ApiToken>> SqliteStore::list_tokens(const std::string& user) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  auto found = exists(**db, "SELECT 1 FROM users WHERE name = ?", user);
  if (!found) return fail(std::move(found.error()));
  if (!*found) return fail(Error::not_found(user_what(user) + " does not exist"));
  auto st = (*db)->prepare(
      "SELECT id, user, name, hash, created_at, expires_at FROM api_tokens WHERE user = ? "
      "ORDER BY created_at, id");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(user);
  return collect_all<ApiToken>(*st, read_token_row);
}

Result<ApiToken> SqliteStore::delete_token(const std::string& user, const std::string& id) {
  return write([&](Database& db, int64_t, const std::string&) -> Result<ApiToken> {
    auto st = db.prepare(
        "DELETE FROM api_tokens WHERE user = ? AND id = ? RETURNING id, user, name, hash, created_at, "
        "expires_at");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(user, id);
    return one_row<ApiToken>(*st, read_token_row,
                             "user " + in_quotes(user) + " has no API token with id " + in_quotes(id));
  });
}

}  // namespace wharf
