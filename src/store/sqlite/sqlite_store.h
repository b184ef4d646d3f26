// SqliteStore: the Store on one SQLite file in WAL mode (the default back end, DESIGN.md).
//
// Contract (in addition to Store's):
// - open() creates the file if needed, switches it to WAL and applies the pending schema migrations in one
//   transaction. It refuses (`unavailable`) a database whose schema is newer than this binary knows, and
//   any file sqlite cannot open.
// - Thread-safety: every method may be called from any thread concurrently. Writes are serialised on one
//   writer connection behind a mutex; reads run on a pool of reader connections (one per concurrently
//   reading thread, kept for reuse), so reads never wait for a write in progress. A read sees the last
//   write committed before it started.
// - Blocking: every call blocks the calling thread for its query; a write may wait up to 5 s for the file
//   lock held by another process before failing with `unavailable`. Do not call from an event-loop thread
//   that must not block for disk I/O.
// - Durability: a returned write survives a crash (kill -9) of the process; see database.cpp on
//   synchronous=NORMAL.
// - No exceptions: sqlite failures become `unavailable` (busy, full, I/O) with sqlite's message.
// - The store must outlive every call in flight; destroy it only after all callers are done.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/credential_store.h"
#include "store/sqlite/database.h"
#include "store/sqlite/spec_cache.h"
#include "store/store.h"

namespace wharf {

class SqliteStore final : public Store, public CredentialStore {
 public:
  // The newest schema version this binary knows (the number of migrations).
  static int schema_version();

  // Opens (creating if missing) the database file at `path`. On success the store owns its connections.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path);
  ~SqliteStore() override;

  Result<int64_t> current_version() override;

  Result<Project> create_project(const Project& project) override;
  Result<Project> get_project(const std::string& name) override;
  Result<Page<Project>> list_projects(const ListOptions& options) override;
  Result<Project> update_project(const Project& project) override;
  Status delete_project(const std::string& name, int64_t resource_version) override;

  Result<Environment> create_environment(const Environment& env) override;
  Result<Environment> get_environment(const std::string& project, const std::string& name) override;
  Result<Page<Environment>> list_environments(const std::string& project,
                                              const ListOptions& options) override;
  Result<Environment> update_environment(const Environment& env) override;
  Status delete_environment(const std::string& project, const std::string& name,
                            int64_t resource_version) override;

  Result<Cluster> create_cluster(const Cluster& cluster, const std::string& credentials) override;
  Result<Cluster> get_cluster(const std::string& name) override;
  Result<std::string> get_cluster_credentials(const std::string& name) override;
  Result<Page<Cluster>> list_clusters(const ListOptions& options) override;
  Status delete_cluster(const std::string& name) override;

  Result<App> create_app(const App& app) override;
  Result<App> get_app(const std::string& project, const std::string& name) override;
  Result<Page<App>> list_apps(const std::string& project, const ListOptions& options) override;
  Result<App> update_app(const App& app) override;
  Status delete_app(const std::string& project, const std::string& name, int64_t resource_version) override;

  Result<Release> create_release(const Release& release) override;
  Result<Release> get_release(const ReleaseKey& key, int64_t revision) override;
  Result<Page<Release>> list_releases(const ReleaseKey& key, const ListOptions& options) override;
  Result<std::vector<Release>> recent_releases(const ReleaseKey& key, int limit) override;
  Result<Release> update_release_status(const Release& release) override;
  Result<Release> fail_and_revert(const Release& failed, const Release& revert) override;
  Result<std::vector<Release>> active_releases() override;
  Result<std::vector<Release>> desired_releases(const std::string& project) override;

  Status replace_instances(const ReleaseKey& key, const std::string& cluster,
                           const std::vector<Instance>& instances) override;
  Result<std::vector<Instance>> list_instances(const ReleaseKey& key) override;

  // Config (sqlite_store_config.cpp).
  Result<ConfigDraft> get_config_draft(const ConfigKey& key) override;
  Result<ConfigDraft> save_config_draft(const ConfigDraft& draft) override;
  Result<ConfigVersion> publish_config(const ConfigKey& key, int64_t draft_resource_version,
                                       const std::string& message, const std::string& author,
                                       bool hot = false) override;
  Result<ConfigVersion> get_config_version(const ConfigKey& key, int64_t version) override;
  Result<Page<ConfigVersion>> list_config_versions(const ConfigKey& key, const ListOptions& options) override;
  Result<int64_t> latest_config_version(const ConfigKey& key) override;
  Result<int64_t> live_config_version(const ConfigKey& key) override;
  Result<ConfigAccessKey> create_config_access_key(const ConfigAccessKey& key) override;
  Result<std::vector<ConfigAccessKey>> list_config_access_keys(const ConfigKey& key) override;
  Status delete_config_access_key(const ConfigKey& key, int64_t id) override;
  Result<Page<ConfigSearchHit>> search_config(const std::string& project, const std::string& text,
                                              const ListOptions& options) override;

