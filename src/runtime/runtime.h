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

#include <string>
#include <string_view>
#include <vector>

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
};

struct WorkloadStatus {
  ReleaseStatus rollout = ReleaseStatus::kProgressing;  // progressing until ready == desired on this revision
  int ready = 0;                                        // ready instances running the release's revision
  int desired = 0;
  std::string reason;        // why it failed or what it waits for
  std::string image_digest;  // once the image is resolved
  std::vector<Instance> instances;
};

class Runtime {
 public:
  virtual ~Runtime() = default;
  virtual std::string_view type() const = 0;  // "local", "kubernetes"

  virtual Status apply(const Workload& desired) = 0;
  virtual Result<WorkloadStatus> observe(const Workload& desired) = 0;
  // Removes everything the driver created for the app x environment on the cluster (app deletion).
  virtual Status remove(const ReleaseKey& key, const std::string& cluster, const std::string& ns) = 0;
};

// Which driver serves a cluster. nullptr when no driver serves it (yet): its releases stay pending.
class RuntimeRegistry {
 public:
  virtual ~RuntimeRegistry() = default;
  virtual Runtime* for_cluster(const std::string& cluster) = 0;
};

}  // namespace wharf
