#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "core/json_codec.h"
#include "store/sqlite/store_support.h"
#include "util/clock.h"
#include "util/crypto.h"

namespace wharf {
namespace {

using sqlite::Database;
using sqlite::Statement;
using sqlite::Transaction;
using json = nlohmann::json;
using namespace sqlite::support;

// ---------------------------------------------------------------------------------------------------------
// Schema. Migrations are append-only: never edit a released one, add the next number instead. Each runs
// once, in the transaction that records it in schema_migrations.

constexpr const char* kMigrations[] = {
    // 1: the initial schema and the built-in `local` cluster.
    R"sql(
CREATE TABLE meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  resource_version INTEGER NOT NULL
);
INSERT INTO meta (id, resource_version) VALUES (1, 1);

CREATE TABLE clusters (
  name TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  server TEXT NOT NULL,
  credentials TEXT NOT NULL,
  resource_version INTEGER NOT NULL,
  created_at TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO clusters (name, type, server, credentials, resource_version, created_at)
  VALUES ('local', 'local', '', '', 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

CREATE TABLE projects (
  name TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  description TEXT NOT NULL,
  resource_version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE environments (
  project TEXT NOT NULL REFERENCES projects (name) ON DELETE CASCADE,
  name TEXT NOT NULL,
  clusters TEXT NOT NULL,  -- JSON array of cluster names, in the user's order
  namespace TEXT NOT NULL,
  production INTEGER NOT NULL,
  resource_version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (project, name)
) WITHOUT ROWID;

CREATE TABLE apps (
  project TEXT NOT NULL REFERENCES projects (name) ON DELETE CASCADE,
  name TEXT NOT NULL,
  spec TEXT NOT NULL,  -- json_codec::spec_to_text
  resource_version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (project, name)
) WITHOUT ROWID;

CREATE TABLE releases (
  project TEXT NOT NULL,
  app TEXT NOT NULL,
  environment TEXT NOT NULL,
  revision INTEGER NOT NULL,
  image TEXT NOT NULL,
  image_digest TEXT NOT NULL,
  config_version INTEGER,
  replicas INTEGER NOT NULL,
  spec TEXT NOT NULL,
  kind TEXT NOT NULL,
  rollback_of INTEGER,
  status TEXT NOT NULL,
  message TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  clusters TEXT NOT NULL,  -- JSON array of per-cluster rollouts
  resource_version INTEGER NOT NULL,
  PRIMARY KEY (project, app, environment, revision),
  FOREIGN KEY (project, app) REFERENCES apps (project, name) ON DELETE CASCADE,
  FOREIGN KEY (project, environment) REFERENCES environments (project, name) ON DELETE CASCADE
) WITHOUT ROWID;
-- The cascade from environments looks releases up by (project, environment).
CREATE INDEX releases_by_environment ON releases (project, environment);
-- The controllers' work list: only unfinished releases are indexed, so it stays tiny.
CREATE INDEX releases_active ON releases (status) WHERE status IN ('pending', 'progressing');

CREATE TABLE instances (
  project TEXT NOT NULL,
  app TEXT NOT NULL,
  environment TEXT NOT NULL,
  cluster TEXT NOT NULL,
  name TEXT NOT NULL,
  state TEXT NOT NULL,
  ready INTEGER NOT NULL,
  restarts INTEGER NOT NULL,
  address TEXT NOT NULL,
  node TEXT NOT NULL,
  started_at TEXT NOT NULL,
  release INTEGER NOT NULL,
  reason TEXT NOT NULL,
  resource_version INTEGER NOT NULL,
  PRIMARY KEY (project, app, environment, cluster, name),
  FOREIGN KEY (project, app) REFERENCES apps (project, name) ON DELETE CASCADE,
  FOREIGN KEY (project, environment) REFERENCES environments (project, name) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX instances_by_environment ON instances (project, environment);

CREATE TABLE users (
  name TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  admin INTEGER NOT NULL,
  resource_version INTEGER NOT NULL,
  created_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  user TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
  name TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,  -- '' = never
  resource_version INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX api_tokens_by_user ON api_tokens (user);
)sql",
    // 2: tenancy: custom roles, role bindings, the audit log.
    R"sql(
CREATE TABLE roles (
  name TEXT PRIMARY KEY,
  description TEXT NOT NULL,
  permissions TEXT NOT NULL,  -- JSON array of permission names
  resource_version INTEGER NOT NULL,
  created_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE role_bindings (
  id INTEGER PRIMARY KEY,
  project TEXT NOT NULL REFERENCES projects (name) ON DELETE CASCADE,
  subject_kind TEXT NOT NULL,  -- 'user' or 'group'
  subject TEXT NOT NULL,
  role TEXT NOT NULL,
  environments TEXT NOT NULL,  -- JSON array; [] = the whole project
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (project, subject_kind, subject, role)
);
CREATE INDEX role_bindings_by_subject ON role_bindings (subject_kind, subject);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  remote TEXT NOT NULL,
  action TEXT NOT NULL,
  method TEXT NOT NULL,
  target TEXT NOT NULL,
  project TEXT NOT NULL,
  result TEXT NOT NULL
);
CREATE INDEX audit_log_by_project ON audit_log (project, id);
CREATE INDEX audit_log_by_actor ON audit_log (actor, id);
)sql",
    // 3: local passwords (argon2id), where a user comes from, forced password change; console sessions.
    R"sql(
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';  -- '' = no local password
ALTER TABLE users ADD COLUMN source TEXT NOT NULL DEFAULT 'local';    -- 'local' or 'ldap'
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;

CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,  -- SHA-256 of the cookie's secret
  user TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
  csrf_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  remote TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions (user);
)sql",
    // 4: the config centre: one draft (working copy) per app x environment and immutable numbered versions,
    // items as rows (values of several MiB, searchable). Secret values are stored sealed (SecretBox).
    R"sql(
CREATE TABLE config_drafts (
  project TEXT NOT NULL,
  app TEXT NOT NULL,
  environment TEXT NOT NULL,
  base_version INTEGER NOT NULL,  -- 0: nothing published yet
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  resource_version INTEGER NOT NULL,
  PRIMARY KEY (project, app, environment),
  FOREIGN KEY (project, app) REFERENCES apps (project, name) ON DELETE CASCADE,
  FOREIGN KEY (project, environment) REFERENCES environments (project, name) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX config_drafts_by_environment ON config_drafts (project, environment);

-- Rowid tables: values may be MiB large, which WITHOUT ROWID tables handle badly.
CREATE TABLE config_draft_items (
  id INTEGER PRIMARY KEY,
  project TEXT NOT NULL,
  app TEXT NOT NULL,
  environment TEXT NOT NULL,
  key TEXT NOT NULL,
  type TEXT NOT NULL,
  value TEXT NOT NULL,  -- sealed ("wsb1:...") when secret
  comment TEXT NOT NULL,
  validation TEXT NOT NULL,  -- JSON {"regex","min","max"}; '' = none
  secret INTEGER NOT NULL,
  UNIQUE (project, app, environment, key),
  FOREIGN KEY (project, app, environment) REFERENCES config_drafts (project, app, environment)
    ON DELETE CASCADE
);

CREATE TABLE config_versions (
  project TEXT NOT NULL,
  app TEXT NOT NULL,
  environment TEXT NOT NULL,
  version INTEGER NOT NULL,
  message TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  item_count INTEGER NOT NULL,
  size_bytes INTEGER NOT NULL,
  resource_version INTEGER NOT NULL,
  PRIMARY KEY (project, app, environment, version),
  FOREIGN KEY (project, app) REFERENCES apps (project, name) ON DELETE CASCADE,
  FOREIGN KEY (project, environment) REFERENCES environments (project, name) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX config_versions_by_environment ON config_versions (project, environment);

CREATE TABLE config_version_items (
  id INTEGER PRIMARY KEY,
  project TEXT NOT NULL,
  app TEXT NOT NULL,
  environment TEXT NOT NULL,
  version INTEGER NOT NULL,
  key TEXT NOT NULL,
  type TEXT NOT NULL,
  value TEXT NOT NULL,
  comment TEXT NOT NULL,
  validation TEXT NOT NULL,
  secret INTEGER NOT NULL,
  UNIQUE (project, app, environment, version, key),
  FOREIGN KEY (project, app, environment, version)
    REFERENCES config_versions (project, app, environment, version) ON DELETE CASCADE
);
)sql",
    // 5: live config. A version published "hot" records the newest release revision at that moment: it is
    // live until a later release. Access keys of the Apollo-compatible API, sealed like secret values.
    R"sql(
ALTER TABLE config_versions ADD COLUMN hot_after_revision INTEGER;
CREATE TABLE config_access_keys (
  id INTEGER PRIMARY KEY,
  project TEXT NOT NULL,
  app TEXT NOT NULL,
  environment TEXT NOT NULL,
  secret TEXT NOT NULL,  -- sealed ("wsb1:...")
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  FOREIGN KEY (project, app) REFERENCES apps (project, name) ON DELETE CASCADE,
  FOREIGN KEY (project, environment) REFERENCES environments (project, name) ON DELETE CASCADE
);
CREATE INDEX config_access_keys_by_app ON config_access_keys (project, app, environment);
CREATE INDEX config_access_keys_by_environment ON config_access_keys (project, environment);
)sql",
};

constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

Status migrate(Database& db, const std::string& path) {
  auto tx = Transaction::begin(db);
  if (!tx) return fail(std::move(tx.error()));
  if (auto s = db.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                       "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
      !s) {
    return s;
  }
  int64_t current = 0;
  {
    auto st = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (!st) return fail(std::move(st.error()));
    auto row = st->step();
    if (!row) return fail(std::move(row.error()));
    current = st->int64(0);
  }
  if (current > kSchemaVersion) {
    return fail(Error::unavailable("the store database " + path + " has schema version " +
                                   std::to_string(current) + " but this wharf binary knows versions up to " +
                                   std::to_string(kSchemaVersion) +
                                   "; run a newer wharf (or restore a backup made by this version)"));
  }
  for (int64_t v = current + 1; v <= kSchemaVersion; ++v) {
    if (auto s = db.exec(kMigrations[v - 1]); !s) {
      Error e = std::move(s.error());
      e.message = "store migration " + std::to_string(v) + " failed: " + e.message;
      return fail(std::move(e));
    }
    auto st = db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)");
    if (!st) return fail(std::move(st.error()));
    std::string now = now_rfc3339();
    st->bind_all(v, now);
    if (auto s = st->run(); !s) return s;
  }
  return tx->commit();
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers

std::string project_what(std::string_view name) {
  return "project " + in_quotes(name);
}
std::string environment_what(std::string_view project, std::string_view name) {
  return "environment " + in_quotes(name) + " of project " + in_quotes(project);
}
std::string app_what(std::string_view project, std::string_view name) {
  return "app " + in_quotes(name) + " of project " + in_quotes(project);
}
std::string release_what(const ReleaseKey& key, int64_t revision) {
  return "release " + std::to_string(revision) + " of app " + in_quotes(key.app) + " in environment " +
         in_quotes(key.environment) + " of project " + in_quotes(key.project);
}

Status need_app(Database& db, const std::string& project, const std::string& app) {
  auto r = exists(db, "SELECT 1 FROM apps WHERE project = ? AND name = ?", project, app);
  if (!r) return fail(std::move(r.error()));
  if (!*r)
    return fail(
        Error::not_found("app " + in_quotes(app) + " does not exist in project " + in_quotes(project)));
  return {};
}

Status need_environment(Database& db, const std::string& project, const std::string& env) {
  auto r = exists(db, "SELECT 1 FROM environments WHERE project = ? AND name = ?", project, env);
  if (!r) return fail(std::move(r.error()));
  if (!*r) {
    return fail(Error::not_found("environment " + in_quotes(env) + " does not exist in project " +
                                 in_quotes(project)));
  }
  return {};
}

Status need_clusters(Database& db, const std::vector<std::string>& clusters) {
  for (size_t i = 0; i < clusters.size(); ++i) {
    auto r = exists(db, "SELECT 1 FROM clusters WHERE name = ?", clusters[i]);
    if (!r) return fail(std::move(r.error()));
    if (!*r) {
      return fail(
          Error{ErrorCode::kNotFound,
                "cluster " + in_quotes(clusters[i]) + " does not exist; register it first or pick another",
                "clusters[" + std::to_string(i) + "]"});
    }
  }
  return {};
}

// An empty list page: was it empty because the parent itself is missing?
Status need_release_parents(Database& db, const ReleaseKey& key) {
  if (auto s = need_app(db, key.project, key.app); !s) return s;
  return need_environment(db, key.project, key.environment);
}

// ---------------------------------------------------------------------------------------------------------
// JSON columns (store-internal formats; AppSpec goes through json_codec).

std::string rollouts_to_json(const std::vector<ClusterRollout>& rollouts) {
  json a = json::array();
  for (const auto& r : rollouts) {
    a.push_back(json{{"cluster", r.cluster},
                     {"status", std::string(to_string(r.status))},
                     {"ready", r.ready},
                     {"desired", r.desired},
                     {"message", r.message}});
  }
  return a.dump();
}

bool rollouts_from_json(std::string_view text, std::vector<ClusterRollout>& out) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return false;
  out.clear();
  out.reserve(j.size());
  for (const auto& e : j) {
    if (!e.is_object()) return false;
    auto cluster = e.find("cluster");
    auto status = e.find("status");
    auto ready = e.find("ready");
    auto desired = e.find("desired");
    auto message = e.find("message");
    if (cluster == e.end() || !cluster->is_string() || status == e.end() || !status->is_string() ||
        ready == e.end() || !ready->is_number_integer() || desired == e.end() ||
        !desired->is_number_integer() || message == e.end() || !message->is_string()) {
      return false;
    }
    auto parsed = parse_release_status(status->get_ref<const std::string&>());
    if (!parsed) return false;
    ClusterRollout r;
    r.cluster = cluster->get_ref<const std::string&>();
    r.status = *parsed;
    r.ready = ready->get<int>();
    r.desired = desired->get<int>();
    r.message = message->get_ref<const std::string&>();
    out.push_back(std::move(r));
  }
  return true;
}

Error unreadable(const std::string& what, std::string_view column, std::string_view detail = {}) {
  std::string m = "the stored " + std::string(column) + " of " + what + " is unreadable";
  if (!detail.empty()) m += ": " + std::string(detail);
  return Error::internal(std::move(m));
}

// ---------------------------------------------------------------------------------------------------------
// Row readers. Each SELECT below lists its columns in the order its reader expects.

#define PROJECT_COLUMNS "name, display_name, description, resource_version, created_at, updated_at"

Result<Project> read_project(const Statement& st) {
  Project p;
  p.name = st.text(0);
  p.display_name = st.text(1);
  p.description = st.text(2);
  p.resource_version = st.int64(3);
  p.created_at = st.text(4);
  p.updated_at = st.text(5);
  return p;
}

#define ENVIRONMENT_COLUMNS \
  "project, name, clusters, namespace, production, resource_version, created_at, updated_at"

Result<Environment> read_environment(const Statement& st) {
  Environment e;
  e.project = st.text(0);
  e.name = st.text(1);
  if (!strings_from_json(st.text_view(2), e.clusters)) {
    return fail(unreadable(environment_what(e.project, e.name), "clusters"));
  }
  e.ns = st.text(3);
  e.policy.production = st.boolean(4);
  e.resource_version = st.int64(5);
  e.created_at = st.text(6);
  e.updated_at = st.text(7);
  return e;
}

#define CLUSTER_COLUMNS "name, type, server, resource_version, created_at"

Result<Cluster> read_cluster(const Statement& st) {
  Cluster c;
  c.name = st.text(0);
  c.type = st.text(1);
  c.server = st.text(2);
  c.resource_version = st.int64(3);
  c.created_at = st.text(4);
  return c;
}

#define APP_COLUMNS "project, name, spec, resource_version, created_at, updated_at"

Result<App> read_app(const Statement& st, sqlite::SpecCache& specs) {
  App a;
  a.project = st.text(0);
  auto spec = specs.decode(st.text_view(2));
  if (!spec) return fail(unreadable(app_what(a.project, st.text_view(1)), "spec", spec.error().message));
  a.spec = std::move(*spec);
  a.resource_version = st.int64(3);
  a.created_at = st.text(4);
  a.updated_at = st.text(5);
  return a;
}

#define RELEASE_COLUMNS                                                                              \
  "project, app, environment, revision, image, image_digest, config_version, replicas, spec, kind, " \
  "rollback_of, status, message, reason, created_by, created_at, finished_at, clusters, resource_version"

Result<Release> read_release(const Statement& st, sqlite::SpecCache& specs) {
  Release r;
  r.project = st.text(0);
  r.app = st.text(1);
  r.environment = st.text(2);
  r.revision = st.int64(3);
  const std::string what = release_what({r.project, r.app, r.environment}, r.revision);
  r.image = st.text(4);
  r.image_digest = st.text(5);
  r.config_version = st.optional_int64(6);
  r.replicas = st.integer(7);
  auto spec = specs.decode(st.text_view(8));
  if (!spec) return fail(unreadable(what, "spec", spec.error().message));
  r.spec = std::move(*spec);
  auto kind = parse_release_kind(st.text_view(9));
  if (!kind) return fail(unreadable(what, "kind", st.text_view(9)));
  r.kind = *kind;
  r.rollback_of = st.optional_int64(10);
  auto status = parse_release_status(st.text_view(11));
  if (!status) return fail(unreadable(what, "status", st.text_view(11)));
  r.status = *status;
  r.message = st.text(12);
  r.reason = st.text(13);
  r.created_by = st.text(14);
  r.created_at = st.text(15);
  r.finished_at = st.text(16);
  if (!rollouts_from_json(st.text_view(17), r.clusters)) return fail(unreadable(what, "clusters"));
  r.resource_version = st.int64(18);
  return r;
}

#define INSTANCE_COLUMNS "name, state, ready, restarts, address, cluster, node, started_at, release, reason"

Result<Instance> read_instance(const Statement& st) {
  Instance i;
  i.name = st.text(0);
  i.state = st.text(1);
  i.ready = st.boolean(2);
  i.restarts = st.integer(3);
  i.address = st.text(4);
  i.cluster = st.text(5);
  i.node = st.text(6);
  i.started_at = st.text(7);
  i.release = st.int64(8);
  i.reason = st.text(9);
  return i;
}

#define TOKEN_COLUMNS "id, user, name, hash, created_at, expires_at"

Result<ApiToken> read_token(const Statement& st) {
  ApiToken t;
  t.id = st.text(0);
  t.user = st.text(1);
  t.name = st.text(2);
  t.hash = st.text(3);
  t.created_at = st.text(4);
  t.expires_at = st.text(5);
  return t;
}

// Reads the single row a keyed SELECT returns, or `not_found` with `missing`.
Result<Release> select_release(Database& db, sqlite::SpecCache& specs, const ReleaseKey& key,
                               int64_t revision) {
  auto st = db.prepare("SELECT " RELEASE_COLUMNS
                       " FROM releases WHERE project = ? AND app = ? AND environment = ? AND revision = ?");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(key.project, key.app, key.environment, revision);
  return one_row<Release>(
      *st, [&](const Statement& row) { return read_release(row, specs); },
      release_what(key, revision) + " does not exist");
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// Lifecycle and connections

int SqliteStore::schema_version() {
  return kSchemaVersion;
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path) {
  auto writer = Database::open(path, Database::Role::kWriter);
  if (!writer) return fail(std::move(writer.error()));
  if (auto s = migrate(**writer, path); !s) return fail(std::move(s.error()));
  int64_t version = 0;
  {
    auto st = (*writer)->prepare("SELECT resource_version FROM meta WHERE id = 1");
    if (!st) return fail(std::move(st.error()));
    auto row = st->step();
    if (!row) return fail(std::move(row.error()));
    if (!*row) return fail(Error::internal("the store's meta row is missing"));
    version = st->int64(0);
  }
  auto store = std::unique_ptr<SqliteStore>(new SqliteStore(path, std::move(*writer)));
  store->committed_version_ = version;
  return store;
}

SqliteStore::~SqliteStore() {
  // Readers first: the writer, closing last, checkpoints the WAL into the main file.
  idle_readers_.clear();
  writer_.reset();
}

SqliteStore::ReaderLease::~ReaderLease() {
  if (!db_) return;
  // Keep a few idle connections (each holds a page cache and its prepared statements); close the rest.
  constexpr size_t kMaxIdle = 16;
  std::lock_guard lock(store_->pool_mu_);
  if (store_->idle_readers_.size() < kMaxIdle) store_->idle_readers_.push_back(std::move(db_));
}

Result<SqliteStore::ReaderLease> SqliteStore::reader() {
  {
    std::lock_guard lock(pool_mu_);
    if (!idle_readers_.empty()) {
      auto db = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReaderLease(this, std::move(db));
    }
  }
  // Opened outside the lock: opening reads the schema, and other readers need not wait for that.
  auto db = Database::open(path_, Database::Role::kReader);
  if (!db) return fail(std::move(db.error()));
  return ReaderLease(this, std::move(*db));
}

Result<int64_t> SqliteStore::current_version() {
  return committed_version_.load(std::memory_order_acquire);
}

// ---------------------------------------------------------------------------------------------------------
// Projects

Result<Project> SqliteStore::create_project(const Project& project) {
  return write([&](Database& db, int64_t version, const std::string& now) -> Result<Project> {
    auto st = db.prepare(
        "INSERT INTO projects (name, display_name, description, resource_version, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(project.name, project.display_name, project.description, version, now, now);
    if (auto s = st->run(); !s) {
      return fail(taken_or(*st, std::move(s.error()),
                           project_what(project.name) + " already exists; choose another name"));
    }
    Project out = project;
    out.resource_version = version;
    out.created_at = now;
    out.updated_at = now;
    return out;
  });
}

Result<Project> SqliteStore::get_project(const std::string& name) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  auto st = (*db)->prepare("SELECT " PROJECT_COLUMNS " FROM projects WHERE name = ?");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(name);
  return one_row<Project>(*st, read_project, project_what(name) + " does not exist");
}

Result<Page<Project>> SqliteStore::list_projects(const ListOptions& options) {
  auto after = after_name(options.continue_token);
  if (!after) return fail(std::move(after.error()));
  const int limit = clamp_limit(options.limit);
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  auto st = (*db)->prepare("SELECT " PROJECT_COLUMNS " FROM projects WHERE name > ? ORDER BY name LIMIT ?");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(*after, limit + 1);
  return collect_page<Project>(*st, limit, read_project, [](const Project& p) { return name_token(p.name); });
}

Result<Project> SqliteStore::update_project(const Project& project) {
  return write([&](Database& db, int64_t version, const std::string& now) -> Result<Project> {
    auto st = db.prepare("SELECT resource_version, created_at FROM projects WHERE name = ?");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(project.name);
    auto row = st->step();
    if (!row) return fail(std::move(row.error()));
    if (!*row) return fail(Error::not_found(project_what(project.name) + " does not exist"));
    if (auto s = check_version(project_what(project.name), st->int64(0), project.resource_version); !s) {
      return fail(std::move(s.error()));
    }
    Project out = project;
    out.created_at = st->text(1);
    out.resource_version = version;
    out.updated_at = now;

    auto up = db.prepare(
        "UPDATE projects SET display_name = ?, description = ?, resource_version = ?, updated_at = ? "
        "WHERE name = ?");
    if (!up) return fail(std::move(up.error()));
    up->bind_all(project.display_name, project.description, version, now, project.name);
    if (auto s = up->run(); !s) return fail(std::move(s.error()));
    return out;
  });
}

Status SqliteStore::delete_project(const std::string& name, int64_t resource_version) {
  return write([&](Database& db, int64_t, const std::string&) -> Status {
    auto st = db.prepare("SELECT resource_version FROM projects WHERE name = ?");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(name);
    auto row = st->step();
    if (!row) return fail(std::move(row.error()));
    if (!*row) return fail(Error::not_found(project_what(name) + " does not exist"));
    if (auto s = check_version(project_what(name), st->int64(0), resource_version); !s) return s;
    // ON DELETE CASCADE removes environments and apps, and through them releases and instances.
    auto del = db.prepare("DELETE FROM projects WHERE name = ?");
    if (!del) return fail(std::move(del.error()));
    del->bind_all(name);
    return del->run();
  });
}

// ---------------------------------------------------------------------------------------------------------
// Environments

Result<Environment> SqliteStore::create_environment(const Environment& env) {
  return write([&](Database& db, int64_t version, const std::string& now) -> Result<Environment> {
    if (auto s = need_project(db, env.project); !s) return fail(std::move(s.error()));
    if (auto s = need_clusters(db, env.clusters); !s) return fail(std::move(s.error()));
    auto st =
        db.prepare("INSERT INTO environments (" ENVIRONMENT_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return fail(std::move(st.error()));
    const std::string clusters = strings_to_json(env.clusters);
    st->bind_all(env.project, env.name, clusters, env.ns, env.policy.production, version, now, now);
    if (auto s = st->run(); !s) {
      return fail(taken_or(*st, std::move(s.error()),
                           "environment " + in_quotes(env.name) + " already exists in project " +
                               in_quotes(env.project) + "; choose another name"));
    }
    Environment out = env;
    out.resource_version = version;
    out.created_at = now;
    out.updated_at = now;
    return out;
  });
}

Result<Environment> SqliteStore::get_environment(const std::string& project, const std::string& name) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  auto st = (*db)->prepare("SELECT " ENVIRONMENT_COLUMNS " FROM environments WHERE project = ? AND name = ?");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(project, name);
  return one_row<Environment>(
      *st, read_environment,
      "environment " + in_quotes(name) + " does not exist in project " + in_quotes(project));
}

Result<Page<Environment>> SqliteStore::list_environments(const std::string& project,
                                                         const ListOptions& options) {
  auto after = after_name(options.continue_token);
  if (!after) return fail(std::move(after.error()));
  const int limit = clamp_limit(options.limit);
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  Result<Page<Environment>> page;
  {
    auto st = (*db)->prepare("SELECT " ENVIRONMENT_COLUMNS
                             " FROM environments WHERE project = ? AND name > ? ORDER BY name LIMIT ?");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(project, *after, limit + 1);
    page = collect_page<Environment>(*st, limit, read_environment,
                                     [](const Environment& e) { return name_token(e.name); });
  }
  if (page && page->items.empty()) {
    if (auto s = need_project(**db, project); !s) return fail(std::move(s.error()));
  }
  return page;
}

Result<Environment> SqliteStore::update_environment(const Environment& env) {
  return write([&](Database& db, int64_t version, const std::string& now) -> Result<Environment> {
    const std::string what = environment_what(env.project, env.name);
    auto st =
        db.prepare("SELECT resource_version, created_at FROM environments WHERE project = ? AND name = ?");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(env.project, env.name);
    auto row = st->step();
    if (!row) return fail(std::move(row.error()));
    if (!*row) {
      return fail(Error::not_found("environment " + in_quotes(env.name) + " does not exist in project " +
                                   in_quotes(env.project)));
    }
    if (auto s = check_version(what, st->int64(0), env.resource_version); !s)
      return fail(std::move(s.error()));
    Environment out = env;
    out.created_at = st->text(1);
    out.resource_version = version;
    out.updated_at = now;
    if (auto s = need_clusters(db, env.clusters); !s) return fail(std::move(s.error()));

    auto up = db.prepare(
        "UPDATE environments SET clusters = ?, namespace = ?, production = ?, resource_version = ?, "
        "updated_at = ? WHERE project = ? AND name = ?");
    if (!up) return fail(std::move(up.error()));
    const std::string clusters = strings_to_json(env.clusters);
    up->bind_all(clusters, env.ns, env.policy.production, version, now, env.project, env.name);
    if (auto s = up->run(); !s) return fail(std::move(s.error()));
    return out;
  });
}

Status SqliteStore::delete_environment(const std::string& project, const std::string& name,
                                       int64_t resource_version) {
  return write([&](Database& db, int64_t, const std::string&) -> Status {
    auto st = db.prepare("SELECT resource_version FROM environments WHERE project = ? AND name = ?");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(project, name);
    auto row = st->step();
    if (!row) return fail(std::move(row.error()));
    if (!*row) {
      return fail(Error::not_found("environment " + in_quotes(name) + " does not exist in project " +
                                   in_quotes(project)));
    }
    if (auto s = check_version(environment_what(project, name), st->int64(0), resource_version); !s) return s;
    // ON DELETE CASCADE removes the environment's releases and instances.
    auto del = db.prepare("DELETE FROM environments WHERE project = ? AND name = ?");
    if (!del) return fail(std::move(del.error()));
    del->bind_all(project, name);
    return del->run();
  });
}

// ---------------------------------------------------------------------------------------------------------
// Clusters

Result<Cluster> SqliteStore::create_cluster(const Cluster& cluster, const std::string& credentials) {
  return write([&](Database& db, int64_t version, const std::string& now) -> Result<Cluster> {
    auto st = db.prepare(
        "INSERT INTO clusters (name, type, server, credentials, resource_version, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(cluster.name, cluster.type, cluster.server, credentials, version, now);
    if (auto s = st->run(); !s) {
      return fail(taken_or(*st, std::move(s.error()),
                           "cluster " + in_quotes(cluster.name) + " already exists; choose another name"));
    }
    Cluster out = cluster;
    out.resource_version = version;
    out.created_at = now;
    return out;
  });
}

Result<Cluster> SqliteStore::get_cluster(const std::string& name) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  auto st = (*db)->prepare("SELECT " CLUSTER_COLUMNS " FROM clusters WHERE name = ?");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(name);
  return one_row<Cluster>(*st, read_cluster, "cluster " + in_quotes(name) + " does not exist");
}

Result<std::string> SqliteStore::get_cluster_credentials(const std::string& name) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  auto st = (*db)->prepare("SELECT credentials FROM clusters WHERE name = ?");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(name);
  return one_row<std::string>(
      *st, [](const Statement& s) -> Result<std::string> { return s.text(0); },
      "cluster " + in_quotes(name) + " does not exist");
}

Result<Page<Cluster>> SqliteStore::list_clusters(const ListOptions& options) {
  auto after = after_name(options.continue_token);
  if (!after) return fail(std::move(after.error()));
  const int limit = clamp_limit(options.limit);
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  auto st = (*db)->prepare("SELECT " CLUSTER_COLUMNS " FROM clusters WHERE name > ? ORDER BY name LIMIT ?");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(*after, limit + 1);
  return collect_page<Cluster>(*st, limit, read_cluster, [](const Cluster& c) { return name_token(c.name); });
}

Status SqliteStore::delete_cluster(const std::string& name) {
  if (name == kLocalCluster) {
    return fail(Error::conflict("the local cluster is built in and cannot be deleted", "name"));
  }
  return write([&](Database& db, int64_t, const std::string&) -> Status {
    auto found = exists(db, "SELECT 1 FROM clusters WHERE name = ?", name);
    if (!found) return fail(std::move(found.error()));
    if (!*found) return fail(Error::not_found("cluster " + in_quotes(name) + " does not exist"));
    // Environments keep their clusters as JSON text, so there is no foreign key to refuse this for us.
    auto st = db.prepare(
        "SELECT e.project, e.name FROM environments AS e, json_each(e.clusters) AS c "
        "WHERE c.value = ? ORDER BY e.project, e.name LIMIT 1");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(name);
    auto row = st->step();
    if (!row) return fail(std::move(row.error()));
    if (*row) {
      return fail(Error::conflict("cluster " + in_quotes(name) + " is used by environment " +
                                  in_quotes(st->text_view(1)) + " of project " + in_quotes(st->text_view(0)) +
                                  "; remove it from the environments that target it first"));
    }
    auto del = db.prepare("DELETE FROM clusters WHERE name = ?");
    if (!del) return fail(std::move(del.error()));
    del->bind_all(name);
    return del->run();
  });
}

// ---------------------------------------------------------------------------------------------------------
// Apps

Result<App> SqliteStore::create_app(const App& app) {
  return write([&](Database& db, int64_t version, const std::string& now) -> Result<App> {
    if (auto s = need_project(db, app.project); !s) return fail(std::move(s.error()));
    auto st = db.prepare("INSERT INTO apps (" APP_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?)");
    if (!st) return fail(std::move(st.error()));
    const std::string spec = json_codec::spec_to_text(app.spec);
    st->bind_all(app.project, app.spec.name, spec, version, now, now);
    if (auto s = st->run(); !s) {
      return fail(taken_or(*st, std::move(s.error()),
                           "app " + in_quotes(app.spec.name) + " already exists in project " +
                               in_quotes(app.project) + "; choose another name"));
    }
    App out = app;
    out.resource_version = version;
    out.created_at = now;
    out.updated_at = now;
    return out;
  });
}

Result<App> SqliteStore::get_app(const std::string& project, const std::string& name) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  auto st = (*db)->prepare("SELECT " APP_COLUMNS " FROM apps WHERE project = ? AND name = ?");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(project, name);
  return one_row<App>(
      *st, [this](const Statement& row) { return read_app(row, specs_); },
      "app " + in_quotes(name) + " does not exist in project " + in_quotes(project));
}

Result<Page<App>> SqliteStore::list_apps(const std::string& project, const ListOptions& options) {
  auto after = after_name(options.continue_token);
  if (!after) return fail(std::move(after.error()));
  const int limit = clamp_limit(options.limit);
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  Result<Page<App>> page;
  {
    auto st = (*db)->prepare("SELECT " APP_COLUMNS
                             " FROM apps WHERE project = ? AND name > ? ORDER BY name LIMIT ?");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(project, *after, limit + 1);
    page = collect_page<App>(
        *st, limit, [this](const Statement& row) { return read_app(row, specs_); },
        [](const App& a) { return name_token(a.spec.name); });
  }
  if (page && page->items.empty()) {
    if (auto s = need_project(**db, project); !s) return fail(std::move(s.error()));
  }
  return page;
}

Result<App> SqliteStore::update_app(const App& app) {
  return write([&](Database& db, int64_t version, const std::string& now) -> Result<App> {
    auto st = db.prepare("SELECT resource_version, created_at FROM apps WHERE project = ? AND name = ?");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(app.project, app.spec.name);
    auto row = st->step();
    if (!row) return fail(std::move(row.error()));
    if (!*row) {
      return fail(Error::not_found("app " + in_quotes(app.spec.name) + " does not exist in project " +
                                   in_quotes(app.project)));
    }
    if (auto s = check_version(app_what(app.project, app.spec.name), st->int64(0), app.resource_version);
        !s) {
      return fail(std::move(s.error()));
    }
    App out = app;
    out.created_at = st->text(1);
    out.resource_version = version;
    out.updated_at = now;

    auto up = db.prepare(
        "UPDATE apps SET spec = ?, resource_version = ?, updated_at = ? WHERE project = ? AND name = ?");
    if (!up) return fail(std::move(up.error()));
    const std::string spec = json_codec::spec_to_text(app.spec);
    up->bind_all(spec, version, now, app.project, app.spec.name);
    if (auto s = up->run(); !s) return fail(std::move(s.error()));
    return out;
  });
}

Status SqliteStore::delete_app(const std::string& project, const std::string& name,
                               int64_t resource_version) {
  return write([&](Database& db, int64_t, const std::string&) -> Status {
    auto st = db.prepare("SELECT resource_version FROM apps WHERE project = ? AND name = ?");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(project, name);
    auto row = st->step();
    if (!row) return fail(std::move(row.error()));
    if (!*row)
      return fail(
          Error::not_found("app " + in_quotes(name) + " does not exist in project " + in_quotes(project)));
    if (auto s = check_version(app_what(project, name), st->int64(0), resource_version); !s) return s;
    // ON DELETE CASCADE removes the app's releases and instances.
    auto del = db.prepare("DELETE FROM apps WHERE project = ? AND name = ?");
    if (!del) return fail(std::move(del.error()));
    del->bind_all(project, name);
    return del->run();
  });
}

// ---------------------------------------------------------------------------------------------------------
// Releases

Result<Release> SqliteStore::create_release(const Release& release) {
  return write([&](Database& db, int64_t version, const std::string& now) {
    return insert_release(db, version, now, release);
  });
}

Result<Release> SqliteStore::fail_and_revert(const Release& failed, const Release& revert) {
  if (failed.status != ReleaseStatus::kFailed) std::abort();  // a caller's bug, not an input error
  return write([&](Database& db, int64_t version, const std::string& now) -> Result<Release> {
    if (auto s = set_release_status(db, version, now, failed); !s) return fail(std::move(s.error()));
    return insert_release(db, version, now, revert);
  });
}

Result<Release> SqliteStore::insert_release(Database& db, int64_t version, const std::string& now,
                                            const Release& release) {
  if (auto s = need_app(db, release.project, release.app); !s) return fail(std::move(s.error()));
  if (auto s = need_environment(db, release.project, release.environment); !s)
    return fail(std::move(s.error()));

  int64_t revision = 0;
  {
    auto st = db.prepare(
        "SELECT COALESCE(MAX(revision), 0) + 1 FROM releases WHERE project = ? AND app = ? AND environment "
        "= ?");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(release.project, release.app, release.environment);
    auto row = st->step();
    if (!row) return fail(std::move(row.error()));
    revision = st->int64(0);
  }

  Release out = release;
  out.revision = revision;
  out.created_at = now;
  out.resource_version = version;
  {
    auto st = db.prepare("INSERT INTO releases (" RELEASE_COLUMNS
                         ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) return fail(std::move(st.error()));
    const std::string spec = json_codec::spec_to_text(out.spec);
    const std::string clusters = rollouts_to_json(out.clusters);
    st->bind_all(out.project, out.app, out.environment, out.revision, out.image, out.image_digest,
                 out.config_version, out.replicas, spec, to_string(out.kind), out.rollback_of,
                 to_string(out.status), out.message, out.reason, out.created_by, out.created_at,
                 out.finished_at, clusters, out.resource_version);
    if (auto s = st->run(); !s) return fail(std::move(s.error()));
  }
  {
    // The controllers must stop working on what this release replaces.
    auto st = db.prepare(
        "UPDATE releases SET status = ?, reason = ?, finished_at = ?, resource_version = ? "
        "WHERE project = ? AND app = ? AND environment = ? AND revision < ? "
        "AND status IN ('pending', 'progressing')");
    if (!st) return fail(std::move(st.error()));
    const std::string reason = "Superseded by revision " + std::to_string(revision);
    st->bind_all(to_string(ReleaseStatus::kFailed), reason, now, version, out.project, out.app,
                 out.environment, revision);
    if (auto s = st->run(); !s) return fail(std::move(s.error()));
  }
  return out;
}

Result<Release> SqliteStore::get_release(const ReleaseKey& key, int64_t revision) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  return select_release(**db, specs_, key, revision);
}

