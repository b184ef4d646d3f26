// TokenAuthenticator: bearer tokens for the API, and the first-start bootstrap of the admin account.
//
// Tokens are random 192-bit secrets; only their SHA-256 is stored (a high-entropy secret needs no slow
// hash). Validated tokens are cached for a few seconds so the hot path does not hit the store; a revoked
// token therefore stops working within kCacheTtl. Thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/identity.h"
#include "core/error.h"
#include "store/credential_store.h"
#include "store/store.h"

namespace wharf {

class TokenAuthenticator {
 public:
  static constexpr std::chrono::seconds kCacheTtl{5};
  static constexpr const char* kAdminUser = "admin";

  // `credentials` (may be null: every user counts as local) tells local users from directory users and
  // lists and revokes tokens.
  explicit TokenAuthenticator(Store& store, CredentialStore* credentials = nullptr)
      : store_(store), credentials_(credentials) {}

  // Ensures the `admin` user exists and `data_dir/admin-token` (mode 0600) holds a token that works.
  // Idempotent: an existing admin and a working token file are kept as they are.
  Status bootstrap(const std::filesystem::path& data_dir);

  struct IssuedToken {
    std::string id;      // public, for listing and revoking
    std::string secret;  // shown once, never stored
  };
  // Creates a token for `user` (expiring at the RFC 3339 `expires_at`, or never when empty) and stores
  // only its hash.
  Result<IssuedToken> issue_token(const std::string& user, const std::string& name,
                                  const std::string& expires_at = "");

  // Checks an Authorization header value ("Bearer <token>"). `unauthorized` when missing or wrong.
  Result<Identity> authenticate(std::string_view authorization);

  // The tokens of `user` (hashes included: never show them). Needs `credentials`.
  Result<std::vector<ApiToken>> list(const std::string& user);
  // Deletes the token `id` of `user` and forgets it in this process's cache at once (another process
  // serving the same store would notice within kCacheTtl). `not_found` when the user has no such token.
  Status revoke(const std::string& user, const std::string& id);
  // Forgets every cached token of `user` (after the user was deleted or changed), so the next request
  // reads the store again.
  void forget_user(const std::string& user);

 private:
  struct Cached {
    Identity identity;
    std::chrono::steady_clock::time_point until;
  };
  Store& store_;
  CredentialStore* credentials_;
  std::mutex mu_;
  std::unordered_map<std::string, Cached> cache_;  // token hash -> identity
};

}  // namespace wharf
