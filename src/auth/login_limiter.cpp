#include "auth/login_limiter.h"

#include <algorithm>

namespace wharf {

LoginLimiter::LoginLimiter(Policy policy, Clock clock) : policy_(policy), clock_(std::move(clock)) {}

std::string LoginLimiter::host_of(const std::string& remote) {
  if (!remote.empty() && remote.front() == '[') {
    auto close = remote.find(']');
    return close == std::string::npos ? remote : remote.substr(1, close - 1);
  }
  // "host:port", or an IPv6 address as the server prints it (without brackets) and then ":port".
  auto colon = remote.rfind(':');
  return colon == std::string::npos ? remote : remote.substr(0, colon);
}

std::chrono::seconds LoginLimiter::delay_for(int failures) const {
  if (failures < policy_.free_failures) return std::chrono::seconds(0);
  auto delay = policy_.first_delay;
  for (int i = policy_.free_failures; i < failures && delay < policy_.max_delay; ++i) delay *= 2;
  return std::min(delay, policy_.max_delay);
}

bool LoginLimiter::expired(const Entry& e, std::chrono::steady_clock::time_point now) const {
  // Forgotten `window` after the wait the last failure imposed, so a steady attack stays at the cap.
  return now - e.last_failure >= delay_for(e.failures) + policy_.window;
}

std::chrono::seconds LoginLimiter::wait_of(const Entry& e, std::chrono::steady_clock::time_point now) const {
  if (expired(e, now)) return std::chrono::seconds(0);
  auto until = e.last_failure + delay_for(e.failures);
  if (until <= now) return std::chrono::seconds(0);
  // Rounded up, so that a client waiting exactly this long is let in.
  auto left = std::chrono::ceil<std::chrono::seconds>(until - now);
  return std::max(left, std::chrono::seconds(1));
}

std::chrono::seconds LoginLimiter::retry_after(const std::string& user, const std::string& address) {
  const auto now = clock_();
  std::lock_guard lock(mu_);
  std::chrono::seconds wait(0);
  for (const auto& key : {"u:" + user, "a:" + address}) {
    auto it = entries_.find(key);
    if (it != entries_.end()) wait = std::max(wait, wait_of(it->second, now));
  }
  return wait;
}

void LoginLimiter::fail_key(const std::string& key, std::chrono::steady_clock::time_point now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= policy_.max_keys) {
      // Forget what has expired; if that frees nothing, the key whose last failure is oldest.
      std::erase_if(entries_, [&](const auto& kv) { return expired(kv.second, now); });
      if (entries_.size() >= policy_.max_keys) {
        auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
          return a.second.last_failure < b.second.last_failure;
        });
        entries_.erase(oldest);
      }
    }
    it = entries_.emplace(key, Entry{}).first;
  }
  Entry& e = it->second;
  if (e.failures > 0 && expired(e, now)) e.failures = 0;
  e.failures = std::min(e.failures + 1, 1000);
  e.last_failure = now;
}

void LoginLimiter::record_failure(const std::string& user, const std::string& address) {
  const auto now = clock_();
  std::lock_guard lock(mu_);
  fail_key("u:" + user, now);
  fail_key("a:" + address, now);
}

void LoginLimiter::record_success(const std::string& user) {
  std::lock_guard lock(mu_);
  entries_.erase("u:" + user);
}

}  // namespace wharf
