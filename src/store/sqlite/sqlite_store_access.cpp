// SqliteStore: users listing, custom roles, role bindings and the audit log (tenancy).
#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/store_support.h"

namespace wharf {
namespace {

using sqlite::Database;
using sqlite::Statement;
using namespace sqlite::support;

std::string role_what(std::string_view name) {
  return "role " + in_quotes(name);
}

Result<Role> read_role(const Statement& s) {
  Role r;
  r.name = s.text(0);
  r.description = s.text(1);
  if (!strings_from_json(s.text_view(2), r.permissions))
    return fail(Error::internal("the stored permissions of " + role_what(r.name) + " are unreadable"));
  r.resource_version = s.int64(3);
  return r;
}

constexpr const char* kBindingColumns =
    "id, project, subject_kind, subject, role, environments, created_by, created_at";

Result<RoleBinding> read_binding(const Statement& s) {
  RoleBinding b;
  b.id = s.int64(0);
  b.project = s.text(1);
  b.subject_kind = s.text_view(2) == "group" ? SubjectKind::kGroup : SubjectKind::kUser;
  b.subject = s.text(3);
  b.role = s.text(4);
  if (!strings_from_json(s.text_view(5), b.environments))
    return fail(
        Error::internal("the stored environments of binding " + std::to_string(b.id) + " are unreadable"));
  b.created_by = s.text(6);
  b.created_at = s.text(7);
  return b;
}

const char* kind_text(SubjectKind k) {
  return k == SubjectKind::kGroup ? "group" : "user";
}

// Continue tokens of the audit log: the id below which the next page starts.
std::string audit_token(int64_t id) {
  return base64url_encode("a:" + std::to_string(id));
}

Result<int64_t> before_audit_id(const std::string& token) {
  if (token.empty()) return INT64_MAX;
  std::string raw;
  if (!base64url_decode(token, raw) || raw.size() < 3 || raw.size() > 21 || raw.compare(0, 2, "a:") != 0)
    return fail(bad_token());
  int64_t v = 0;
  for (size_t i = 2; i < raw.size(); ++i) {
    if (raw[i] < '0' || raw[i] > '9') return fail(bad_token());
    v = v * 10 + (raw[i] - '0');
  }
  return v;
}

}  // namespace

Result<Page<User>> SqliteStore::list_users(const ListOptions& options) {
  auto after = after_name(options.continue_token);
  if (!after) return fail(std::move(after.error()));
  const int limit = clamp_limit(options.limit);
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  auto st = (*db)->prepare(
      "SELECT name, display_name, admin, created_at, source FROM users WHERE name > ? ORDER BY name LIMIT ?");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(*after, limit + 1);
  return collect_page<User>(
      *st, limit,
      [](const Statement& s) -> Result<User> {
        return User{s.text(0), s.text(1), s.boolean(2), s.text(3), s.text(4)};
      },
      [](const User& u) { return name_token(u.name); });
}

Result<User> SqliteStore::update_user(const User& user) {
  return write([&](Database& db, int64_t version, const std::string&) -> Result<User> {
    auto st = db.prepare(
        "UPDATE users SET display_name = ?, admin = ?, resource_version = ? WHERE name = ? "
        "RETURNING name, display_name, admin, created_at, source");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(user.display_name, user.admin, version, user.name);
    return one_row<User>(
        *st,
        [](const Statement& s) -> Result<User> {
          return User{s.text(0), s.text(1), s.boolean(2), s.text(3), s.text(4)};
        },
        "user " + in_quotes(user.name) + " does not exist");
  });
}

Status SqliteStore::delete_user(const std::string& name) {
  return write([&](Database& db, int64_t, const std::string&) -> Status {
    // Tokens and sessions go with the row (ON DELETE CASCADE); bindings name subjects, not rows.
    {
      auto del = db.prepare("DELETE FROM users WHERE name = ? RETURNING name");
      if (!del) return fail(std::move(del.error()));
      del->bind_all(name);
      auto row = del->step();
      if (!row) return fail(std::move(row.error()));
      if (!*row) return fail(Error::not_found("user " + in_quotes(name) + " does not exist"));
    }
    auto unbind = db.prepare("DELETE FROM role_bindings WHERE subject_kind = 'user' AND subject = ?");
    if (!unbind) return fail(std::move(unbind.error()));
    unbind->bind_all(name);
    return unbind->run();
  });
}

// ---------------------------------------------------------------------------------------------------------
// Roles

Result<Role> SqliteStore::create_role(const Role& role) {
  return write([&](Database& db, int64_t version, const std::string& now) -> Result<Role> {
    auto st = db.prepare(
        "INSERT INTO roles (name, description, permissions, resource_version, created_at) "
        "VALUES (?, ?, ?, ?, ?)");
    if (!st) return fail(std::move(st.error()));
    const std::string permissions = strings_to_json(role.permissions);
    st->bind_all(role.name, role.description, permissions, version, now);
    if (auto s = st->run(); !s)
      return fail(taken_or(*st, std::move(s.error()), role_what(role.name) + " already exists"));
    Role out = role;
    out.resource_version = version;
    return out;
  });
}

Result<Role> SqliteStore::get_role(const std::string& name) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  auto st =
      (*db)->prepare("SELECT name, description, permissions, resource_version FROM roles WHERE name = ?");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(name);
  return one_row<Role>(*st, read_role, role_what(name) + " does not exist");
}