Result<Page<Release>> SqliteStore::list_releases(const ReleaseKey& key, const ListOptions& options) {
  auto before = before_revision(options.continue_token);
  if (!before) return fail(std::move(before.error()));
  const int limit = clamp_limit(options.limit);
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  Result<Page<Release>> page;
  {
    auto st =
        (*db)->prepare("SELECT " RELEASE_COLUMNS
                       " FROM releases WHERE project = ? AND app = ? AND environment = ? AND revision < ? "
                       "ORDER BY revision DESC LIMIT ?");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(key.project, key.app, key.environment, *before, limit + 1);
    page = collect_page<Release>(
        *st, limit, [this](const Statement& row) { return read_release(row, specs_); },
        [](const Release& r) { return revision_token(r.revision); });
  }
  if (page && page->items.empty()) {
    if (auto s = need_release_parents(**db, key); !s) return fail(std::move(s.error()));
  }
  return page;
}

Result<std::vector<Release>> SqliteStore::recent_releases(const ReleaseKey& key, int limit) {
  limit = std::clamp(limit, 0, 1000);
  if (limit == 0) return std::vector<Release>{};
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  auto st = (*db)->prepare("SELECT " RELEASE_COLUMNS
                           " FROM releases WHERE project = ? AND app = ? AND environment = ? "
                           "ORDER BY revision DESC LIMIT ?");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(key.project, key.app, key.environment, limit);
  return collect_all<Release>(*st, [this](const Statement& row) { return read_release(row, specs_); });
}

