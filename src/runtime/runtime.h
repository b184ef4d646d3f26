// Runtime: the one interface both drivers (local runc, Kubernetes) implement. Code above it never knows
// which one it talks to. Shaped like Nomad's driver contract, but declarative: the controller hands a
// driver the whole desired state of one app x environment on one cluster, and the driver converges.
//
// Contract:
// - apply() is idempotent and returns without waiting for the rollout; repeating it after a crash or
//   with unchanged input changes nothing. Progress is read with observe().
// - Errors are `unavailable` when the cluster cannot be reached (retry later) and `invalid` when the
//   desired state can never run there (the release fails with the message as its reason).
// - Implementations are thread-safe; calls may block on I/O for a bounded time.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config_version.h"
#include "core/error.h"
#include "core/instance.h"
#include "core/release.h"
#include "store/store.h"

namespace wharf {

// The desired state of one app x environment on one cluster: the release to run (replicas 0 = offline).
struct Workload {
  ReleaseKey key;
  std::string cluster;
  std::string ns;  // namespace (Kubernetes) or equivalent grouping
  Release release;
  // The release's config version (release.config_version) with secret values in plaintext, for the
  // driver to deliver: file items under the app's config mount, scalar items as environment variables.
  // Null when the release has no config version. Versions are immutable: drivers may cache by number.
  std::shared_ptr<const ConfigVersion> config;
};

struct WorkloadStatus {
  ReleaseStatus rollout = ReleaseStatus::kProgressing;  // progressing until ready == desired on this revision
  int ready = 0;                                        // ready instances running the release's revision
  int desired = 0;
  std::string reason;        // why it failed or what it waits for
  std::string image_digest;  // once the image is resolved
  // What someone changed outside Wharf in the objects Wharf manages ("replicas 3 -> 5 by kubectl"), empty
  // when nothing. The next apply() restores the desired state; the controller reports it on the app.
  std::string drift;
  std::vector<Instance> instances;
};

// Which log lines to read (the logs endpoint's query).
struct LogQuery {
  std::string instance;     // one instance by name; empty: every instance of the workload
  std::optional<int> tail;  // the last N lines of each instance
  std::optional<std::chrono::system_clock::time_point> since;
  bool follow = false;      // keep streaming new lines (across restarts of the instance) until closed
  bool timestamps = false;  // prefix each line with its RFC 3339 time (UTC, nanoseconds) and a space
};

// Log output produced over time. Lines end in '\n'; with several instances each line starts with
// "[instance] ". Mirrors the HTTP layer's ResponseStream without depending on it.
class LogStream {
 public:
  virtual ~LogStream() = default;
  // Called once before the first poll() with a callback any thread may call when output is ready.
  virtual void set_notify(std::function<void()> notify) = 0;
  // Appends the output ready now to `out`; returns false when the stream has ended (everything read and
  // not following, or the workload is gone).
  virtual bool poll(std::string& out) = 0;
};

class Runtime {
 public:
  virtual ~Runtime() = default;
  virtual std::string_view type() const = 0;  // "local", "kubernetes"

  virtual Status apply(const Workload& desired) = 0;
  virtual Result<WorkloadStatus> observe(const Workload& desired) = 0;
  // Removes everything the driver created for the app x environment on the cluster (app deletion).
  // `ns` is empty when the environment no longer exists: the driver then finds the workload itself.
  virtual Status remove(const ReleaseKey& key, const std::string& cluster, const std::string& ns) = 0;
  // Every app x environment the driver runs something for on `cluster` (also offline ones), so the
  // controller can remove workloads whose app or environment was deleted.
  virtual Result<std::vector<ReleaseKey>> list_workloads(const std::string& cluster) = 0;

  // Log lines of the workload's instances. `not_found` when the named instance does not exist.
  virtual Result<std::unique_ptr<LogStream>> logs(const ReleaseKey& key, const std::string& cluster,
                                                  const std::string& ns, const LogQuery& query) = 0;

  // Drivers call `changed` (from any thread, cheaply) when something they observe changed, so the
  // controller passes soon instead of at its next interval. Set once, before the first apply().
  virtual void set_change_listener(std::function<void()> changed) { (void)changed; }
  // Appends the driver's metric families (Prometheus text format, with HELP and TYPE) to `out`.
  virtual void render_metrics(std::string& out) { (void)out; }
};

// Which driver serves a cluster. nullptr when no driver serves it (yet): its releases stay pending.
class RuntimeRegistry {
 public:
  virtual ~RuntimeRegistry() = default;
  virtual Runtime* for_cluster(const std::string& cluster) = 0;
  // Every cluster with its driver, for passes over all of them (garbage collection, metrics).
  virtual std::vector<std::pair<std::string, Runtime*>> all() = 0;
};

}  // namespace wharf
