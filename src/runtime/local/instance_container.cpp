#include "runtime/local/instance_container.h"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/local/cgroups.h"
#include "runtime/local/config_files.h"
#include "runtime/local/image_user.h"
#include "runtime/local/instance_rootfs.h"
#include "runtime/local/oci_bundle.h"
#include "runtime/local/shim.h"
#include "runtime/local/subprocess.h"

namespace wharf::local {

namespace fs = std::filesystem;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

int pid_from(const std::string& path) {
  return std::atoi(read_text(path).c_str());
}

// Waits until `pid` has ended, at most `limit`. True when it has.
bool wait_gone(int pid, std::chrono::milliseconds limit) {
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return true;  // already gone
  pollfd p{fd, POLLIN, 0};
  const bool gone = ::poll(&p, 1, static_cast<int>(limit.count())) > 0;
  ::close(fd);
  return gone;
}

}  // namespace

bool is_shim_of(int pid, const std::string& dir) {
  if (pid <= 0) return false;
  std::string cmdline = read_text("/proc/" + std::to_string(pid) + "/cmdline");
  for (char& c : cmdline)
    if (c == '\0') c = ' ';
  return cmdline.find(std::string(" ") + kShimArgument + " " + dir + " ") != std::string::npos;
}

Result<StartedContainer> start_container(const HostLayout& layout, InstanceRecord& record,
                                         const TierRatio& ratio) {
  const std::string dir = layout.instance_dir(record.name);
  auto rootfs = prepare_rootfs(record.layers, dir);
  if (!rootfs) return fail(rootfs.error());
  auto user = resolve_image_user(record.image.user, *rootfs);
  if (!user) return fail(user.error());

  const std::string netns = layout.netns(record.name);
  std::error_code ec;
  if (!fs::exists(netns, ec)) {
    record.ip.clear();  // a new namespace needs a new attachment
    if (auto made = netns_create(netns); !made) return fail(made.error());
  }
  if (record.ip.empty()) {
    auto attached = cni_add(layout.net, record.name, netns);
    if (!attached) return fail(attached.error());
    record.ip = attached->ip;
    if (auto w = write_instance_record(dir, record); !w) return fail(w.error());
  }

  BundleInputs in;
  in.instance = record.name;
  in.rootfs = *rootfs;
  in.readonly_rootfs = false;  // writes go to the instance's own upper layer (or its copy)
  in.image = {record.image.entrypoint, record.image.cmd, record.image.env, record.image.working_dir};
  in.command = record.spec.command;
  in.args = record.spec.args;
  in.env = record.spec.env;
  if (record.config_version) {
    // Written by apply() before any instance of the release is created, and kept while an instance uses it.
    const std::string cfg = config_dir(layout.root, record.key, *record.config_version);
    auto env = read_config_env(cfg);
    if (!env) return fail(env.error());
    in.config_env = std::move(*env);
    in.config_dir = cfg + "/files";
    in.config_mount = record.spec.config_path;
  }
  in.identity = {record.key.project, record.key.app, record.key.environment, record.revision, record.name};
  in.uid = user->uid;
  in.gid = user->gid;
  in.netns_path = netns;
  in.limits = limits_of(record.spec);
  in.ratio = ratio;
  auto config = oci_config_json(in);
  if (!config) return fail(config.error());
  {
    std::ofstream f(dir + "/config.json", std::ios::trunc);
    f << *config;
    if (!f.flush()) return fail(Error::unavailable("cannot write " + dir + "/config.json"));
  }

  // A container of the same name is a previous run of this instance: its shim has ended.
  Runc runc(layout.runc);
  if (auto removed = runc.remove(record.name); !removed) return fail(removed.error());
  SpawnOptions o;
  o.timeout = layout.runc.timeout * 2;
  auto shim =
      run_process({layout.shim_binary, kShimArgument, dir, record.name, layout.runc.binary, layout.runc.root,
                   std::to_string(layout.logs.max_bytes), std::to_string(layout.logs.files)},
                  o);
  if (!shim) return fail(shim.error());
  std::string out = shim->out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  if (shim->exit_code != 0 || !out.starts_with("ok ")) {
    const std::string why = out.starts_with("error ") ? out.substr(6) : out + shim->err;
    // runc's own words for a process that cannot run are a problem of the image or spec, not of the host.
    if (why.find("exec: ") != std::string::npos &&
        (why.find("executable file not found") != std::string::npos ||
         why.find("no such file or directory") != std::string::npos))
      return fail(Error::invalid("command", "the container cannot start: " + why));
    return fail(Error::unavailable("the container cannot start: " + why));
  }
  StartedContainer started;
  std::istringstream(out.substr(3)) >> started.init_pid >> started.shim_pid;
  return started;
}

Status kill_container(const HostLayout& layout, const std::string& name) {
  return Runc(layout.runc).kill(name, "KILL", true);
}

Status teardown_instance(const HostLayout& layout, const std::string& name, std::chrono::milliseconds grace) {
  const std::string dir = layout.instance_dir(name);
  Runc runc(layout.runc);
  Status first;
  auto note = [&first](Status s) {
    if (!s && first) first = std::move(s);
  };
  const int shim = pid_from(dir + "/" + kShimPidFile);
  const bool supervised = is_shim_of(shim, dir);
  if (supervised) {
    // Not an error when the container is already stopped.
    (void)runc.kill(name, "TERM");
    if (!wait_gone(shim, grace)) {
      (void)runc.kill(name, "KILL", true);
      if (!wait_gone(shim, std::chrono::seconds(5))) ::kill(shim, SIGKILL);
    }
  }
  note(runc.remove(name));
  const std::string netns = layout.netns(name);
  note(cni_del(layout.net, name, netns));
  note(netns_remove(netns));
  note(release_rootfs(dir));
  remove_cgroup(cgroup_path_of(name), layout.cgroup_root);
  if (first) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec) note(fail(Error::unavailable("cannot remove " + dir + ": " + ec.message())));
  }
  return first;
}

}  // namespace wharf::local
