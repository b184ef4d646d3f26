#include "auth/session_manager.h"

#include "util/clock.h"
#include "util/crypto.h"

namespace wharf {

SessionManager::SessionManager(CredentialStore& store, SessionPolicy policy, Clock clock)
    : store_(store), policy_(policy), clock_(std::move(clock)) {}

Result<SessionManager::Issued> SessionManager::create(const std::string& user, const std::string& remote) {
  const auto now = clock_();
  // Ended sessions are swept now and then, on the write path, so the table stays small.
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (now_s - last_purge_.load() > 600) {
    last_purge_ = now_s;
    (void)store_.purge_sessions(to_rfc3339(now), to_rfc3339(now - policy_.idle));
  }
  Issued issued{random_hex(32), random_hex(32), to_rfc3339(now + policy_.lifetime)};
  const std::string at = to_rfc3339(now);
  SessionRecord r{
      sha256_hex(issued.secret), user, sha256_hex(issued.csrf_token), at, issued.expires_at, at, remote};
  if (auto s = store_.create_session(r); !s) return fail(std::move(s.error()));
  return issued;
}

Result<SessionRecord> SessionManager::find(std::string_view secret) {
  const auto ended = [] {
    return fail(
        Error::unauthorized("your session has ended (logged out, idle too long or too old); log in again"));
  };
  if (secret.empty() || secret.size() > 128) return ended();
  auto r = store_.find_session(sha256_hex(secret));
  if (!r) {
    if (r.error().code == ErrorCode::kNotFound) return ended();
    return fail(std::move(r.error()));
  }
  const auto now = clock_();
  auto expires = parse_rfc3339(r->expires_at);
  auto seen = parse_rfc3339(r->last_seen_at);
  if (!expires || !seen || *expires <= now || *seen + policy_.idle <= now) {
    (void)store_.delete_session(r->id_hash);
    return ended();
  }
  if (now - *seen >= policy_.touch_every) {
    r->last_seen_at = to_rfc3339(now);
    // A failed touch only shortens the session; the request itself may proceed.
    (void)store_.touch_session(r->id_hash, r->last_seen_at);
  }
  return r;
}

Status SessionManager::end(const std::string& id_hash) {
  return store_.delete_session(id_hash);
}

std::string SessionManager::cookie_of(std::string_view header) {
  while (!header.empty()) {
    auto semi = header.find(';');
    std::string_view part = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    auto eq = part.find('=');
    if (eq == std::string_view::npos || part.substr(0, eq) != kCookieName) continue;
    auto value = part.substr(eq + 1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    return std::string(value);
  }
  return "";
}

std::string SessionManager::set_cookie(const std::string& secret) const {
  // No Max-Age: the cookie lives as long as the browser session; the server ends it earlier when idle.
  // TODO(tls): add "; Secure" once the server serves TLS itself (it serves plain HTTP today, and a
  // Secure cookie would never be sent back over it).
  return std::string(kCookieName) + "=" + secret + "; HttpOnly; SameSite=Strict; Path=/";
}

std::string SessionManager::clear_cookie() {
  return std::string(kCookieName) + "=; Max-Age=0; HttpOnly; SameSite=Strict; Path=/";
}

bool SessionManager::csrf_matches(const Identity& who, std::string_view token) {
  if (who.session_csrf.empty() || token.empty() || token.size() > 128) return false;
  return constant_time_equal(sha256_hex(token), who.session_csrf);
}

}  // namespace wharf
