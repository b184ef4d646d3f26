// SqliteStore: the config centre's drafts and versions (migration 4), live versions and access keys
// (migration 5).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/store_support.h"

namespace wharf {
namespace {

using sqlite::Database;
using sqlite::Statement;
using json = nlohmann::json;
using namespace sqlite::support;

std::string config_what(const ConfigKey& key) {
  return "app " + in_quotes(key.app) + " in environment " + in_quotes(key.environment) + " of project " +
         in_quotes(key.project);
}

Status need_parents(Database& db, const ConfigKey& key) {
  auto app = exists(db, "SELECT 1 FROM apps WHERE project = ? AND name = ?", key.project, key.app);
  if (!app) return fail(std::move(app.error()));
  auto env =
      exists(db, "SELECT 1 FROM environments WHERE project = ? AND name = ?", key.project, key.environment);
  if (!env) return fail(std::move(env.error()));
  if (*app && *env) return {};
  if (auto s = need_project(db, key.project); !s) return s;
  if (!*app)
    return fail(Error::not_found("app " + in_quotes(key.app) + " of project " + in_quotes(key.project) +
                                 " does not exist"));
  return fail(Error::not_found("environment " + in_quotes(key.environment) + " of project " +
                               in_quotes(key.project) + " does not exist"));
}

std::string validation_to_text(const ConfigValidation& v) {
  if (v.empty()) return "";
  json j = json::object();
  if (!v.regex.empty()) j["regex"] = v.regex;
  if (v.min) j["min"] = *v.min;
  if (v.max) j["max"] = *v.max;
  return j.dump();
}

bool validation_from_text(std::string_view text, ConfigValidation& v) {
  v = {};
  if (text.empty()) return true;
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return false;
  if (auto it = j.find("regex"); it != j.end() && it->is_string()) v.regex = it->get<std::string>();
  if (auto it = j.find("min"); it != j.end() && it->is_number_integer()) v.min = it->get<int64_t>();
  if (auto it = j.find("max"); it != j.end() && it->is_number_integer()) v.max = it->get<int64_t>();
  return true;
}

#define CONFIG_ITEM_COLUMNS "key, type, value, comment, validation, secret"

Result<ConfigItem> read_item(const Statement& st, const ConfigKey& key) {
  ConfigItem i;
  i.key = st.text(0);
  auto type = parse_config_type(st.text_view(1));
  if (!type)
    return fail(Error::internal("the stored type of config item " + in_quotes(i.key) + " of " +
                                config_what(key) + " is unreadable"));
  i.type = *type;
  i.value = st.text(2);
  i.comment = st.text(3);
  if (!validation_from_text(st.text_view(4), i.validation))
    return fail(Error::internal("the stored validation of config item " + in_quotes(i.key) + " of " +
                                config_what(key) + " is unreadable"));
  i.secret = st.boolean(5);
  return i;
}

#define CONFIG_VERSION_COLUMNS                                                                    \
  "project, app, environment, version, message, created_by, created_at, item_count, size_bytes, " \
  "resource_version"

ConfigVersion read_version(const Statement& st) {
  ConfigVersion v;
  v.project = st.text(0);
  v.app = st.text(1);
  v.environment = st.text(2);
  v.version = st.int64(3);
  v.message = st.text(4);
  v.created_by = st.text(5);
  v.created_at = st.text(6);
  v.item_count = st.int64(7);
  v.size_bytes = st.int64(8);
  v.resource_version = st.int64(9);
  return v;
}

Result<int64_t> latest_version(Database& db, const ConfigKey& key) {
  auto st = db.prepare(
      "SELECT COALESCE(MAX(version), 0) FROM config_versions WHERE project = ? AND app = ? AND environment = "
      "?");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(key.project, key.app, key.environment);
  auto row = st->step();
  if (!row) return fail(std::move(row.error()));
  return st->int64(0);
}

Result<ConfigDraft> select_draft(Database& db, const ConfigKey& key) {
  ConfigDraft d;
  d.project = key.project;
  d.app = key.app;
  d.environment = key.environment;
  {
    auto st = db.prepare(
        "SELECT base_version, updated_by, updated_at, resource_version FROM config_drafts "
        "WHERE project = ? AND app = ? AND environment = ?");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(key.project, key.app, key.environment);
    auto row = st->step();
    if (!row) return fail(std::move(row.error()));
    if (!*row) {
      if (auto s = need_parents(db, key); !s) return fail(std::move(s.error()));
      auto latest = latest_version(db, key);
      if (!latest) return fail(std::move(latest.error()));
      d.base_version = *latest;
      return d;
    }
    d.base_version = st->int64(0);
    d.updated_by = st->text(1);
    d.updated_at = st->text(2);
    d.resource_version = st->int64(3);
  }
  auto st = db.prepare("SELECT " CONFIG_ITEM_COLUMNS
                       " FROM config_draft_items WHERE project = ? AND app = ? AND environment = ? "
                       "ORDER BY key");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(key.project, key.app, key.environment);
  auto items = collect_all<ConfigItem>(*st, [&](const Statement& row) { return read_item(row, key); });
  if (!items) return fail(std::move(items.error()));
  d.items = std::move(*items);
  return d;
}

}  // namespace

Result<ConfigDraft> SqliteStore::get_config_draft(const ConfigKey& key) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  return select_draft(**db, key);
}