Result<std::vector<Role>> SqliteStore::list_roles() {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  auto st =
      (*db)->prepare("SELECT name, description, permissions, resource_version FROM roles ORDER BY name");
  if (!st) return fail(std::move(st.error()));
  return collect_all<Role>(*st, read_role);
}

Result<Role> SqliteStore::update_role(const Role& role) {
  return write([&](Database& db, int64_t version, const std::string&) -> Result<Role> {
    auto st = db.prepare("SELECT resource_version FROM roles WHERE name = ?");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(role.name);
    auto row = st->step();
    if (!row) return fail(std::move(row.error()));
    if (!*row) return fail(Error::not_found(role_what(role.name) + " does not exist"));
    if (auto s = check_version(role_what(role.name), st->int64(0), role.resource_version); !s)
      return fail(std::move(s.error()));
    auto up =
        db.prepare("UPDATE roles SET description = ?, permissions = ?, resource_version = ? WHERE name = ?");
    if (!up) return fail(std::move(up.error()));
    const std::string permissions = strings_to_json(role.permissions);
    up->bind_all(role.description, permissions, version, role.name);
    if (auto s = up->run(); !s) return fail(std::move(s.error()));
    Role out = role;
    out.resource_version = version;
    return out;
  });
}

Status SqliteStore::delete_role(const std::string& name, int64_t resource_version) {
  return write([&](Database& db, int64_t, const std::string&) -> Status {
    auto st = db.prepare("SELECT resource_version FROM roles WHERE name = ?");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(name);
    auto row = st->step();
    if (!row) return fail(std::move(row.error()));
    if (!*row) return fail(Error::not_found(role_what(name) + " does not exist"));
    if (auto s = check_version(role_what(name), st->int64(0), resource_version); !s) return s;
    auto used =
        db.prepare("SELECT DISTINCT project FROM role_bindings WHERE role = ? ORDER BY project LIMIT 5");
    if (!used) return fail(std::move(used.error()));
    used->bind_all(name);
    std::string projects;
    for (;;) {
      auto r = used->step();
      if (!r) return fail(std::move(r.error()));
      if (!*r) break;
      projects += (projects.empty() ? "" : ", ") + in_quotes(used->text_view(0));
    }
    if (!projects.empty())
      return fail(Error::conflict(role_what(name) + " is still granted in project(s) " + projects +
                                  "; remove those members' bindings first"));
    auto del = db.prepare("DELETE FROM roles WHERE name = ?");
    if (!del) return fail(std::move(del.error()));
    del->bind_all(name);
    return del->run();
  });
}

// ---------------------------------------------------------------------------------------------------------
// Role bindings

Result<RoleBinding> SqliteStore::create_binding(const RoleBinding& binding) {
  return write([&](Database& db, int64_t, const std::string& now) -> Result<RoleBinding> {
    if (auto s = need_project(db, binding.project); !s) return fail(std::move(s.error()));
    auto st = db.prepare(
        "INSERT INTO role_bindings (project, subject_kind, subject, role, environments, created_by, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!st) return fail(std::move(st.error()));
    const std::string kind = kind_text(binding.subject_kind);
    const std::string environments = strings_to_json(binding.environments);
    st->bind_all(binding.project, kind, binding.subject, binding.role, environments, binding.created_by, now);
    auto row = st->step();
    if (!row) {
      if (st->last_code() == SQLITE_CONSTRAINT_UNIQUE)
        return fail(Error::conflict(
            std::string(kind_text(binding.subject_kind)) + " " + in_quotes(binding.subject) +
                " already has role " + in_quotes(binding.role) + " in project " + in_quotes(binding.project) +
                "; delete that binding to change its environments",
            "role"));
      return fail(std::move(row.error()));
    }
    RoleBinding out = binding;
    out.id = st->int64(0);
    out.created_at = now;
    return out;
  });
}

Result<std::vector<RoleBinding>> SqliteStore::list_bindings(const std::string& project) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  if (auto s = need_project(**db, project); !s) return fail(std::move(s.error()));
  auto st = (*db)->prepare(std::string("SELECT ") + kBindingColumns +
                           " FROM role_bindings WHERE project = ? ORDER BY subject_kind, subject, role");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(project);
  return collect_all<RoleBinding>(*st, read_binding);
}

