// LoginLimiter: slows down password guessing. Failures are counted per user name and per client address;
// after `free_failures` failures within `window`, the next attempt must wait `first_delay`, doubling with
// every further failure up to `max_delay`. A successful login forgets the user name's failures (not the
// address's: one address guessing many names stays slowed). A key is forgotten `window` after the wait
// its last failure imposed has passed.
//
// State is in memory and bounded (`max_keys`; the stalest keys are dropped first). The clock is injected
// for tests. Thread-safe; never blocks beyond a mutex.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace wharf {

struct LoginLimitPolicy {
  int free_failures = 5;
  std::chrono::seconds window{15 * 60};
  std::chrono::seconds first_delay{30};
  std::chrono::seconds max_delay{15 * 60};
  size_t max_keys = 10000;
};

class LoginLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  using Policy = LoginLimitPolicy;

  explicit LoginLimiter(Policy policy = {}, Clock clock = std::chrono::steady_clock::now);

  // How long an attempt for `user` from `address` must still wait: zero when it may go ahead, else at
  // least one second (the value of a Retry-After header).
  std::chrono::seconds retry_after(const std::string& user, const std::string& address);

  void record_failure(const std::string& user, const std::string& address);
  void record_success(const std::string& user);

  // The host part of a "host:port" or "[v6]:port" peer address (what failures are counted by).
  static std::string host_of(const std::string& remote);

 private:
  struct Entry {
    int failures = 0;
    std::chrono::steady_clock::time_point last_failure;
  };
  std::chrono::seconds delay_for(int failures) const;
  bool expired(const Entry& e, std::chrono::steady_clock::time_point now) const;
  std::chrono::seconds wait_of(const Entry& e, std::chrono::steady_clock::time_point now) const;
  void fail_key(const std::string& key, std::chrono::steady_clock::time_point now);

  const Policy policy_;
  const Clock clock_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // "u:<name>" and "a:<address>"
};

}  // namespace wharf