Result<ConfigDraft> SqliteStore::save_config_draft(const ConfigDraft& draft) {
  for (size_t i = 1; i < draft.items.size(); ++i) {
    if (!(draft.items[i - 1].key < draft.items[i].key))
      return fail(Error::conflict("config items must be sorted by key, each key once; \"" +
                                      draft.items[i].key + "\" is out of order or repeated",
                                  "items[" + std::to_string(i) + "].key"));
  }
  const ConfigKey key{draft.project, draft.app, draft.environment};
  return write([&](Database& db, int64_t version, const std::string& now) -> Result<ConfigDraft> {
    {
      auto st = db.prepare(
          "SELECT resource_version FROM config_drafts WHERE project = ? AND app = ? AND environment = ?");
      if (!st) return fail(std::move(st.error()));
      st->bind_all(key.project, key.app, key.environment);
      auto row = st->step();
      if (!row) return fail(std::move(row.error()));
      const int64_t stored = *row ? st->int64(0) : 0;
      if (auto s = check_version("the config draft of " + config_what(key), stored, draft.resource_version);
          !s)
        return fail(std::move(s.error()));
      if (!*row) {
        if (auto s = need_parents(db, key); !s) return fail(std::move(s.error()));
      }
    }
    {
      auto st = db.prepare(
          "INSERT INTO config_drafts (project, app, environment, base_version, updated_by, updated_at, "
          "resource_version) VALUES (?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (project, app, environment) DO UPDATE SET base_version = excluded.base_version, "
          "updated_by = excluded.updated_by, updated_at = excluded.updated_at, "
          "resource_version = excluded.resource_version");
      if (!st) return fail(std::move(st.error()));
      st->bind_all(key.project, key.app, key.environment, draft.base_version, draft.updated_by, now, version);
      if (auto s = st->run(); !s) return fail(std::move(s.error()));
    }
    {
      auto st =
          db.prepare("DELETE FROM config_draft_items WHERE project = ? AND app = ? AND environment = ?");
      if (!st) return fail(std::move(st.error()));
      st->bind_all(key.project, key.app, key.environment);
      if (auto s = st->run(); !s) return fail(std::move(s.error()));
    }
    for (const ConfigItem& item : draft.items) {
      auto st = db.prepare("INSERT INTO config_draft_items (project, app, environment, " CONFIG_ITEM_COLUMNS
                           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
      if (!st) return fail(std::move(st.error()));
      const std::string type(to_string(item.type));
      const std::string validation = validation_to_text(item.validation);
      st->bind_all(key.project, key.app, key.environment, item.key, type, item.value, item.comment,
                   validation, item.secret);
      if (auto s = st->run(); !s) return fail(std::move(s.error()));
    }
    ConfigDraft out = draft;
    out.updated_at = now;
    out.resource_version = version;
    return out;
  });
}

Result<ConfigVersion> SqliteStore::publish_config(const ConfigKey& key, int64_t draft_resource_version,
                                                  const std::string& message, const std::string& author,
                                                  bool hot) {
  return write([&](Database& db, int64_t rv, const std::string& now) -> Result<ConfigVersion> {
    int64_t stored = 0;
    {
      auto st = db.prepare(
          "SELECT resource_version FROM config_drafts WHERE project = ? AND app = ? AND environment = ?");
      if (!st) return fail(std::move(st.error()));
      st->bind_all(key.project, key.app, key.environment);
      auto row = st->step();
      if (!row) return fail(std::move(row.error()));
      if (!*row) {
        if (auto s = need_parents(db, key); !s) return fail(std::move(s.error()));
        return fail(Error::invalid("draft", "there is nothing to publish: the config draft of " +
                                                config_what(key) + " is empty; add items first"));
      }
      stored = st->int64(0);
    }
    if (auto s = check_version("the config draft of " + config_what(key), stored, draft_resource_version); !s)
      return fail(std::move(s.error()));
    // Inside the write transaction: nobody else can take N+1 before this commits.
    auto latest = latest_version(db, key);
    if (!latest) return fail(std::move(latest.error()));
    ConfigVersion v;
    v.project = key.project;
    v.app = key.app;
    v.environment = key.environment;
    v.version = *latest + 1;
    v.message = message;
    v.created_by = author;
    v.created_at = now;
    v.resource_version = rv;
    {
      auto st = db.prepare(
          "SELECT COUNT(*), COALESCE(SUM(length(CAST(key AS BLOB)) + length(CAST(value AS BLOB))), 0) "
          "FROM config_draft_items WHERE project = ? AND app = ? AND environment = ?");
      if (!st) return fail(std::move(st.error()));
      st->bind_all(key.project, key.app, key.environment);
      auto row = st->step();
      if (!row) return fail(std::move(row.error()));
      v.item_count = st->int64(0);
      v.size_bytes = st->int64(1);
    }
    {
      auto st = db.prepare("INSERT INTO config_versions (" CONFIG_VERSION_COLUMNS
                           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      if (!st) return fail(std::move(st.error()));
      st->bind_all(v.project, v.app, v.environment, v.version, v.message, v.created_by, v.created_at,
                   v.item_count, v.size_bytes, v.resource_version);
      if (auto s = st->run(); !s) return fail(std::move(s.error()));
    }
    {
      auto st = db.prepare(
          "INSERT INTO config_version_items (project, app, environment, version, " CONFIG_ITEM_COLUMNS
          ") SELECT project, app, environment, ?, " CONFIG_ITEM_COLUMNS
          " FROM config_draft_items WHERE project = ? AND app = ? AND environment = ? "
          "ORDER BY key");
      if (!st) return fail(std::move(st.error()));
      st->bind_all(v.version, key.project, key.app, key.environment);
      if (auto s = st->run(); !s) return fail(std::move(s.error()));
    }
    if (hot) {
      auto st = db.prepare(
          "UPDATE config_versions SET hot_after_revision = (SELECT COALESCE(MAX(revision), 0) FROM releases "
          "WHERE project = ?1 AND app = ?2 AND environment = ?3) "
          "WHERE project = ?1 AND app = ?2 AND environment = ?3 AND version = ?4");
      if (!st) return fail(std::move(st.error()));
      st->bind_all(key.project, key.app, key.environment, v.version);
      if (auto s = st->run(); !s) return fail(std::move(s.error()));
    }
    {
      auto st = db.prepare(
          "UPDATE config_drafts SET base_version = ?, resource_version = ? "
          "WHERE project = ? AND app = ? AND environment = ?");
      if (!st) return fail(std::move(st.error()));
      st->bind_all(v.version, rv, key.project, key.app, key.environment);
      if (auto s = st->run(); !s) return fail(std::move(s.error()));
    }
    return v;
  });
}

Result<ConfigVersion> SqliteStore::get_config_version(const ConfigKey& key, int64_t version) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  ConfigVersion v;
  {
    auto st = (*db)->prepare("SELECT " CONFIG_VERSION_COLUMNS
                             " FROM config_versions WHERE project = ? AND app = ? AND environment = ? "
                             "AND version = ?");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(key.project, key.app, key.environment, version);
    auto row = st->step();
    if (!row) return fail(std::move(row.error()));
    if (!*row) {
      if (auto s = need_parents(**db, key); !s) return fail(std::move(s.error()));
      return fail(Error::not_found("config version " + std::to_string(version) + " of " + config_what(key) +
                                   " does not exist"));
    }
    v = read_version(*st);
  }
  auto st = (*db)->prepare("SELECT " CONFIG_ITEM_COLUMNS
                           " FROM config_version_items WHERE project = ? AND app = ? AND environment = ? "
                           "AND version = ? ORDER BY key");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(key.project, key.app, key.environment, version);
  auto items = collect_all<ConfigItem>(*st, [&](const Statement& row) { return read_item(row, key); });
  if (!items) return fail(std::move(items.error()));
  v.items = std::move(*items);
  return v;
}

Result<Page<ConfigVersion>> SqliteStore::list_config_versions(const ConfigKey& key,
                                                              const ListOptions& options) {
  auto before = before_revision(options.continue_token);
  if (!before) return fail(std::move(before.error()));
  const int limit = clamp_limit(options.limit);
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  Result<Page<ConfigVersion>> page;
  {
    auto st = (*db)->prepare("SELECT " CONFIG_VERSION_COLUMNS
                             " FROM config_versions WHERE project = ? AND app = ? AND environment = ? "
                             "AND version < ? ORDER BY version DESC LIMIT ?");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(key.project, key.app, key.environment, *before, limit + 1);
    page = collect_page<ConfigVersion>(
        *st, limit, [](const Statement& row) -> Result<ConfigVersion> { return read_version(row); },
        [](const ConfigVersion& v) { return revision_token(v.version); });
  }
  if (page && page->items.empty()) {
    if (auto s = need_parents(**db, key); !s) return fail(std::move(s.error()));
  }
  return page;
}

Result<int64_t> SqliteStore::latest_config_version(const ConfigKey& key) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  auto latest = latest_version(**db, key);
  if (!latest) return latest;
  if (*latest == 0) {
    if (auto s = need_parents(**db, key); !s) return fail(std::move(s.error()));
  }
  return latest;
}