Status SqliteStore::delete_binding(const std::string& project, int64_t id) {
  return write([&](Database& db, int64_t, const std::string&) -> Status {
    auto del = db.prepare("DELETE FROM role_bindings WHERE project = ? AND id = ? RETURNING id");
    if (!del) return fail(std::move(del.error()));
    del->bind_all(project, id);
    auto row = del->step();
    if (!row) return fail(std::move(row.error()));
    if (!*row)
      return fail(Error::not_found("binding " + std::to_string(id) + " does not exist in project " +
                                   in_quotes(project)));
    return {};
  });
}

Result<RoleBinding> SqliteStore::update_binding(const std::string& project, int64_t id,
                                                const std::string& role,
                                                const std::vector<std::string>& environments) {
  return write([&](Database& db, int64_t, const std::string&) -> Result<RoleBinding> {
    auto st = db.prepare(
        "UPDATE role_bindings SET role = ?, environments = ? WHERE project = ? AND id = ? "
        "RETURNING " +
        std::string(kBindingColumns));
    if (!st) return fail(std::move(st.error()));
    const std::string environment_list = strings_to_json(environments);
    st->bind_all(role, environment_list, project, id);
    auto row = st->step();
    if (!row) {
      if (st->last_code() == SQLITE_CONSTRAINT_UNIQUE)
        return fail(Error::conflict("another binding of this subject has role " + in_quotes(role) +
                                        " in project " + in_quotes(project) + "; change or delete that one",
                                    "role"));
      return fail(std::move(row.error()));
    }
    if (!*row)
      return fail(Error::not_found("binding " + std::to_string(id) + " does not exist in project " +
                                   in_quotes(project)));
    return read_binding(*st);
  });
}

Result<std::vector<RoleBinding>> SqliteStore::group_bindings() {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  auto st = (*db)->prepare(std::string("SELECT ") + kBindingColumns +
                           " FROM role_bindings WHERE subject_kind = 'group' ORDER BY subject, project, id");
  if (!st) return fail(std::move(st.error()));
  return collect_all<RoleBinding>(*st, read_binding);
}

Result<std::vector<RoleBinding>> SqliteStore::bindings_of(const std::string& user,
                                                          const std::vector<std::string>& groups) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  // json_each turns the group list into rows, so one statement serves any number of groups.
  auto st = (*db)->prepare(std::string("SELECT ") + kBindingColumns +
                           " FROM role_bindings WHERE (subject_kind = 'user' AND subject = ?) OR "
                           "(subject_kind = 'group' AND subject IN (SELECT value FROM json_each(?))) "
                           "ORDER BY project, id");
  if (!st) return fail(std::move(st.error()));
  const std::string group_list = strings_to_json(groups);
  st->bind_all(user, group_list);
  return collect_all<RoleBinding>(*st, read_binding);
}

// ---------------------------------------------------------------------------------------------------------
// Audit log

Status SqliteStore::append_audit(const AuditRecord& record) {
  return write(
      [&](Database& db, int64_t, const std::string& now) -> Status { return insert_audit(db, record, now); });
}

Result<Page<AuditRecord>> SqliteStore::list_audit(const AuditQuery& query, const ListOptions& options) {
  auto before = before_audit_id(options.continue_token);
  if (!before) return fail(std::move(before.error()));
  if (!query.since.empty() && !parse_rfc3339(query.since))
    return fail(Error::invalid("since", "since must be an RFC 3339 time such as 2026-11-23T16:00:00Z"));
  if (!query.until.empty() && !parse_rfc3339(query.until))
    return fail(Error::invalid("until", "until must be an RFC 3339 time such as 2026-11-23T16:00:00Z"));
  const int limit = clamp_limit(options.limit);
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  // Times are stored as UTC RFC 3339 text of one fixed shape, so text order is time order.
  auto st = (*db)->prepare(
      "SELECT id, at, actor, remote, action, method, target, project, result FROM audit_log "
      "WHERE id < ? AND (? = '' OR project = ?) AND (? = '' OR actor = ?) AND (? = '' OR at >= ?) "
      "AND (? = '' OR at < ?) ORDER BY id DESC LIMIT ?");
  if (!st) return fail(std::move(st.error()));
  const auto since = query.since.empty() ? "" : to_rfc3339(*parse_rfc3339(query.since));
  const auto until = query.until.empty() ? "" : to_rfc3339(*parse_rfc3339(query.until));
  st->bind_all(*before, query.project, query.project, query.actor, query.actor, since, since, until, until,
               limit + 1);
  return collect_page<AuditRecord>(
      *st, limit,
      [](const Statement& s) -> Result<AuditRecord> {
        return AuditRecord{s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4),
                           s.text(5),  s.text(6), s.text(7), s.text(8)};
      },
      [](const AuditRecord& r) { return audit_token(r.id); });
}

}  // namespace wharf
