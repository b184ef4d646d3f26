// What the local runtime needs from the machine: runc, the standard CNI plugins, iptables (the bridge's
// masquerading), and the memory, cpu and pids cgroup controllers. Checked at start-up so that a missing
// part is reported once, plainly, with the Debian package that provides it.
#pragma once

#include <string>
#include <vector>

namespace wharf::local {

struct HostRequirements {
  std::string runc = "runc";  // name looked up in PATH, or a path
  std::string cni_plugin_dir = "/usr/lib/cni";
  std::string cgroup_root = "/sys/fs/cgroup";
};

// One sentence per missing part, saying what to install ("runc is not installed: apt-get install runc").
// Empty when everything is there. Reads the file system only.
std::vector<std::string> missing_host_parts(const HostRequirements& req);

// Resolves a program name through PATH (and the sbin directories, which a non-login PATH may lack); empty
// when not found.
std::string find_program(const std::string& name);

}  // namespace wharf::local
