// Store: the one place desired and observed state lives. Back ends: sqlite/ (default), postgres/ (later).
//
// Contract for every back end:
// - Every call is atomic: a multi-row change happens in one transaction or not at all.
// - Every write bumps a store-wide, strictly increasing resource version and stamps it on the objects it
//   wrote (like etcd's revision); `resource_version` passed to an update must equal the stored one or the
//   call fails with `conflict` (optimistic concurrency). 0 means "don't check".
// - Creating a name that exists fails with `conflict`; reading or changing a missing object, `not_found`.
// - A store failure (disk full, database locked past its timeout) is `unavailable`.
// - Thread-safe: any thread may call any method; calls block for the duration of the query.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/access_policy.h"
#include "core/app.h"
#include "core/audit.h"
#include "core/cluster.h"
#include "core/config_access_key.h"
#include "core/config_draft.h"
#include "core/config_version.h"
#include "core/environment.h"
#include "core/error.h"
#include "core/instance.h"
#include "core/project.h"
#include "core/release.h"

namespace wharf {

// Server-side pagination: at most `limit` items after the opaque `continue_token` of the previous page.
struct ListOptions {
  int limit = 100;  // 1..1000; callers clamp
  std::string continue_token;
};

template <class T>
struct Page {
  std::vector<T> items;
  std::string continue_token;  // empty on the last page
};

struct User {
  std::string name;
  std::string display_name;
  bool admin = false;
  std::string created_at;
  std::string source = "local";  // "local", or "ldap" for directory accounts (credential_store.h)
};

struct ApiToken {
  std::string id;  // public identifier, safe to show
  std::string user;
  std::string name;  // what the token is for
  std::string hash;  // SHA-256 of the secret, hex; the secret itself is never stored
  std::string created_at;
  std::string expires_at;  // empty: never
};

// Release lookups are per app x environment.
struct ReleaseKey {
  std::string project, app, environment;

  auto operator<=>(const ReleaseKey&) const = default;
};

// Config is per app x environment too.
using ConfigKey = ReleaseKey;

// One item of a project's config drafts that matches a search.
struct ConfigSearchHit {
  std::string app, environment, key;
  ConfigType type = ConfigType::kString;
  bool secret = false;
  std::vector<std::string> matched;  // where the text was found: "key", "value", "comment"
  std::string comment;
  std::string value;  // the first 200 bytes of a non-secret value; empty for secrets
};

class Store {
 public:
  virtual ~Store() = default;

  // The store-wide resource version of the last committed write. Cheap enough to call on every request
  // (response caches key on it): read after a write returns, it is at least that write's version.
  virtual Result<int64_t> current_version() = 0;

  // Projects. Deleting a project deletes its environments, apps, releases and instances.
  virtual Result<Project> create_project(const Project& project) = 0;
  virtual Result<Project> get_project(const std::string& name) = 0;
  virtual Result<Page<Project>> list_projects(const ListOptions& options) = 0;
  virtual Result<Project> update_project(const Project& project) = 0;
  virtual Status delete_project(const std::string& name, int64_t resource_version) = 0;

  // Environments of a project. Creating one in a missing project is `not_found`.
  virtual Result<Environment> create_environment(const Environment& env) = 0;
  virtual Result<Environment> get_environment(const std::string& project, const std::string& name) = 0;
  virtual Result<Page<Environment>> list_environments(const std::string& project,
                                                      const ListOptions& options) = 0;
  virtual Result<Environment> update_environment(const Environment& env) = 0;
  virtual Status delete_environment(const std::string& project, const std::string& name,
                                    int64_t resource_version) = 0;

  // Clusters. The `local` cluster is created by the first migration and cannot be deleted.
  // `credentials` is opaque (already encrypted by the caller) and never returned by get/list.
  virtual Result<Cluster> create_cluster(const Cluster& cluster, const std::string& credentials) = 0;
  virtual Result<Cluster> get_cluster(const std::string& name) = 0;
  virtual Result<std::string> get_cluster_credentials(const std::string& name) = 0;
  virtual Result<Page<Cluster>> list_clusters(const ListOptions& options) = 0;
  virtual Status delete_cluster(const std::string& name) = 0;