Result<int64_t> SqliteStore::live_config_version(const ConfigKey& key) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  // One statement, so the release and the hot version are read from the same snapshot.
  auto st = (*db)->prepare(
      "WITH r AS (SELECT revision, config_version FROM releases WHERE project = ?1 AND app = ?2 AND "
      "environment = ?3 AND status != 'failed' ORDER BY revision DESC LIMIT 1), "
      "h AS (SELECT version, hot_after_revision FROM config_versions WHERE project = ?1 AND app = ?2 AND "
      "environment = ?3 AND hot_after_revision IS NOT NULL ORDER BY version DESC LIMIT 1) "
      "SELECT (SELECT version FROM h WHERE hot_after_revision >= COALESCE((SELECT revision FROM r), 0)), "
      "(SELECT config_version FROM r), "
      "(SELECT MAX(version) FROM config_versions WHERE project = ?1 AND app = ?2 AND environment = ?3)");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(key.project, key.app, key.environment);
  auto row = st->step();
  if (!row) return fail(std::move(row.error()));
  for (int column = 0; column < 3; ++column)
    if (auto v = st->optional_int64(column)) return *v;
  if (auto s = need_parents(**db, key); !s) return fail(std::move(s.error()));
  return 0;
}

Result<ConfigAccessKey> SqliteStore::create_config_access_key(const ConfigAccessKey& key) {
  const ConfigKey where{key.project, key.app, key.environment};
  return write([&](Database& db, int64_t, const std::string& now) -> Result<ConfigAccessKey> {
    if (auto s = need_parents(db, where); !s) return fail(std::move(s.error()));
    auto st = db.prepare(
        "INSERT INTO config_access_keys (project, app, environment, secret, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(key.project, key.app, key.environment, key.secret, key.created_by, now);
    auto row = st->step();
    if (!row) return fail(std::move(row.error()));
    ConfigAccessKey out = key;
    out.id = st->int64(0);
    out.created_at = now;
    return out;
  });
}

Result<std::vector<ConfigAccessKey>> SqliteStore::list_config_access_keys(const ConfigKey& key) {
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  auto st = (*db)->prepare(
      "SELECT id, secret, created_by, created_at FROM config_access_keys WHERE project = ? AND app = ? AND "
      "environment = ? ORDER BY id");
  if (!st) return fail(std::move(st.error()));
  st->bind_all(key.project, key.app, key.environment);
  auto keys = collect_all<ConfigAccessKey>(*st, [&](const Statement& row) -> Result<ConfigAccessKey> {
    return ConfigAccessKey{key.project, key.app,     key.environment, row.int64(0),
                           row.text(1), row.text(2), row.text(3)};
  });
  if (keys && keys->empty()) {
    if (auto s = need_parents(**db, key); !s) return fail(std::move(s.error()));
  }
  return keys;
}

Status SqliteStore::delete_config_access_key(const ConfigKey& key, int64_t id) {
  return write([&](Database& db, int64_t, const std::string&) -> Status {
    auto st = db.prepare(
        "DELETE FROM config_access_keys WHERE project = ? AND app = ? AND environment = ? AND id = ? "
        "RETURNING id");
    if (!st) return fail(std::move(st.error()));
    st->bind_all(key.project, key.app, key.environment, id);
    auto row = st->step();
    if (!row) return fail(std::move(row.error()));
    if (*row) return {};
    if (auto s = need_parents(db, key); !s) return s;
    return fail(
        Error::not_found("access key " + std::to_string(id) + " of " + config_what(key) + " does not exist"));
  });
}

Result<Page<ConfigSearchHit>> SqliteStore::search_config(const std::string& project, const std::string& text,
                                                         const ListOptions& options) {
  // The continue token holds the last hit's "app\nenvironment\nkey" (none of them holds a newline).
  auto after = after_name(options.continue_token);
  if (!after) return fail(std::move(after.error()));
  std::string after_app, after_env, after_key;
  if (!after->empty()) {
    size_t a = after->find('\n');
    size_t b = a == std::string::npos ? a : after->find('\n', a + 1);
    if (b == std::string::npos) return fail(bad_token());
    after_app = after->substr(0, a);
    after_env = after->substr(a + 1, b - a - 1);
    after_key = after->substr(b + 1);
  }
  const int limit = clamp_limit(options.limit);
  auto db = reader();
  if (!db) return fail(std::move(db.error()));
  if (auto s = need_project(**db, project); !s) return fail(std::move(s.error()));
  auto st = (*db)->prepare(
      "SELECT app, environment, key, type, secret, comment, CASE WHEN secret THEN '' ELSE substr(value, 1, "
      "200) END, "
      "instr(lower(key), lower(?1)) > 0, secret = 0 AND instr(lower(value), lower(?1)) > 0, "
      "instr(lower(comment), lower(?1)) > 0 "
      "FROM config_draft_items WHERE project = ?2 AND (app, environment, key) > (?3, ?4, ?5) AND "
      "(instr(lower(key), lower(?1)) > 0 OR (secret = 0 AND instr(lower(value), lower(?1)) > 0) OR "
      "instr(lower(comment), lower(?1)) > 0) "
      "ORDER BY app, environment, key LIMIT ?6");
  if (!st) return fail(std::move(st.error()));
  st->bind(1, text)
      .bind(2, project)
      .bind(3, after_app)
      .bind(4, after_env)
      .bind(5, after_key)
      .bind(6, limit + 1);
  return collect_page<ConfigSearchHit>(
      *st, limit,
      [](const Statement& row) -> Result<ConfigSearchHit> {
        ConfigSearchHit h;
        h.app = row.text(0);
        h.environment = row.text(1);
        h.key = row.text(2);
        h.type = parse_config_type(row.text_view(3)).value_or(ConfigType::kString);
        h.secret = row.boolean(4);
        h.comment = row.text(5);
        h.value = row.text(6);
        if (row.boolean(7)) h.matched.emplace_back("key");
        if (row.boolean(8)) h.matched.emplace_back("value");
        if (row.boolean(9)) h.matched.emplace_back("comment");
        return h;
      },
      [](const ConfigSearchHit& h) { return name_token(h.app + "\n" + h.environment + "\n" + h.key); });
}

}  // namespace wharf
