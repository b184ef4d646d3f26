// SessionManager: console sessions. A session is a random 256-bit secret in an HttpOnly, SameSite=Strict
// cookie plus a CSRF token the console sends back in the X-CSRF-Token header of every mutating call; the
// store keeps only SHA-256 hashes of both. A session ends at logout, after `idle` without a request, or
// `lifetime` after login, whichever comes first.
//
// Thread-safe; every call blocks for a store query (find() writes at most once per `touch_every` per
// session, to move the idle deadline).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "auth/identity.h"
#include "core/error.h"
#include "store/credential_store.h"

namespace wharf {

struct SessionPolicy {
  std::chrono::seconds idle{12 * 3600};
  std::chrono::seconds lifetime{7 * 24 * 3600};
  std::chrono::seconds touch_every{60};
};

class SessionManager {
 public:
  static constexpr std::string_view kCookieName = "wharf_session";
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  explicit SessionManager(CredentialStore& store, SessionPolicy policy = {},
                          Clock clock = std::chrono::system_clock::now);

  struct Issued {
    std::string secret;      // the cookie's value: sent once, in Set-Cookie
    std::string csrf_token;  // the console keeps it and sends it in X-CSRF-Token
    std::string expires_at;  // RFC 3339: the absolute end
  };
  Result<Issued> create(const std::string& user, const std::string& remote);

  // The live session whose cookie value is `secret`; `unauthorized` when unknown, ended or expired (an
  // expired one is deleted).
  Result<SessionRecord> find(std::string_view secret);

  // Ends the session with this id hash (nothing when it is already gone).
  Status end(const std::string& id_hash);

  // The value of our cookie in a Cookie request header, or "" when it is not there.
  static std::string cookie_of(std::string_view cookie_header);
  // Set-Cookie header values that set and clear the cookie.
  std::string set_cookie(const std::string& secret) const;
  static std::string clear_cookie();
  // Whether `token` (the X-CSRF-Token header) is the CSRF token of the session `who` authenticated with.
  static bool csrf_matches(const Identity& who, std::string_view token);

  const SessionPolicy& policy() const { return policy_; }

 private:
  CredentialStore& store_;
  const SessionPolicy policy_;
  const Clock clock_;
  std::atomic<int64_t> last_purge_{0};  // seconds since the epoch
};

}  // namespace wharf
