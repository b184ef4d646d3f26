// ReleaseController: moves releases from the store through a Runtime and writes observed state back.
//
// Level-triggered and idempotent: each pass reads the desired state (the newest release of every app x
// environment) from the store, hands it to the driver of each cluster of the environment, observes, and
// writes status and instances only when they changed. Nothing is remembered between passes that the
// store does not also hold, so a kill -9 at any moment followed by a restart converges: the next pass
// re-applies the same desired state (drivers' apply() is idempotent) and carries on.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "controller/config_version_cache.h"
#include "events/event_bus.h"
#include "runtime/runtime.h"
#include "store/store.h"

namespace wharf {

class SecretBox;

class ReleaseController {
 public:
  using Clock = std::chrono::system_clock;

  // `secrets` unseals the secret items of releases' config versions; null when the server has none (a
  // release whose config has secret items then fails).
  ReleaseController(Store& store, RuntimeRegistry& runtimes, EventBus& bus, const SecretBox* secrets);
  ~ReleaseController();

  // What a pass visits. kActive: pending and progressing releases (apply and observe). kObserve: also
  // refreshes the instances and cluster rollouts of finished releases (a driver reported a change).
  // kResync: also re-applies finished releases (drift repair) and removes workloads whose app or
  // environment is gone.
  enum class Pass { kActive, kObserve, kResync };

  // One pass. Returns how many releases changed status. Fails only when the work list cannot be read; a
  // failing release is logged and retried on the next pass.
  Result<int> reconcile_once(Pass pass);

  // Runs passes on a thread: on wake() or observe_soon(), every `interval`, and a resync every
  // `resync_interval`.
  void start(std::chrono::milliseconds interval, std::chrono::milliseconds resync_interval);
  // Asks for a pass soon (after a new release was stored). Thread-safe, never blocks.
  void wake();
  // Asks for a kObserve pass soon (a driver's change listener). Thread-safe, never blocks.
  void observe_soon();
  // Stops the thread and waits for the pass in progress to finish.
  void stop();

  // For tests: the clock used for progress deadlines.
  void set_clock(std::function<Clock::time_point()> now) { now_ = std::move(now); }

 private:
  // Applies and observes one release on every cluster of its environment; returns true if its status
  // changed in the store.
  Result<bool> reconcile_release(const Release& release, Pass pass);
  // Stores a release that just failed. A failed deploy returns the app to its previous good release: the
  // failure and the new rollback release are written in one transaction.
  Result<bool> store_failure(const Release& failed);
  // Removes from every driver the workloads that no desired release asks for any more.
  void remove_abandoned_workloads(const std::vector<Release>& desired);
  void publish_release(const Release& release, const char* type);
  // The release's config version with plaintext secrets, for the drivers; null when it has none. Errors:
  // `not_found` (the version does not exist), `internal`/`unavailable` from unsealing, or the store's.
  Result<std::shared_ptr<const ConfigVersion>> config_of(const Release& release);

  Store& store_;
  RuntimeRegistry& runtimes_;
  EventBus& bus_;
  std::function<Clock::time_point()> now_ = [] { return Clock::now(); };

  // Last instance lists written, to skip identical writes. Only an optimisation: losing it (restart)
  // costs one redundant write per workload.
  std::map<std::string, std::vector<Instance>> written_instances_;

  ConfigVersionCache configs_;  // plaintext config versions for the drivers

  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
  bool observe_wanted_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace wharf
