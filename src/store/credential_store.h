// CredentialStore: what logging in needs from the store and the API must never return: password hashes,
// where a user comes from (local or the LDAP directory), console sessions; and the listing and revoking
// of API tokens. Kept apart from Store so that no handler encoding a User can reach a hash by accident.
//
// Contract as Store's (atomic calls, `not_found`, `unavailable`, thread-safe, blocking). Writes marked
// "versioned" bump the store's resource version and carry the audit record of the API call in progress
// (store/audit_scope.h); session bookkeeping is not a resource change and does neither.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "store/store.h"

namespace wharf {

inline constexpr const char* kSourceLocal = "local";
inline constexpr const char* kSourceLdap = "ldap";

struct Credentials {
  std::string user;
  std::string display_name;
  bool admin = false;
  std::string source = kSourceLocal;  // kSourceLocal or kSourceLdap
  std::string password_hash;          // argon2id PHC string; empty: no local password
  bool must_change_password = false;
};

// A console session. Only hashes of its secrets are stored.
struct SessionRecord {
  std::string id_hash;  // SHA-256 of the cookie's secret
  std::string user;
  std::string csrf_hash;                             // SHA-256 of the CSRF token
  std::string created_at, expires_at, last_seen_at;  // RFC 3339; expires_at is the absolute end
  std::string remote;                                // client address at login
};

class CredentialStore {
 public:
  virtual ~CredentialStore() = default;

  // `not_found` when there is no such user.
  virtual Result<Credentials> get_credentials(const std::string& user) = 0;

  // Versioned. Creates a local user with a password hash (empty: none) in one transaction; `conflict` when
  // the name is taken.
  virtual Result<User> create_local_user(const User& user, const std::string& password_hash,
                                         bool must_change_password) = 0;
  // Versioned. Sets the local password of an existing user (making it a local user); `not_found`.
  virtual Status set_password(const std::string& user, const std::string& password_hash,
                              bool must_change_password) = 0;
  // Versioned. Creates or updates the row of a directory user after a successful LDAP login: source
  // 'ldap', no password, display name from the directory, never admin by this call. `conflict` when a
  // local user with a password has that name.
  virtual Result<User> upsert_directory_user(const std::string& user, const std::string& display_name) = 0;

  // Sessions (not versioned).
  virtual Status create_session(const SessionRecord& session) = 0;
  // `not_found` when unknown (expiry is the caller's decision).
  virtual Result<SessionRecord> find_session(const std::string& id_hash) = 0;
  virtual Status touch_session(const std::string& id_hash, const std::string& last_seen_at) = 0;
  // Deleting a missing session is not an error.
  virtual Status delete_session(const std::string& id_hash) = 0;
  // Ends every session of `user` except `keep_id_hash` (may be empty); returns how many ended.
  virtual Result<int> delete_sessions_of(const std::string& user, const std::string& keep_id_hash) = 0;
  // Deletes sessions whose absolute end or idle limit has passed: expires_at < now or last_seen_at <
  // idle_before (RFC 3339 texts). Returns how many.
  virtual Result<int> purge_sessions(const std::string& now, const std::string& idle_before) = 0;

  // API tokens of `user`, oldest first, hashes included (callers must not show them). `not_found` when the
  // user does not exist.
  virtual Result<std::vector<ApiToken>> list_tokens(const std::string& user) = 0;
  // Versioned. Deletes the token `id` of `user` and returns it (for its hash); `not_found` when the user
  // has no such token.
  virtual Result<ApiToken> delete_token(const std::string& user, const std::string& id) = 0;
};

}  // namespace wharf