Result<Release> SqliteStore::update_release_status(const Release& release) {
  return write([&](Database& db, int64_t version, const std::string& now) {
    return set_release_status(db, version, now, release);
  });
}

Result<Release> SqliteStore::set_release_status(Database& db, int64_t version, const std::string& now,
                                                const Release& release) {
  const ReleaseKey key{release.project, release.app, release.environment};
  const std::string what = release_what(key, release.revision);
  std::string finished_at = release.finished_at;
  {
    auto st = db.prepare(
        "SELECT status, resource_version, finished_at FROM releases "
        "WHERE project = ? AND app = ? AND environment = ? AND revision = ?");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(key.project, key.app, key.environment, release.revision);
    auto row = st->step();
    if (!row) return fail(std::move(row.error()));
    if (!*row) return fail(Error::not_found(what + " does not exist"));
    auto from = parse_release_status(st->text_view(0));
    if (!from) return fail(unreadable(what, "status", st->text_view(0)));
    if (auto s = check_version(what, st->int64(1), release.resource_version); !s) {
      return fail(std::move(s.error()));
    }
    if (!can_transition(*from, release.status)) {
      return fail(Error::conflict(what + " is " + std::string(to_string(*from)) + " and cannot become " +
                                      std::string(to_string(release.status)) +
                                      "; a finished release is history, create a new one instead",
                                  "status"));
    }
    if (finished_at.empty() && is_terminal(release.status)) {
      // An idempotent repeat keeps the original finish time.
      finished_at = st->text_view(2).empty() ? now : st->text(2);
    }
  }
  auto up = db.prepare(
      "UPDATE releases SET status = ?, reason = ?, image_digest = ?, clusters = ?, finished_at = ?, "
      "resource_version = ? WHERE project = ? AND app = ? AND environment = ? AND revision = ?");
  if (!up) return fail(std::move(up.error()));
  const std::string clusters = rollouts_to_json(release.clusters);
  up->bind_all(to_string(release.status), release.reason, release.image_digest, clusters, finished_at,
               version, key.project, key.app, key.environment, release.revision);
  if (auto s = up->run(); !s) return fail(std::move(s.error()));
  return select_release(db, specs_, key, release.revision);
}

