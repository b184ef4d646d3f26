// The I/O of one instance's life: bringing its container up (root file system, network, bundle, shim) and
// tearing everything down again. Both are idempotent, so a step interrupted by a crash is simply repeated.
// Blocking; safe to call concurrently for different instances.
#pragma once

#include <chrono>
#include <string>

#include "core/qos.h"
#include "runtime/local/host_layout.h"
#include "runtime/local/instance_record.h"

namespace wharf::local {

struct StartedContainer {
  int init_pid = 0;
  int shim_pid = 0;
};

// Sets up what is missing (rootfs, network namespace and address — kept across restarts, so the address of
// an instance is stable —, config.json), removes a previous container of the same name, and starts a shim
// that creates and starts the container. Fills record.ip. Errors: `invalid` when the spec or image cannot
// run (nothing to run, unknown user), `unavailable` otherwise (the message says which step failed).
Result<StartedContainer> start_container(const HostLayout& layout, InstanceRecord& record,
                                         const TierRatio& ratio);

// Stops the container (SIGTERM, then SIGKILL after `grace`), and removes it, its shim, network attachment,
// namespace, root file system, cgroup and directory. Returns the first error; every step runs regardless.
Status teardown_instance(const HostLayout& layout, const std::string& name, std::chrono::milliseconds grace);

// Kills the container's processes (liveness failure); the shim records the exit.
Status kill_container(const HostLayout& layout, const std::string& name);

// Whether `pid` is the shim of the instance in `dir` (and not a process that reused the pid).
bool is_shim_of(int pid, const std::string& dir);

}  // namespace wharf::local