  Result<User> create_user(const User& user) override;
  Result<User> get_user(const std::string& name) override;
  Result<ApiToken> create_token(const ApiToken& token) override;
  Result<ApiToken> find_token_by_hash(const std::string& hash) override;
  Result<Page<User>> list_users(const ListOptions& options) override;
  Result<User> update_user(const User& user) override;
  Status delete_user(const std::string& name) override;
  Result<std::vector<RoleBinding>> group_bindings() override;

  Result<Role> create_role(const Role& role) override;
  Result<Role> get_role(const std::string& name) override;
  Result<std::vector<Role>> list_roles() override;
  Result<Role> update_role(const Role& role) override;
  Status delete_role(const std::string& name, int64_t resource_version) override;

  Result<RoleBinding> create_binding(const RoleBinding& binding) override;
  Result<RoleBinding> update_binding(const std::string& project, int64_t id, const std::string& role,
                                     const std::vector<std::string>& environments) override;
  Result<std::vector<RoleBinding>> list_bindings(const std::string& project) override;
  Status delete_binding(const std::string& project, int64_t id) override;
  Result<std::vector<RoleBinding>> bindings_of(const std::string& user,
                                               const std::vector<std::string>& groups) override;

  Status append_audit(const AuditRecord& record) override;
  Result<Page<AuditRecord>> list_audit(const AuditQuery& query, const ListOptions& options) override;

  // CredentialStore (sqlite_store_credentials.cpp).
  Result<Credentials> get_credentials(const std::string& user) override;
  Result<User> create_local_user(const User& user, const std::string& password_hash,
                                 bool must_change_password) override;
  Status set_password(const std::string& user, const std::string& password_hash,
                      bool must_change_password) override;
  Result<User> upsert_directory_user(const std::string& user, const std::string& display_name) override;
  Status create_session(const SessionRecord& session) override;
  Result<SessionRecord> find_session(const std::string& id_hash) override;
  Status touch_session(const std::string& id_hash, const std::string& last_seen_at) override;
  Status delete_session(const std::string& id_hash) override;
  Result<int> delete_sessions_of(const std::string& user, const std::string& keep_id_hash) override;
  Result<int> purge_sessions(const std::string& now, const std::string& idle_before) override;
  Result<std::vector<ApiToken>> list_tokens(const std::string& user) override;
  Result<ApiToken> delete_token(const std::string& user, const std::string& id) override;

 private:
  // A reader connection on loan from the pool; returned to it on destruction.
  class ReaderLease {
   public:
    ReaderLease(SqliteStore* store, std::unique_ptr<sqlite::Database> db)
        : store_(store), db_(std::move(db)) {}
    ReaderLease(ReaderLease&&) = default;
    ~ReaderLease();
    sqlite::Database& operator*() { return *db_; }
    sqlite::Database* operator->() { return db_.get(); }

   private:
    SqliteStore* store_;
    std::unique_ptr<sqlite::Database> db_;
  };

  SqliteStore(std::string path, std::unique_ptr<sqlite::Database> writer)
      : path_(std::move(path)), writer_(std::move(writer)) {}

  Result<ReaderLease> reader();
  // Runs `fn(db, version, now)` in a write transaction on the writer connection, after bumping the
  // store-wide resource version to `version`; commits when it succeeds, rolls back when it fails.
  template <class Fn>
  auto write(Fn&& fn) -> decltype(fn(std::declval<sqlite::Database&>(), int64_t{}, std::string{}));
  // Runs `fn(db)` in a write transaction that neither bumps the resource version nor carries an audit
  // record: bookkeeping that is not a change of any resource (console sessions).
  template <class Fn>
  auto write_unversioned(Fn&& fn) -> decltype(fn(std::declval<sqlite::Database&>()));

  // The bodies of create_release and update_release_status, inside a write transaction.
  Result<Release> insert_release(sqlite::Database& db, int64_t version, const std::string& now,
                                 const Release& release);
  Result<Release> set_release_status(sqlite::Database& db, int64_t version, const std::string& now,
                                     const Release& release);

  const std::string path_;
  std::mutex write_mu_;  // guards writer_
  std::unique_ptr<sqlite::Database> writer_;
  // The version of the last commit, kept in memory so that current_version() costs an atomic load. Exact
  // because one server process owns the database file (the server locks its data dir).
  std::atomic<int64_t> committed_version_{0};
  std::mutex pool_mu_;  // guards idle_readers_
  std::vector<std::unique_ptr<sqlite::Database>> idle_readers_;
  sqlite::SpecCache specs_;  // decoded app and release specs, shared by all connections
};

}  // namespace wharf