Result<std::vector<Release>> SqliteStore::active_releases() {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  // The status condition repeats the partial index's WHERE verbatim so that sqlite uses the index.
  auto st = (*db)->prepare("SELECT " RELEASE_COLUMNS
                           " FROM releases AS r WHERE status IN ('pending', 'progressing') AND revision = "
                           "(SELECT MAX(n.revision) FROM releases AS n WHERE n.project = r.project "
                           "AND n.app = r.app AND n.environment = r.environment) "
                           "ORDER BY project, app, environment");
  if (!st) return fail(std::move(st.error()));
  return collect_all<Release>(*st, [this](const Statement& row) { return read_release(row, specs_); });
}

Result<std::vector<Release>> SqliteStore::desired_releases(const std::string& project) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  auto st = (*db)->prepare("SELECT " RELEASE_COLUMNS
                           " FROM releases AS r WHERE (?1 = '' OR project = ?1) AND revision = "
                           "(SELECT MAX(n.revision) FROM releases AS n WHERE n.project = r.project "
                           "AND n.app = r.app AND n.environment = r.environment) "
                           "ORDER BY project, app, environment");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(project);
  return collect_all<Release>(*st, [this](const Statement& row) { return read_release(row, specs_); });
}

// ---------------------------------------------------------------------------------------------------------
// Instances

