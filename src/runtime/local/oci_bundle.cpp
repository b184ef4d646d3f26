#include "runtime/local/oci_bundle.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace wharf::local {

namespace {

using json = nlohmann::json;

constexpr const char* kDefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// `runc spec` (1.1) defaults: the same capabilities, masked and read-only paths, so an instance is no more
// privileged than a container runc would create by itself.
const std::vector<std::string> kCapabilities = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
const std::vector<std::string> kMaskedPaths = {
    "/proc/acpi",       "/proc/asound",      "/proc/kcore",       "/proc/keys",    "/proc/latency_stats",
    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"};
const std::vector<std::string> kReadonlyPaths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                                 "/proc/sysrq-trigger"};

json mount(const std::string& dest, const std::string& type, const std::string& source,
           std::vector<std::string> options) {
  json m = {{"destination", dest}, {"type", type}, {"source", source}};
  if (!options.empty()) m["options"] = std::move(options);
  return m;
}

json default_mounts() {
  return json::array({
      mount("/proc", "proc", "proc", {}),
      mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      mount("/dev/pts", "devpts", "devpts",
            {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
  });
}

// Sets KEY=value in `env`, replacing an earlier KEY in place so the order stays stable.
void set_env(std::vector<std::string>& env, const std::string& key, const std::string& value) {
  const std::string prefix = key + "=";
  auto it = std::find_if(env.begin(), env.end(), [&](const std::string& e) { return e.starts_with(prefix); });
  if (it != env.end()) {
    *it = prefix + value;
  } else {
    env.push_back(prefix + value);
  }
}

}  // namespace

CgroupResources cgroup_resources(const ResourceLimits& limits, const TierRatio& ratio, int64_t pids_limit) {
  const ResourceRequests req = requests_for(limits, ratio);
  CgroupResources r;
  r.pids_limit = pids_limit;
  if (limits.memory_bytes && *limits.memory_bytes > 0) r.memory_limit = *limits.memory_bytes;
  if (req.memory_bytes && *req.memory_bytes > 0) r.memory_reservation = *req.memory_bytes;
  // 1000 millicores = one full period of CPU time.
  if (limits.cpu_millis && *limits.cpu_millis > 0) r.cpu_quota = *limits.cpu_millis * (r.cpu_period / 1000);
  if (req.cpu_millis && *req.cpu_millis > 0) {
    // The kernel's minimum is 2 shares (Kubernetes' MinShares too).
    r.cpu_shares = static_cast<uint64_t>(std::max<int64_t>(2, *req.cpu_millis * 1024 / 1000));
  }
  return r;
}

std::vector<std::string> process_args(const ImageProcess& image, const std::vector<std::string>& command,
                                      const std::vector<std::string>& args) {
  std::vector<std::string> out;
  if (!command.empty()) {
    out = command;
    out.insert(out.end(), args.begin(), args.end());
  } else {
    out = image.entrypoint;
    const auto& tail = args.empty() ? image.cmd : args;
    out.insert(out.end(), tail.begin(), tail.end());
  }
  return out;
}

std::vector<std::string> process_env(const BundleInputs& in) {
  std::vector<std::string> env;
  for (const auto& e : in.image.env) {
    const auto eq = e.find('=');
    if (eq == std::string::npos || eq == 0) continue;  // not KEY=value: the image is odd, skip it
    set_env(env, e.substr(0, eq), e.substr(eq + 1));
  }
  for (const auto& [k, v] : in.config_env) set_env(env, k, v);
  for (const auto& [k, v] : in.env) set_env(env, k, v);
  const InstanceIdentity& id = in.identity;
  if (!id.project.empty()) set_env(env, "WHARF_PROJECT", id.project);
  if (!id.app.empty()) set_env(env, "WHARF_APP", id.app);
  if (!id.environment.empty()) set_env(env, "WHARF_ENV", id.environment);
  if (id.revision > 0) set_env(env, "WHARF_REVISION", std::to_string(id.revision));
  set_env(env, "WHARF_INSTANCE", id.instance.empty() ? in.instance : id.instance);
  if (std::none_of(env.begin(), env.end(), [](const std::string& e) { return e.starts_with("PATH="); })) {
    env.insert(env.begin(), kDefaultPath);
  }
  return env;
}

std::string cgroup_path_of(const std::string& instance) {
  return "/wharf/" + instance;
}

Result<std::string> oci_config_json(const BundleInputs& in) {
  if (in.instance.empty()) return fail(Error::invalid("instance", "the instance has no name"));
  if (in.rootfs.empty() || in.rootfs.front() != '/') {
    return fail(
        Error::invalid("rootfs", "the root filesystem path must be absolute, got \"" + in.rootfs + "\""));
  }
  const auto args = process_args(in.image, in.command, in.args);
  if (args.empty()) {
    return fail(Error::invalid(
        "command", "nothing to run: the image has no entrypoint or cmd and the app sets no command"));
  }

  json process = {
      {"terminal", false},
      {"user", {{"uid", in.uid}, {"gid", in.gid}}},
      {"args", args},
      {"env", process_env(in)},
      {"cwd", in.image.working_dir.empty() ? "/" : in.image.working_dir},
      {"capabilities",
       {{"bounding", kCapabilities},
        {"effective", kCapabilities},
        {"permitted", kCapabilities},
        {"ambient", kCapabilities}}},
      {"rlimits", json::array({{{"type", "RLIMIT_NOFILE"}, {"hard", in.nofile}, {"soft", in.nofile}}})},
      {"noNewPrivileges", true},
  };

  json network = {{"type", "network"}};
  if (!in.netns_path.empty()) network["path"] = in.netns_path;
  json namespaces =
      json::array({{{"type", "pid"}}, network, {{"type", "ipc"}}, {{"type", "uts"}}, {{"type", "mount"}}});

  const CgroupResources cg = cgroup_resources(in.limits, in.ratio, in.pids_limit);
  json resources = {
      {"devices", json::array({{{"allow", false}, {"access", "rwm"}}})},
      {"pids", {{"limit", cg.pids_limit}}},
  };
  json memory = json::object();
  if (cg.memory_limit) memory["limit"] = *cg.memory_limit;
  if (cg.memory_reservation) memory["reservation"] = *cg.memory_reservation;
  if (!memory.empty()) resources["memory"] = memory;
  json cpu = json::object();
  if (cg.cpu_quota) {
    cpu["quota"] = *cg.cpu_quota;
    cpu["period"] = cg.cpu_period;
  }
  if (cg.cpu_shares) cpu["shares"] = *cg.cpu_shares;
  if (!cpu.empty()) resources["cpu"] = cpu;

  json mounts = default_mounts();
  if (!in.config_dir.empty()) {
    if (in.config_dir.front() != '/' || in.config_mount.empty() || in.config_mount.front() != '/')
      return fail(Error::invalid("config", "the config directory and its mount path must be absolute"));
    mounts.push_back(mount(in.config_mount, "bind", in.config_dir, {"rbind", "ro", "nosuid", "nodev"}));
  }

  json config = {
      {"ociVersion", "1.0.2"},
      {"process", process},
      {"root", {{"path", in.rootfs}, {"readonly", in.readonly_rootfs}}},
      {"hostname", in.instance},
      {"mounts", mounts},
      {"linux",
       {{"cgroupsPath", cgroup_path_of(in.instance)},
        {"resources", resources},
        {"namespaces", namespaces},
        {"maskedPaths", kMaskedPaths},
        {"readonlyPaths", kReadonlyPaths}}},
  };
  return config.dump(2);
}

}  // namespace wharf::local
