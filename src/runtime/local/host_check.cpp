#include "runtime/local/host_check.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/local/cgroups.h"

namespace wharf::local {

namespace fs = std::filesystem;

std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* env = std::getenv("PATH");
  std::string path = std::string(env ? env : "") + ":/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin";
  std::istringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

namespace {

// Whether `controller` is usable: on v2 listed in the root's cgroup.controllers, on v1 mounted as a
// hierarchy of its own (possibly co-mounted, "cpu,cpuacct").
bool has_controller(const std::string& root, const std::string& controller) {
  std::error_code ec;
  if (detect_cgroup_mode(root) == CgroupMode::kV2) {
    std::ifstream f(root + "/cgroup.controllers");
    for (std::string c; f >> c;)
      if (c == controller) return true;
    return false;
  }
  return fs::is_directory(fs::path(root) / controller, ec);
}

}  // namespace

std::vector<std::string> missing_host_parts(const HostRequirements& req) {
  std::vector<std::string> missing;
  if (find_program(req.runc).empty())
    missing.push_back("runc is not installed (" + req.runc + " not found): apt-get install runc");
  for (const char* plugin : {"bridge", "host-local", "loopback", "portmap"}) {
    if (::access((req.cni_plugin_dir + "/" + plugin).c_str(), X_OK) != 0) {
      missing.push_back("the CNI plugin " + req.cni_plugin_dir + "/" + plugin +
                        " is missing: apt-get install containernetworking-plugins");
      break;
    }
  }
  if (find_program("iptables").empty())
    missing.push_back("iptables is not installed (the bridge network needs it): apt-get install iptables");
  for (const char* controller : {"memory", "cpu", "pids"}) {
    if (!has_controller(req.cgroup_root, controller))
      missing.push_back(std::string("the cgroup controller \"") + controller + "\" is not available under " +
                        req.cgroup_root +
                        ": mount it (cgroupfs-mount, or boot with systemd.unified_cgroup_hierarchy)");
  }
  return missing;
}

}  // namespace wharf::local