Status SqliteStore::replace_instances(const ReleaseKey& key, const std::string& cluster,
                                      const std::vector<Instance>& instances) {
  return write([&](Database& db, int64_t version, const std::string&) -> Status {
    if (auto s = need_release_parents(db, key); !s) return s;
    {
      auto del = db.prepare(
          "DELETE FROM instances WHERE project = ? AND app = ? AND environment = ? AND cluster = ?");
      if (!del) return fail(std::move(del.error()));
      del->bind_all(key.project, key.app, key.environment, cluster);
      if (auto s = del->run(); !s) return s;
    }
    for (const Instance& i : instances) {
      auto st = db.prepare(
          "INSERT INTO instances (project, app, environment, cluster, name, state, ready, restarts, address, "
          "node, started_at, release, reason, resource_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
          "?, ?)");
      if (!st) return fail(std::move(st.error()));
      // The cluster argument wins over Instance::cluster: the driver reports for one cluster at a time.
      st->bind_all(key.project, key.app, key.environment, cluster, i.name, i.state, i.ready, i.restarts,
                   i.address, i.node, i.started_at, i.release, i.reason, version);
      if (auto s = st->run(); !s) {
        if (st->last_code() == SQLITE_CONSTRAINT_PRIMARYKEY) {
          return fail(Error::conflict(
              "instance " + in_quotes(i.name) + " is listed twice for cluster " + in_quotes(cluster),
              "name"));
        }
        return s;
      }
    }
    return {};
  });
}

