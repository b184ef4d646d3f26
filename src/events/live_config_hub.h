// LiveConfigHub: the live config version of each app x environment (Store::live_config_version) for config
// clients that wait for a change (long polls of the config API and of the Apollo-compatible API).
//
// Every read goes to the store (a caller who just rolled back reads the version it rolled back to); the
// hub remembers the last reading per app x environment with its waiters. A reading that differs wakes them,
// and a release or config event on the bus makes the hub read that app x environment again on its own
// thread, so waiters hear of changes nobody asked about. A rollback makes the live version go down, so
// waiters wait for "different", not "greater".
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.h"
#include "events/event_bus.h"
#include "store/store.h"

namespace wharf {

// One waiting client. Dropping the last reference cancels the wait.
class LiveConfigWaiter {
 public:
  explicit LiveConfigWaiter(std::function<void(int64_t)> wake) : wake_(std::move(wake)) {}

 private:
  friend class LiveConfigHub;
  std::function<void(int64_t)> wake_;
};

class LiveConfigHub {
 public:
  LiveConfigHub(Store& store, EventBus& bus);
  ~LiveConfigHub();
  LiveConfigHub(const LiveConfigHub&) = delete;
  LiveConfigHub& operator=(const LiveConfigHub&) = delete;

  // The live version, 0 when none, read from the store; `not_found` when the app or the environment does
  // not exist.
  Result<int64_t> live(const ConfigKey& key);
  // Calls `wake(version)` once when the live version of `key` is not `known`: at once (on this thread)
  // when it already differs, else on the hub's thread when it changes. The wait lasts while the caller
  // holds the returned waiter.
  Result<std::shared_ptr<LiveConfigWaiter>> wait(const ConfigKey& key, int64_t known,
                                                 std::function<void(int64_t)> wake);
  // Number of waits in progress (metrics, tests).
  size_t waiting();

 private:
  struct Entry {
    int64_t version = 0;
    std::vector<std::weak_ptr<LiveConfigWaiter>> waiters;
  };
  using Key = std::tuple<std::string, std::string, std::string>;  // project, app, environment

  void run();
  void refresh(const Key& key);
  void subscribe();

  Store& store_;
  EventBus& bus_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<Key, Entry> entries_;
  std::shared_ptr<Subscription> sub_;
  bool events_ = false;  // the subscription has news; guarded by mu_
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace wharf
