// Authenticator: who is calling. An Authorization header is a bearer token (TokenAuthenticator); without
// one, the console's session cookie (SessionManager). Users from the LDAP directory get their current
// groups (DirectoryGroups), so a group removed in the directory removes the access it granted.
//
// Thread-safe; blocks for store reads and, for directory users whose groups are older than a minute, for
// one directory lookup.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/directory.h"
#include "auth/identity.h"
#include "auth/session_manager.h"
#include "auth/token_authenticator.h"
#include "core/error.h"
#include "store/credential_store.h"

namespace wharf {

// The groups of directory users, read from the directory at most every `max_age` per user.
class DirectoryGroups {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  // `directory` may be null (no LDAP configured); it must outlive this object.
  explicit DirectoryGroups(Directory* directory, std::chrono::seconds max_age = std::chrono::seconds(60),
                           Clock clock = std::chrono::steady_clock::now);

  Directory* directory() const { return directory_; }

  // Records groups just read (at login).
  void remember(const std::string& user, std::vector<std::string> groups);

  // The user's groups: cached when younger than max_age, else looked up. `unavailable` (the directory's
  // message) when the directory cannot answer and the cache is stale or empty; `unauthorized` when the
  // directory no longer has the user; `unavailable` when no directory is configured.
  Result<std::vector<std::string>> groups_of(const std::string& user);

 private:
  struct Entry {
    std::vector<std::string> groups;
    std::chrono::steady_clock::time_point read_at;
  };
  Directory* const directory_;
  const std::chrono::seconds max_age_;
  const Clock clock_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;
};

class Authenticator {
 public:
  struct Request {
    std::string_view authorization;  // the Authorization header
    std::string_view cookie;         // the Cookie header
  };

  Authenticator(TokenAuthenticator& tokens, SessionManager& sessions, CredentialStore& credentials,
                DirectoryGroups& groups)
      : tokens_(tokens), sessions_(sessions), credentials_(credentials), groups_(groups) {}

  // The caller's identity; `unauthorized` without valid credentials; `unavailable` when a directory
  // user's groups cannot be read.
  Result<Identity> authenticate(const Request& request);

 private:
  Status add_directory_groups(Identity& id);

  TokenAuthenticator& tokens_;
  SessionManager& sessions_;
  CredentialStore& credentials_;
  DirectoryGroups& groups_;
};

}  // namespace wharf
