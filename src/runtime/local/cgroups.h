// Reading what the kernel recorded about an instance's cgroup, on cgroup v1 (per-controller hierarchies,
// possibly with a controller-less v2 mount beside them: "hybrid") and on pure cgroup v2.
#pragma once

#include <cstdint>
#include <string>

#include "core/error.h"

namespace wharf::local {

enum class CgroupMode { kV1, kHybrid, kV2 };

// Which layout is mounted under `root` (normally /sys/fs/cgroup): v2 when root itself is a cgroup2 mount
// (it has cgroup.controllers), hybrid when it has per-controller directories and a "unified" v2 mount, v1
// otherwise. Reads the filesystem only.
CgroupMode detect_cgroup_mode(const std::string& root = "/sys/fs/cgroup");

struct MemoryEvents {
  int64_t oom_kills = 0;  // processes the OOM killer killed in the cgroup
  int64_t oom = 0;        // times the limit was hit and reclaim failed (v2 "oom"; v1 memory.failcnt)
};

// OOM figures for the cgroup at `path` ("/wharf/<instance>", as in the OCI cgroupsPath) under `root`:
// v2 reads <root><path>/memory.events; v1 and hybrid read <root>/memory<path>/memory.oom_control
// ("oom_kill", kernels >= 4.13) and memory.failcnt. Must be read before the cgroup is removed (runc delete).
// Returns `not_found` when the cgroup does not exist.
Result<MemoryEvents> read_memory_events(const std::string& path, const std::string& root = "/sys/fs/cgroup");

// Whether any hierarchy under `root` still has a cgroup at `path` (leftovers after deletion).
bool cgroup_exists(const std::string& path, const std::string& root = "/sys/fs/cgroup");

struct CgroupUsage {
  double cpu_seconds = 0;    // CPU time used by every process of the cgroup since it was created
  int64_t memory_bytes = 0;  // memory charged to it now (v2 memory.current, v1 memory.usage_in_bytes)
};

// Usage of the cgroup at `path` (as in the OCI cgroupsPath) under `root`; `not_found` when it does not exist.
Result<CgroupUsage> read_cgroup_usage(const std::string& path, const std::string& root = "/sys/fs/cgroup");

// Removes the cgroup at `path` from every hierarchy (empty cgroups only; what runc left after a crash).
void remove_cgroup(const std::string& path, const std::string& root = "/sys/fs/cgroup");

}  // namespace wharf::local