  // Apps of a project. Deleting an app deletes its releases and instances.
  virtual Result<App> create_app(const App& app) = 0;
  virtual Result<App> get_app(const std::string& project, const std::string& name) = 0;
  virtual Result<Page<App>> list_apps(const std::string& project, const ListOptions& options) = 0;
  virtual Result<App> update_app(const App& app) = 0;
  virtual Status delete_app(const std::string& project, const std::string& name,
                            int64_t resource_version) = 0;

  // Releases. create_release numbers the release (max revision + 1 for its app x environment) and, in
  // the same transaction, fails every older pending or progressing release of that app x environment
  // with reason "Superseded by revision N". The app and environment must exist (`not_found`).
  virtual Result<Release> create_release(const Release& release) = 0;
  virtual Result<Release> get_release(const ReleaseKey& key, int64_t revision) = 0;
  // Newest first.
  virtual Result<Page<Release>> list_releases(const ReleaseKey& key, const ListOptions& options) = 0;
  // The newest `limit` releases, newest first, for planning (no pagination token).
  virtual Result<std::vector<Release>> recent_releases(const ReleaseKey& key, int limit) = 0;
  // Updates status, reason, image digest, cluster rollouts and finished_at of one release. Refuses
  // (`conflict`) a status change that can_transition() forbids and a stale resource_version.
  virtual Result<Release> update_release_status(const Release& release) = 0;
  // The automatic return after a failed rollout, in one transaction: stores `failed` (status failed, as
  // update_release_status does) and creates `revert` (as create_release does). Returns the new release.
  // Both happen or neither, so a crash in between can neither lose the return nor make it twice.
  virtual Result<Release> fail_and_revert(const Release& failed, const Release& revert) = 0;
  // The newest release of every app x environment when it is pending or progressing: the work list.
  virtual Result<std::vector<Release>> active_releases() = 0;
  // The newest release of every app x environment (the desired state) of `project`, or of all projects
  // when it is empty.
  virtual Result<std::vector<Release>> desired_releases(const std::string& project) = 0;

  // Instances as last observed by a driver: replaced wholesale per app x environment x cluster.
  virtual Status replace_instances(const ReleaseKey& key, const std::string& cluster,
                                   const std::vector<Instance>& instances) = 0;
  virtual Result<std::vector<Instance>> list_instances(const ReleaseKey& key) = 0;

  // Config of an app x environment (store/sqlite/sqlite_store_config.cpp). Secret values reach the store
  // sealed (the API seals and unseals them): the store keeps, compares and copies them as opaque text and
  // never searches them. The app and the environment must exist (`not_found`).
  //
  // The working copy. Before the first save: an empty draft based on the latest version, resource_version 0.
  virtual Result<ConfigDraft> get_config_draft(const ConfigKey& key) = 0;
  // Replaces the draft's items and base_version wholesale (items sorted by key, keys unique: `conflict`
  // otherwise); draft.resource_version must equal the stored one (0 skips the check).
  virtual Result<ConfigDraft> save_config_draft(const ConfigDraft& draft) = 0;
  // Publishes the stored draft as version N+1 (N: the newest version, 0 when none) in one transaction:
  // versions are numbered without gaps however many publish at once. `draft_resource_version` must equal
  // the draft's (what the caller validated; 0 skips the check); a draft never saved is `invalid`. The
  // draft stays as it was, now based on N+1. `hot`: the version becomes live for config clients at once
  // (see live_config_version) instead of with the next release.
  virtual Result<ConfigVersion> publish_config(const ConfigKey& key, int64_t draft_resource_version,
                                               const std::string& message, const std::string& author,
                                               bool hot = false) = 0;
  // One version with its items; `not_found` when it does not exist.
  virtual Result<ConfigVersion> get_config_version(const ConfigKey& key, int64_t version) = 0;
  // Newest first, without items.
  virtual Result<Page<ConfigVersion>> list_config_versions(const ConfigKey& key,
                                                           const ListOptions& options) = 0;
  // The newest version's number, 0 when none was published.
  virtual Result<int64_t> latest_config_version(const ConfigKey& key) = 0;
  // The version config clients (watchers, Apollo clients) should have now: a version published hot after
  // the newest release that has not failed; else that release's version (so a rollback takes clients
  // back too); else, when no release carries one, the latest published version; 0 when none.
  virtual Result<int64_t> live_config_version(const ConfigKey& key) = 0;
  // Access keys of the Apollo-compatible API; secrets stay sealed here like secret item values.
  virtual Result<ConfigAccessKey> create_config_access_key(const ConfigAccessKey& key) = 0;
  virtual Result<std::vector<ConfigAccessKey>> list_config_access_keys(const ConfigKey& key) = 0;
  virtual Status delete_config_access_key(const ConfigKey& key, int64_t id) = 0;
  // Items of the project's drafts whose key, non-secret value or comment contains `text` (ASCII case
  // insensitive), ordered by app, environment and key. A missing project is `not_found`.
  virtual Result<Page<ConfigSearchHit>> search_config(const std::string& project, const std::string& text,
                                                      const ListOptions& options) = 0;

