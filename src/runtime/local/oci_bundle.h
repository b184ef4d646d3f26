// The OCI runtime-spec config.json of one local instance (runtime-spec 1.0.2, as runc 1.1 reads it).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/qos.h"

namespace wharf::local {

// Who an instance is; exported to its process as WHARF_PROJECT, WHARF_APP, WHARF_ENV, WHARF_REVISION and
// WHARF_INSTANCE (empty fields are left out).
struct InstanceIdentity {
  std::string project;
  std::string app;
  std::string environment;
  int64_t revision = 0;  // 0: not exported
  std::string instance;
};

// What the image's config says about its process (OCI image config "config" object).
struct ImageProcess {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // "KEY=value"
  std::string working_dir;       // empty: "/"
};

struct BundleInputs {
  std::string instance;         // container id, hostname and cgroup leaf: a DNS label
  std::string rootfs;           // absolute path of the root filesystem
  bool readonly_rootfs = true;  // false when the rootfs has a writable layer of the instance's own
  ImageProcess image;
  std::vector<std::string> command;  // the app spec's command: replaces the image entrypoint (and its cmd)
  std::vector<std::string> args;     // the app spec's args: replace the image cmd
  std::map<std::string, std::string> env;         // the app spec's env
  std::map<std::string, std::string> config_env;  // the config version's scalar items
  // Host directory bind-mounted read-only at config_mount (the config version's files); empty: none.
  std::string config_dir;
  std::string config_mount;  // the app's configPath
  InstanceIdentity identity;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string netns_path;  // network namespace to join; empty: a new, unconnected one
  ResourceLimits limits;   // the app's resources
  TierRatio ratio;         // its tier's ratio (default_tier_ratio or the environment's override)
  int64_t pids_limit = 4096;
  // RLIMIT_NOFILE soft and hard. runc's default: raising it above the host's hard limit needs
  // CAP_SYS_RESOURCE, which the server may not have.
  uint64_t nofile = 1024;
};

// The cgroup resources an instance gets, derived from limits and tier (both drivers share requests_for).
// Unset fields are not written to the spec.
struct CgroupResources {
  std::optional<int64_t> memory_limit;        // bytes
  std::optional<int64_t> memory_reservation;  // bytes: the memory request
  std::optional<int64_t> cpu_quota;           // microseconds per cpu_period: the CPU limit
  int64_t cpu_period = 100000;
  std::optional<uint64_t> cpu_shares;  // from the CPU request: millis * 1024 / 1000, at least 2
  int64_t pids_limit = 4096;
};

// Pure: the cgroup numbers for `limits` under `ratio`.
CgroupResources cgroup_resources(const ResourceLimits& limits, const TierRatio& ratio, int64_t pids_limit);

// The process argv: command/args of the spec over entrypoint/cmd of the image, as Kubernetes does
// (command set: command + args, the image cmd ignored; only args set: entrypoint + args; neither: entrypoint
// + cmd). Pure.
std::vector<std::string> process_args(const ImageProcess& image, const std::vector<std::string>& command,
                                      const std::vector<std::string>& args);

// The process environment: image env, then the config version's scalars (config is what operators change
// per environment, so it overrides the image's defaults), then the app spec's env (an explicit setting of
// the app overrides both), then the WHARF_* identity variables (override all); PATH defaulted when nobody
// sets it. Order is stable. Pure.
std::vector<std::string> process_env(const BundleInputs& in);

// Returns the config.json text for `in`, or `invalid` when there is nothing to run (no args) or the
// instance name or rootfs is empty. Pure: no I/O.
Result<std::string> oci_config_json(const BundleInputs& in);

// The cgroupsPath of an instance (cgroupfs driver): "/wharf/<instance>".
std::string cgroup_path_of(const std::string& instance);

}  // namespace wharf::local