Result<std::vector<Instance>> SqliteStore::list_instances(const ReleaseKey& key) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  Result<std::vector<Instance>> items;
  {
    auto st = (*db)->prepare("SELECT " INSTANCE_COLUMNS
                             " FROM instances WHERE project = ? AND app = ? AND environment = ? "
                             "ORDER BY cluster, name");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(key.project, key.app, key.environment);
    items = collect_all<Instance>(*st, read_instance);
  }
  if (items && items->empty()) {
    if (auto s = need_release_parents(**db, key); !s) return fail(std::move(s.error()));
  }
  return items;
}

// ---------------------------------------------------------------------------------------------------------
// Users and tokens

Result<User> SqliteStore::create_user(const User& user) {
  return write([&](Database& db, int64_t version, const std::string& now) -> Result<User> {
    auto st = db.prepare(
        "INSERT INTO users (name, display_name, admin, resource_version, created_at) VALUES (?, ?, ?, ?, ?)");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(user.name, user.display_name, user.admin, version, now);
    if (auto s = st->run(); !s) {
      return fail(taken_or(*st, std::move(s.error()),
                           "user " + in_quotes(user.name) + " already exists; choose another name"));
    }
    User out = user;
    out.created_at = now;
    return out;
  });
}

Result<User> SqliteStore::get_user(const std::string& name) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  auto st = (*db)->prepare("SELECT name, display_name, admin, created_at, source FROM users WHERE name = ?");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(name);
  return one_row<User>(
      *st,
      [](const Statement& s) -> Result<User> {
        return User{s.text(0), s.text(1), s.boolean(2), s.text(3), s.text(4)};
      },
      "user " + in_quotes(name) + " does not exist");
}