  // Users and API tokens.
  virtual Result<User> create_user(const User& user) = 0;
  virtual Result<User> get_user(const std::string& name) = 0;
  virtual Result<Page<User>> list_users(const ListOptions& options) = 0;
  // Versioned. Sets the display name and the administrator flag of an existing user; `not_found`.
  virtual Result<User> update_user(const User& user) = 0;
  // Versioned. Deletes a user together with their tokens, sessions and the bindings that name them (one
  // transaction: nothing of theirs keeps working); `not_found`. The audit log keeps their records.
  virtual Status delete_user(const std::string& name) = 0;
  virtual Result<ApiToken> create_token(const ApiToken& token) = 0;
  // `not_found` when no token has this hash (or it has expired).
  virtual Result<ApiToken> find_token_by_hash(const std::string& hash) = 0;

  // Custom roles (the built-in ones are in core/role.h and never stored). Names are unique; update and
  // delete check resource_version like every other resource (0 skips the check). Deleting a role that
  // bindings still use is `conflict` (the message names the projects).
  virtual Result<Role> create_role(const Role& role) = 0;
  virtual Result<Role> get_role(const std::string& name) = 0;
  virtual Result<std::vector<Role>> list_roles() = 0;
  virtual Result<Role> update_role(const Role& role) = 0;
  virtual Status delete_role(const std::string& name, int64_t resource_version) = 0;

  // Role bindings of a project (deleted with it). The subject need not exist as a local user: LDAP users
  // and groups are bound before they first log in. The same subject and role twice in a project is
  // `conflict`; a missing project is `not_found`.
  virtual Result<RoleBinding> create_binding(const RoleBinding& binding) = 0;
  virtual Result<std::vector<RoleBinding>> list_bindings(const std::string& project) = 0;
  virtual Status delete_binding(const std::string& project, int64_t id) = 0;
  // Gives binding `id` another role and environments in one step (the subject stays); `not_found`, or
  // `conflict` when the subject already has that role in another binding.
  virtual Result<RoleBinding> update_binding(const std::string& project, int64_t id, const std::string& role,
                                             const std::vector<std::string>& environments) = 0;
  // Every binding of a group subject, across projects, ordered by group, project and id: the groups API.
  virtual Result<std::vector<RoleBinding>> group_bindings() = 0;
  // Every binding naming `user` or one of `groups`, across projects: what authorisation needs.
  virtual Result<std::vector<RoleBinding>> bindings_of(const std::string& user,
                                                       const std::vector<std::string>& groups) = 0;

  // The audit log. Records of API calls that changed something are written by the change's own
  // transaction (store/audit_scope.h); append_audit is for calls that changed nothing (refused, failed).
  virtual Status append_audit(const AuditRecord& record) = 0;
  // Newest first; the continue token pages further back.
  virtual Result<Page<AuditRecord>> list_audit(const AuditQuery& query, const ListOptions& options) = 0;
};

}  // namespace wharf
