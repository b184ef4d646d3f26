// Where the local runtime keeps things, and the tools it drives. Under `root` (DATA_DIR/runtime):
//
//   runc/                 runc's state (--root)
//   instances/<name>/     one instance: instance.json, config.json (the OCI bundle), rootfs/ (overlay mount
//                         point), upper/ + work/ (its writable layer), logs/, and the shim's files (shim.h)
//   netns/<name>          its network namespace (a bind mount)
//   workloads/<p>_<a>_<e> the app x environments the driver was asked to run (list_workloads)
//   configs/<p>_<a>_<e>_<v> one config version of an app x environment: files/ (mounted into its
//                         instances) and env.json (config_files.h)
//
// CNI's address leases live in net.state_dir, shared by every Wharf server on the machine: they share the
// bridge and its address range. An instance directory exists before any resource of the instance is
// created and is removed only after all of them are released, so after a crash the directories alone say
// what may need cleaning up.
#pragma once

#include <string>

#include "runtime/local/cni.h"
#include "runtime/local/log_file.h"
#include "runtime/local/runc.h"

namespace wharf::local {

struct HostLayout {
  std::string root;
  std::string shim_binary;  // the wharf binary, run as `wharf __shim ...`
  RuncOptions runc;         // runc.root = root + "/runc"
  CniNetwork net;
  LogLimits logs;
  std::string cgroup_root = "/sys/fs/cgroup";

  std::string instances_dir() const { return root + "/instances"; }
  std::string instance_dir(const std::string& name) const { return instances_dir() + "/" + name; }
  std::string netns_dir() const { return root + "/netns"; }
  std::string netns(const std::string& name) const { return netns_dir() + "/" + name; }
  std::string workloads_dir() const { return root + "/workloads"; }
};

}  // namespace wharf::local