Result<ApiToken> SqliteStore::create_token(const ApiToken& token) {
  if (!token.expires_at.empty() && !parse_rfc3339(token.expires_at)) {
    return fail(
        Error::invalid("expiresAt", "expiresAt must be an RFC 3339 time such as 2030-01-31T00:00:00Z"));
  }
  return write([&](Database& db, int64_t version, const std::string& now) -> Result<ApiToken> {
    auto user = exists(db, "SELECT 1 FROM users WHERE name = ?", token.user);
    if (!user) return fail(std::move(user.error()));
    if (!*user) return fail(Error::not_found("user " + in_quotes(token.user) + " does not exist"));
    // Two unique keys: tell which one clashed.
    auto id = exists(db, "SELECT 1 FROM api_tokens WHERE id = ?", token.id);
    if (!id) return fail(std::move(id.error()));
    if (*id)
      return fail(Error::conflict("an API token with id " + in_quotes(token.id) + " already exists", "id"));
    auto hash = exists(db, "SELECT 1 FROM api_tokens WHERE hash = ?", token.hash);
    if (!hash) return fail(std::move(hash.error()));
    if (*hash)
      return fail(
          Error::conflict("an API token with this hash already exists; generate a new secret", "hash"));

    auto st = db.prepare("INSERT INTO api_tokens (" TOKEN_COLUMNS
                         ", resource_version) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(token.id, token.user, token.name, token.hash, now, token.expires_at, version);
    if (auto s = st->run(); !s) return fail(std::move(s.error()));
    ApiToken out = token;
    out.created_at = now;
    return out;
  });
}

Result<ApiToken> SqliteStore::find_token_by_hash(const std::string& hash) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  auto st = (*db)->prepare("SELECT " TOKEN_COLUMNS " FROM api_tokens WHERE hash = ?");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(hash);
  // One message for unknown and expired: the caller answers 401 either way and should not tell them apart.
  const std::string missing = "no API token matches (unknown or expired)";
  auto token = one_row<ApiToken>(*st, read_token, missing);
  if (!token) return token;
  if (!token->expires_at.empty()) {
    auto expires = parse_rfc3339(token->expires_at);
    // An unreadable expiry counts as expired: fail closed.
    if (!expires || *expires <= std::chrono::system_clock::now()) return fail(Error::not_found(missing));
  }
  return token;
}

}  // namespace wharf
