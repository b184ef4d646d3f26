#include "runtime/local/local_runtime.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <shared_mutex>
#include <sstream>
#include <thread>

#include "runtime/local/cgroups.h"
#include "runtime/local/config_files.h"
#include "runtime/local/host_check.h"
#include "runtime/local/host_layout.h"
#include "runtime/local/instance_container.h"
#include "runtime/local/instance_record.h"
#include "runtime/local/instance_state.h"
#include "runtime/local/local_log_stream.h"
#include "runtime/local/oci_bundle.h"
#include "runtime/local/probe_check.h"
#include "runtime/local/probe_tracker.h"
#include "runtime/local/rollout_plan.h"
#include "runtime/local/shim.h"
#include "runtime/local/task_pool.h"
#include "util/clock.h"

namespace wharf::local {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

LocalRuntimeOptions LocalRuntimeOptions::for_data_dir(const std::string& data_dir) {
  LocalRuntimeOptions o;
  o.root = fs::absolute(fs::path(data_dir) / "runtime").lexically_normal().string();
  std::error_code ec;
  o.shim_binary = fs::read_symlink("/proc/self/exe", ec).string();
  if (const char* b = std::getenv("WHARF_RESTART_BACKOFF_MS")) {
    char* end = nullptr;
    o.restart.base = std::chrono::milliseconds(std::strtoll(b, &end, 10));
    if (end && *end == ',') o.restart.max = std::chrono::milliseconds(std::strtoll(end + 1, nullptr, 10));
    o.restart.max = std::max(o.restart.max, o.restart.base);
  }
  if (const char* g = std::getenv("WHARF_STOP_GRACE_MS"))
    o.stop_grace = std::chrono::milliseconds(std::atoll(g));
  if (const char* g = std::getenv("WHARF_IMAGE_GC_S"))
    o.image_gc_interval = std::chrono::seconds(std::atoll(g));
  return o;
}

namespace {

std::string workload_file_name(const ReleaseKey& k) {
  // DNS labels never contain '_': the name splits back unambiguously.
  return k.project + "_" + k.app + "_" + k.environment;
}

std::optional<ReleaseKey> workload_key_of(const std::string& file_name) {
  const auto a = file_name.find('_');
  const auto b = file_name.find('_', a == std::string::npos ? a : a + 1);
  if (a == std::string::npos || b == std::string::npos) return std::nullopt;
  return ReleaseKey{file_name.substr(0, a), file_name.substr(a + 1, b - a - 1), file_name.substr(b + 1)};
}

std::string host_name() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

int pidfd_of(int pid) {
  return pid > 0 ? static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)) : -1;
}

int read_pid(const std::string& path) {
  std::ifstream f(path);
  int pid = 0;
  f >> pid;
  return pid;
}

// The port a probe targets: a number, or the name of one of the app's ports. 0 when it names none.
int probe_port(const Probe& probe, const AppSpec& spec) {
  if (probe.port.name.empty()) return probe.port.number;
  for (const auto& p : spec.ports)
    if (p.name == probe.port.name) return p.port;
  return 0;
}

// Whether an instance already runs what `r` asks for, apart from the number of replicas: then a new
// release (a scale) adopts it instead of replacing it, as a Deployment keeps its ReplicaSet.
bool same_template(const InstanceRecord& rec, const Release& r) {
  AppSpec a = rec.spec, b = r.spec;
  a.replicas = b.replicas = 0;
  return a == b && rec.config_version == r.config_version;
}

struct ExitRecord {
  int exit_code = -1;
  bool oom_killed = false;
};

std::optional<ExitRecord> read_exit(const std::string& dir) {
  std::ifstream f(dir + "/" + kExitFile);
  if (!f) return std::nullopt;
  try {
    auto j = nlohmann::json::parse(f);
    return ExitRecord{j.value("exitCode", -1), j.value("oomKilled", false)};
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace

struct LocalRuntime::Impl {
  struct Inst {
    InstanceRecord rec;
    InstanceState state;
    std::optional<ProbeTracker> readiness, liveness;
    int shim_pid = 0;
    int pidfd = -1;     // of the shim; owned and closed by the supervisor thread only
    bool busy = false;  // a start, restart or stop task runs
    bool probing_readiness = false, probing_liveness = false;
    bool gone = false;  // torn down: the supervisor forgets it
    Clock::time_point stop_retry_at{};
    std::string probe_message;  // the last readiness failure
  };
  struct ImagePrep {
    bool busy = false;
    std::optional<PreparedImage> image;
    std::optional<Error> error;
    Clock::time_point retry_at{};
    Clock::time_point last_wanted{};  // the last time it was the workload's desired image
  };
  struct Work {
    std::optional<Release> desired;  // from apply() in this process; none: only adopted so far
    std::map<std::string, ImagePrep> images;
    int64_t failed_revision = 0;  // the revision that can never run here, and why
    std::string failure;
  };

  LocalRuntimeOptions opt;
  HostLayout layout;
  ImageSource& images;
  std::vector<std::string> problems;
  std::string node = host_name();

  std::mutex mu;
  std::map<std::string, Inst> instances;
  std::map<ReleaseKey, Work> workloads;
  uint64_t next_created = 0;
  std::mt19937 rng{std::random_device{}()};

  std::mutex listener_mu;
  std::function<void()> changed;
  std::vector<std::weak_ptr<std::function<void()>>> log_notifiers;  // guarded by listener_mu

  // Pulls hold it shared from the pull until the result is recorded in `workloads`; the image collector
  // holds it exclusively, so an image pulled but not yet recorded is never collected.
  std::shared_mutex gc_mu;
  // Held while config directories are written (apply) or collected, taken before `mu`: a directory being
  // written for a release that is not yet desired is never collected.
  std::mutex config_mu;
  Clock::time_point next_gc = Clock::now() + opt.image_gc_interval;  // guarded by mu

  int wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  std::atomic<bool> stopping{false};
  std::unique_ptr<TaskPool> pool;
  std::thread supervisor;

  Impl(LocalRuntimeOptions o, ImageSource& src) : opt(std::move(o)), images(src) {
    layout.root = opt.root;
    layout.shim_binary = opt.shim_binary;
    layout.runc.binary = find_program(opt.runc).empty() ? opt.runc : find_program(opt.runc);
    layout.runc.root = opt.root + "/runc";
    layout.net.plugin_dir = opt.cni_plugin_dir;
    layout.net.state_dir = opt.cni_state_dir;
    layout.net.port_map = false;  // instances are reached at their own address; no host ports to share
    layout.logs = opt.logs;
    layout.cgroup_root = opt.cgroup_root;
  }

  void wake() {
    const uint64_t one = 1;
    (void)!::write(wake_fd, &one, sizeof one);
  }

  void notify_changed() {
    std::function<void()> f;
    {
      std::lock_guard lock(listener_mu);
      f = changed;
    }
    if (f) f();
  }

  // --- start-up: adoption and leftovers -----------------------------------------------------------------

  void adopt() {
    std::error_code ec;
    for (const char* d : {"/instances", "/netns", "/workloads", "/runc"})
      fs::create_directories(opt.root + d, ec);
    const auto now = Clock::now();
    for (const auto& entry : fs::directory_iterator(layout.instances_dir(), ec)) {
      const std::string name = entry.path().filename().string();
      const std::string dir = entry.path().string();
      auto rec = read_instance_record(dir);
      if (!rec) {
        // Created but never recorded: a crash in the first steps of a start.
        spdlog::warn("local runtime: removing half-created instance {}", name);
        pool->post([this, name] { (void)teardown_instance(layout, name, 0ms); });
        continue;
      }
      Inst inst;
      inst.rec = std::move(*rec);
      inst.state.restarts = inst.rec.restarts;
      next_created = std::max(next_created, inst.rec.created);
      const int shim = read_pid(dir + "/" + kShimPidFile);
      const int fd = is_shim_of(shim, dir) ? pidfd_of(shim) : -1;
      if (inst.rec.stopping) {
        if (fd >= 0) ::close(fd);
      } else if (fd >= 0) {
        inst.shim_pid = shim;
        inst.pidfd = fd;
        inst.state = on_started(inst.state, now, inst.rec.spec.health_check.readiness.has_value());
        start_probes(inst, now, true);
        spdlog::info("local runtime: adopted running instance {} (shim {})", name, shim);
      } else {
        inst.state.phase = Phase::kRunning;
        if (auto ex = read_exit(dir)) {
          inst.state = on_exited(inst.state, ex->exit_code, ex->oom_killed, now, opt.restart);
        } else {
          inst.state = on_start_failed(inst.state, "the instance was lost while the server was down", now,
                                       opt.restart);
        }
        spdlog::info("local runtime: instance {} ended while the server was down ({})", name,
                     inst.state.reason);
      }
      instances.emplace(name, std::move(inst));
    }
    for (const auto& entry : fs::directory_iterator(layout.workloads_dir(), ec))
      if (auto key = workload_key_of(entry.path().filename().string())) workloads[*key];
    // Namespaces and containers no instance owns: leftovers of a crash between steps.
    for (const auto& entry : fs::directory_iterator(layout.netns_dir(), ec)) {
      const std::string name = entry.path().filename().string();
      if (!instances.contains(name) && !fs::exists(layout.instance_dir(name), ec)) {
        spdlog::warn("local runtime: removing leftover network namespace {}", name);
        pool->post([this, name] { (void)teardown_instance(layout, name, 0ms); });
      }
    }
    pool->post([this] {
      auto listed = Runc(layout.runc).list();
      if (!listed) return;
      std::error_code ec2;
      for (const auto& c : *listed) {
        if (fs::exists(layout.instance_dir(c.id), ec2)) continue;
        spdlog::warn("local runtime: removing leftover container {}", c.id);
        (void)teardown_instance(layout, c.id, 0ms);
      }
    });
  }

  // --- planning and scheduling (supervisor thread, under mu) ---------------------------------------------

  // (Re)creates the probe trackers after a start. Adopted instances are checked at once: their initial
  // delay passed long ago.
  static void start_probes(Inst& inst, Clock::time_point now, bool adopted) {
    const auto& hc = inst.rec.spec.health_check;
    auto started = [&](const Probe& p) {
      return adopted ? now - std::chrono::seconds(p.initial_delay_seconds) : now;
    };
    inst.readiness.reset();
    inst.liveness.reset();
    if (hc.readiness) inst.readiness.emplace(*hc.readiness, false, started(*hc.readiness));
    if (hc.liveness) inst.liveness.emplace(*hc.liveness, true, started(*hc.liveness));
  }

  std::string new_instance_name(const std::string& app) {
    static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    std::error_code ec;
    for (;;) {
      std::string name = app.substr(0, 40) + "-";
      for (int i = 0; i < 5; ++i) name += kAlphabet[rng() % (sizeof kAlphabet - 1)];
      if (!instances.contains(name) && !fs::exists(layout.instance_dir(name), ec)) return name;
    }
  }

  std::vector<PlannedInstance> planned_of(const ReleaseKey& key) const {
    std::vector<PlannedInstance> out;
    for (const auto& [name, i] : instances)
      if (i.rec.key == key && !i.rec.stopping)
        out.push_back({name, i.rec.revision, i.state.ready, i.rec.created});
    return out;
  }

  void begin_create(const ReleaseKey& key, const Release& r, const PreparedImage& image) {
    const std::string name = new_instance_name(key.app);
    Inst inst;
    inst.rec.name = name;
    inst.rec.key = key;
    inst.rec.revision = r.revision;
    inst.rec.spec = r.spec;
    inst.rec.config_version = r.config_version;
    inst.rec.image_digest = image.digest;
    inst.rec.layers = image.layers;
    inst.rec.image = image.config;
    inst.rec.created = ++next_created;
    inst.busy = true;
    instances.emplace(name, std::move(inst));
    pool->post([this, name] { start_task(name, true); });
  }

  void begin_restart(Inst& inst) {
    inst.state = on_restarting(inst.state);
    inst.rec.restarts = inst.state.restarts;
    inst.busy = true;
    inst.readiness.reset();
    inst.liveness.reset();
    const std::string name = inst.rec.name;
    pool->post([this, name] { start_task(name, false); });
  }

  void begin_probe(Inst& inst, bool readiness) {
    const ProbeTracker& tracker = readiness ? *inst.readiness : *inst.liveness;
    (readiness ? inst.probing_readiness : inst.probing_liveness) = true;
    pool->post([this, name = inst.rec.name, probe = tracker.probe(), ip = inst.rec.ip,
                port = probe_port(tracker.probe(), inst.rec.spec), since = inst.state.running_since,
                readiness] { probe_task(name, probe, ip, port, since, readiness); });
  }

  // One pass: image pulls, rollout plans, stops, restarts and probes that are due. Returns whether
  // something the API shows changed.
  bool tick(Clock::time_point now) {
    bool changed_any = false;
    for (auto it = instances.begin(); it != instances.end();) {
      if (!it->second.gone) {
        ++it;
        continue;
      }
      if (it->second.pidfd >= 0) ::close(it->second.pidfd);
      it = instances.erase(it);
      changed_any = true;
    }
    for (auto& [key, work] : workloads) {
      if (!work.desired) continue;
      const Release& r = *work.desired;
      ImagePrep* prep = nullptr;
      if (r.replicas > 0 && !r.image.empty()) {
        prep = &work.images[r.image];
        prep->last_wanted = now;
        if (!prep->image && !(prep->error && prep->error->code == ErrorCode::kInvalid) && !prep->busy &&
            now >= prep->retry_at) {
          prep->busy = true;
          pool->post([this, key, ref = r.image] { prepare_task(key, ref); });
        }
      }
      const auto planned = planned_of(key);
      const RolloutTarget target{r.revision, r.replicas, rollout_budget(r.spec.strategy, r.replicas)};
      auto plan = plan_rollout(target, planned);
      for (const auto& name : plan.stop) {
        instances.at(name).rec.stopping = true;
        changed_any = true;
      }
      if (prep && prep->image && work.failed_revision != r.revision) {
        for (int i = 0; i < plan.start; ++i) begin_create(key, r, *prep->image);
        changed_any |= plan.start > 0;
      }
    }
    for (auto& [name, inst] : instances) {
      if (inst.gone || inst.busy) continue;
      if (inst.rec.stopping) {
        if (now < inst.stop_retry_at) continue;
        inst.busy = true;
        pool->post([this, name = name] { stop_task(name); });
        continue;
      }
      if (restart_due(inst.state, now)) {
        begin_restart(inst);
        changed_any = true;
        continue;
      }
      if (inst.state.phase != Phase::kRunning) continue;
      if (inst.readiness && !inst.probing_readiness && inst.readiness->due(now)) begin_probe(inst, true);
      if (inst.liveness && !inst.probing_liveness && inst.liveness->due(now)) begin_probe(inst, false);
    }
    if (now >= next_gc) {
      next_gc = now + opt.image_gc_interval;
      pool->post([this] {
        collect_images();
        collect_configs();
      });
    }
    return changed_any;
  }

  // How long the supervisor may sleep: until the next probe, restart or pull retry, at most 250 ms.
  int sleep_ms(Clock::time_point now) const {
    auto next = now + 250ms;
    for (const auto& [name, inst] : instances) {
      if (inst.gone || inst.busy) continue;
      if (inst.rec.stopping) {
        next = std::min(next, inst.stop_retry_at);
        continue;
      }
      if (inst.state.phase == Phase::kExited || inst.state.phase == Phase::kFailed)
        next = std::min(next, inst.state.restart_at);
      if (inst.state.phase != Phase::kRunning) continue;
      if (inst.readiness && !inst.probing_readiness) next = std::min(next, inst.readiness->next_due());
      if (inst.liveness && !inst.probing_liveness) next = std::min(next, inst.liveness->next_due());
    }
    for (const auto& [key, work] : workloads) {
      if (!work.desired) continue;
      auto p = work.images.find(work.desired->image);
      if (p == work.images.end()) continue;
      const ImagePrep& prep = p->second;
      if (!prep.busy && !prep.image && !(prep.error && prep.error->code == ErrorCode::kInvalid))
        next = std::min(next, prep.retry_at);
    }
    return static_cast<int>(
        std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count() + 1));
  }

  // The shim of `name` ended: the container's process has, too.
  bool shim_exited(const std::string& name, Clock::time_point now) {
    auto it = instances.find(name);
    if (it == instances.end()) return false;
    Inst& inst = it->second;
    ::close(inst.pidfd);
    inst.pidfd = -1;
    inst.shim_pid = 0;
    if (inst.rec.stopping || inst.busy) return false;
    if (auto ex = read_exit(layout.instance_dir(name))) {
      inst.state = on_exited(inst.state, ex->exit_code, ex->oom_killed, now, opt.restart);
    } else {
      inst.state = on_start_failed(inst.state, "the instance's shim ended without recording an exit", now,
                                   opt.restart);
    }
    inst.readiness.reset();
    inst.liveness.reset();
    spdlog::info("local runtime: instance {} ended: {} ({})", name, inst.state.reason, inst.state.message);
    return true;
  }

  void run() {
    auto last_log_notify = Clock::now();
    while (!stopping) {
      std::vector<pollfd> fds{{wake_fd, POLLIN, 0}};
      std::vector<std::string> names;
      int timeout = 0;
      {
        std::lock_guard lock(mu);
        for (const auto& [name, inst] : instances) {
          if (inst.pidfd < 0) continue;
          fds.push_back({inst.pidfd, POLLIN, 0});
          names.push_back(name);
        }
        timeout = sleep_ms(Clock::now());
      }
      ::poll(fds.data(), fds.size(), timeout);
      if (stopping) break;
      if (fds[0].revents != 0) {
        uint64_t drained = 0;
        (void)!::read(wake_fd, &drained, sizeof drained);
      }
      bool changed_any = false;
      {
        std::lock_guard lock(mu);
        const auto now = Clock::now();
        for (size_t i = 1; i < fds.size(); ++i)
          if (fds[i].revents != 0) changed_any |= shim_exited(names[i - 1], now);
        changed_any |= tick(now);
      }
      if (changed_any) notify_changed();
      if (Clock::now() - last_log_notify >= 200ms) {
        last_log_notify = Clock::now();
        notify_log_followers();
      }
    }
  }

  void notify_log_followers() {
    std::vector<std::shared_ptr<std::function<void()>>> live;
    {
      std::lock_guard lock(listener_mu);
      std::erase_if(log_notifiers, [&](const auto& w) {
        auto s = w.lock();
        if (s) live.push_back(std::move(s));
        return !s;
      });
    }
    for (const auto& f : live) (*f)();
  }

  // --- tasks (pool threads) ------------------------------------------------------------------------------

  void prepare_task(const ReleaseKey& key, const std::string& ref) {
    std::shared_lock gc_guard(gc_mu);
    auto prepared = images.prepare(ref);
    {
      std::lock_guard lock(mu);
      auto w = workloads.find(key);
      if (w == workloads.end()) return;
      ImagePrep& prep = w->second.images[ref];
      prep.busy = false;
      if (prepared) {
        prep.image = std::move(*prepared);
        prep.error.reset();
      } else {
        prep.error = prepared.error();
        prep.retry_at = Clock::now() + 2s;
        spdlog::warn("local runtime: image {}: {}", ref, prepared.error().message);
      }
    }
    wake();
    notify_changed();
  }

  // Deletes stored images that no instance runs and no workload keeps for a rollback.
  void collect_images() {
    std::unique_lock gc_guard(gc_mu);
    std::set<std::string> keep;
    {
      std::lock_guard lock(mu);
      for (const auto& [name, inst] : instances)
        if (!inst.rec.image_digest.empty()) keep.insert(inst.rec.image_digest);
      for (auto& [key, work] : workloads) {
        std::vector<std::pair<Clock::time_point, std::string>> recent;
        for (const auto& [ref, prep] : work.images)
          if (prep.image) recent.emplace_back(prep.last_wanted, ref);
        std::sort(recent.begin(), recent.end(), std::greater<>());
        for (size_t i = 0; i < recent.size(); ++i) {
          if (i < kImagesKeptPerWorkload)
            keep.insert(work.images.at(recent[i].second).image->digest);
          else
            work.images.erase(recent[i].second);
        }
      }
    }
    auto freed = images.collect_garbage(keep);
    if (!freed)
      spdlog::warn("local runtime: image collection: {}", freed.error().message);
    else if (*freed > 0)
      spdlog::info("local runtime: deleted unused images ({} MiB)", *freed >> 20);
  }

  // Deletes the config directories that no instance uses and no workload wants. Rewriting one is cheap,
  // so none is kept for rollbacks.
  void collect_configs() {
    std::lock_guard config_guard(config_mu);
    std::set<std::string> keep;
    {
      std::lock_guard lock(mu);
      for (const auto& [name, inst] : instances)
        if (inst.rec.config_version) keep.insert(config_dir_name(inst.rec.key, *inst.rec.config_version));
      for (const auto& [key, work] : workloads)
        if (work.desired && work.desired->config_version)
          keep.insert(config_dir_name(key, *work.desired->config_version));
    }
    if (auto n = remove_config_dirs_except(layout.root, keep); n > 0)
      spdlog::info("local runtime: deleted {} unused config version director{}", n, n == 1 ? "y" : "ies");
  }

  void start_task(const std::string& name, bool first) {
    InstanceRecord rec;
    TierRatio ratio;
    {
      std::lock_guard lock(mu);
      Inst& inst = instances.at(name);
      rec = inst.rec;
      ratio = default_tier_ratio(rec.spec.qos);
    }
    const std::string dir = layout.instance_dir(name);
    Result<StartedContainer> started = StartedContainer{};
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
      started = fail(Error::unavailable("cannot create " + dir + ": " + ec.message()));
    } else if (auto w = first ? write_instance_record(dir, rec) : Status{}; !w) {
      started = fail(w.error());
    } else {
      {
        std::lock_guard lock(mu);
        Inst& inst = instances.at(name);
        inst.state = on_starting(inst.state);
      }
      notify_changed();
      started = start_container(layout, rec, ratio);
    }
    {
      std::lock_guard lock(mu);
      Inst& inst = instances.at(name);
      const auto now = Clock::now();
      inst.rec.ip = rec.ip;
      inst.busy = false;
      if (started) {
        inst.shim_pid = started->shim_pid;
        inst.pidfd = pidfd_of(started->shim_pid);
        inst.state = on_started(inst.state, now, inst.rec.spec.health_check.readiness.has_value());
        inst.rec.started_at = now_rfc3339();
        start_probes(inst, now, false);
        (void)write_instance_record(dir, inst.rec);
        if (inst.pidfd < 0) {
          // The container ended before we could watch its shim: treat it as an exit.
          inst.state.phase = Phase::kRunning;
          if (auto ex = read_exit(dir))
            inst.state = on_exited(inst.state, ex->exit_code, ex->oom_killed, now, opt.restart);
        }
      } else {
        spdlog::warn("local runtime: instance {} did not start: {}", name, started.error().message);
        inst.state = on_start_failed(inst.state, started.error().message, now, opt.restart);
        if (started.error().code == ErrorCode::kInvalid) {
          auto w = workloads.find(inst.rec.key);
          if (w != workloads.end() && w->second.desired && w->second.desired->revision == inst.rec.revision) {
            w->second.failed_revision = inst.rec.revision;
            w->second.failure = started.error().message;
          }
        }
      }
    }
    wake();
    notify_changed();
  }

  void stop_task(const std::string& name) {
    InstanceRecord rec;
    {
      std::lock_guard lock(mu);
      rec = instances.at(name).rec;
    }
    std::error_code ec;
    if (fs::exists(layout.instance_dir(name), ec))
      (void)write_instance_record(layout.instance_dir(name), rec);
    auto down = teardown_instance(layout, name, opt.stop_grace);
    {
      std::lock_guard lock(mu);
      Inst& inst = instances.at(name);
      inst.busy = false;
      if (down) {
        inst.gone = true;
      } else {
        spdlog::warn("local runtime: stopping instance {}: {} (retrying)", name, down.error().message);
        inst.stop_retry_at = Clock::now() + 2s;
      }
    }
    wake();
  }

  void probe_task(const std::string& name, const Probe& probe, const std::string& ip, int port,
                  Clock::time_point since, bool readiness) {
    const auto timeout = std::chrono::milliseconds(std::max(1, probe.timeout_seconds) * 1000);
    Status result;
    switch (probe.kind) {
      case Probe::Kind::kHttp:
        result = port > 0 ? check_http(ip, port, probe.path, timeout)
                          : fail(Error::unavailable("the probe's port names none of the app's ports"));
        break;
      case Probe::Kind::kTcp:
        result = port > 0 ? check_tcp(ip, port, timeout)
                          : fail(Error::unavailable("the probe's port names none of the app's ports"));
        break;
      case Probe::Kind::kExec: {
        auto r = Runc(layout.runc).exec(name, probe.command, timeout);
        if (!r) {
          result = fail(r.error());
        } else if (r->timed_out) {
          result = fail(Error::unavailable("the probe command timed out"));
        } else if (r->exit_code != 0) {
          result = fail(Error::unavailable("the probe command exited with " + std::to_string(r->exit_code)));
        }
        break;
      }
    }
    bool changed_any = false;
    bool kill = false;
    {
      std::lock_guard lock(mu);
      auto it = instances.find(name);
      if (it == instances.end()) return;
      Inst& inst = it->second;
      (readiness ? inst.probing_readiness : inst.probing_liveness) = false;
      auto& tracker = readiness ? inst.readiness : inst.liveness;
      // A result from before a restart says nothing about the new container.
      if (!tracker || inst.state.phase != Phase::kRunning || inst.state.running_since != since ||
          inst.rec.stopping)
        return;
      const bool flipped = tracker->record(result.has_value(), Clock::now());
      if (readiness) {
        inst.probe_message = result ? "" : "readiness probe failed: " + result.error().message;
        if (flipped) {
          inst.state = on_readiness(inst.state, tracker->healthy());
          changed_any = true;
        }
      } else if (flipped && !tracker->healthy()) {
        spdlog::info("local runtime: instance {} failed its liveness probe: {}", name,
                     result.error().message);
        inst.state = on_liveness_failed(inst.state);
        kill = true;
      }
    }
    if (kill) (void)kill_container(layout, name);
    wake();
    if (changed_any) notify_changed();
  }

  // --- observation -----------------------------------------------------------------------------------------

  Instance to_api(const Inst& i, const std::string& cluster) const {
    Instance out;
    out.name = i.rec.name;
    out.state = std::string(to_string(i.state.phase));
    out.ready = i.state.ready;
    out.restarts = i.state.restarts;
    if (!i.rec.ip.empty())
      out.address =
          i.rec.ip + (i.rec.spec.ports.empty() ? "" : ":" + std::to_string(i.rec.spec.ports[0].port));
    out.cluster = cluster;
    out.node = node;
    out.started_at = i.rec.started_at;
    out.release = i.rec.revision;
    out.reason = i.state.reason;
    return out;
  }
};

LocalRuntime::LocalRuntime(LocalRuntimeOptions options, ImageSource& images)
    : impl_(std::make_shared<Impl>(std::move(options), images)) {
  Impl& m = *impl_;
  m.problems = missing_host_parts({m.opt.runc, m.opt.cni_plugin_dir, m.opt.cgroup_root});
  if (m.opt.shim_binary.empty())
    m.problems.push_back("the path of the wharf binary is unknown (/proc not mounted?)");
  m.pool = std::make_unique<TaskPool>(std::max(2, m.opt.workers));
  if (!m.problems.empty()) {
    for (const auto& p : m.problems) spdlog::error("local runtime: {}", p);
    spdlog::error(
        "local runtime: instances on cluster \"local\" cannot run until this is fixed; the API works");
    return;
  }
  m.adopt();
  m.supervisor = std::thread([&m] { m.run(); });
}

LocalRuntime::~LocalRuntime() {
  Impl& m = *impl_;
  m.stopping = true;
  m.wake();
  if (m.supervisor.joinable()) m.supervisor.join();
  m.pool.reset();
  std::lock_guard lock(m.mu);
  for (auto& [name, inst] : m.instances)
    if (inst.pidfd >= 0) ::close(inst.pidfd);
  m.instances.clear();
  ::close(m.wake_fd);
}

std::vector<std::string> LocalRuntime::host_problems() const {
  return impl_->problems;
}

Status LocalRuntime::apply(const Workload& desired) {
  Impl& m = *impl_;
  if (!m.problems.empty()) {
    std::string text = "the local runtime cannot run instances on this machine: ";
    for (size_t i = 0; i < m.problems.size(); ++i) text += (i ? "; " : "") + m.problems[i];
    return fail(Error::unavailable(text));
  }
  const Release& r = desired.release;
  // The config version's files and variables are on disk before any instance of the release is created.
  std::unique_lock config_guard(m.config_mu);
  if (r.config_version) {
    if (!desired.config || desired.config->version != *r.config_version)
      return fail(Error::invalid("config", "config version " + std::to_string(*r.config_version) +
                                               " of the release was not handed to the driver"));
    if (auto s = ensure_config_dir(m.opt.root, desired.key, *desired.config); !s) return s;
  }
  {
    std::lock_guard lock(m.mu);
    auto [it, added] = m.workloads.try_emplace(desired.key);
    Impl::Work& w = it->second;
    if (added || !fs::exists(m.layout.workloads_dir() + "/" + workload_file_name(desired.key))) {
      std::ofstream(m.layout.workloads_dir() + "/" + workload_file_name(desired.key))
          << desired.key.project << "/" << desired.key.app << "/" << desired.key.environment << "\n";
    }
    if (w.desired && w.desired->revision == r.revision && w.desired->replicas == r.replicas) return {};
    if (!w.desired || w.desired->revision != r.revision) {
      // A new release may name an image that failed before and exists now: ask again.
      std::erase_if(w.images, [](const auto& kv) { return kv.second.error.has_value(); });
    }
    w.desired = r;
    for (auto& [name, inst] : m.instances) {
      if (!(inst.rec.key == desired.key) || inst.rec.stopping || inst.rec.revision == r.revision ||
          !same_template(inst.rec, r))
        continue;
      inst.rec.revision = r.revision;
      if (!inst.busy) (void)write_instance_record(m.layout.instance_dir(name), inst.rec);
    }
  }
  m.wake();
  return {};
}

Result<WorkloadStatus> LocalRuntime::observe(const Workload& desired) {
  Impl& m = *impl_;
  const Release& r = desired.release;
  WorkloadStatus st;
  st.desired = r.replicas;
  std::lock_guard lock(m.mu);
  std::vector<PlannedInstance> planned;
  const Impl::Inst* troubled = nullptr;
  for (const auto& [name, inst] : m.instances) {
    if (!(inst.rec.key == desired.key) || inst.rec.stopping) continue;
    st.instances.push_back(m.to_api(inst, desired.cluster));
    planned.push_back({name, inst.rec.revision, inst.state.ready, inst.rec.created});
    if (inst.rec.revision == r.revision) {
      if (inst.state.ready) ++st.ready;
      if (!troubled && !inst.state.ready && inst.state.restarts + inst.state.consecutive_failures > 0)
        troubled = &inst;
    }
  }
  const RolloutTarget target{r.revision, r.replicas, rollout_budget(r.spec.strategy, r.replicas)};
  auto w = m.workloads.find(desired.key);
  const Impl::ImagePrep* prep = nullptr;
  if (w != m.workloads.end()) {
    auto p = w->second.images.find(r.image);
    if (p != w->second.images.end()) prep = &p->second;
  }
  if (prep && prep->image) st.image_digest = prep->image->digest;
  if (w != m.workloads.end() && w->second.failed_revision == r.revision && r.revision != 0) {
    st.rollout = ReleaseStatus::kFailed;
    st.reason = w->second.failure;
  } else if (prep && prep->error && prep->error->code == ErrorCode::kInvalid) {
    st.rollout = ReleaseStatus::kFailed;
    st.reason = prep->error->message;
  } else if (rollout_complete(target, planned)) {
    st.rollout = ReleaseStatus::kSucceeded;
  } else if (r.replicas > 0 && (!prep || !prep->image)) {
    st.reason = prep && prep->error ? "cannot pull " + r.image + " (retrying): " + prep->error->message
                                    : "pulling " + r.image;
  } else if (troubled) {
    st.reason = "instance " + troubled->rec.name + ": " + troubled->state.reason +
                (troubled->state.message.empty() ? "" : " (" + troubled->state.message + ")");
  } else {
    st.reason = std::to_string(st.ready) + " of " + std::to_string(r.replicas) + " instances ready";
    for (const auto& [name, inst] : m.instances)
      if (inst.rec.key == desired.key && inst.rec.revision == r.revision && !inst.probe_message.empty()) {
        st.reason += "; " + name + ": " + inst.probe_message;
        break;
      }
  }
  return st;
}

Status LocalRuntime::remove(const ReleaseKey& key, const std::string&, const std::string&) {
  Impl& m = *impl_;
  {
    std::lock_guard lock(m.mu);
    for (auto& [name, inst] : m.instances)
      if (inst.rec.key == key) inst.rec.stopping = true;
    m.workloads.erase(key);
    m.next_gc = std::min(m.next_gc, Clock::now() + 5s);  // after its instances have stopped
    std::error_code ec;
    fs::remove(m.layout.workloads_dir() + "/" + workload_file_name(key), ec);
  }
  m.wake();
  return {};
}

Result<std::vector<ReleaseKey>> LocalRuntime::list_workloads(const std::string&) {
  Impl& m = *impl_;
  std::lock_guard lock(m.mu);
  std::vector<ReleaseKey> out;
  for (const auto& [key, w] : m.workloads) out.push_back(key);
  for (const auto& [name, inst] : m.instances)
    if (!inst.rec.stopping && std::find(out.begin(), out.end(), inst.rec.key) == out.end())
      out.push_back(inst.rec.key);
  return out;
}

Result<std::unique_ptr<LogStream>> LocalRuntime::logs(const ReleaseKey& key, const std::string&,
                                                      const std::string&, const LogQuery& query) {
  std::weak_ptr<Impl> weak = impl_;
  auto lister = [weak, key]() -> std::optional<std::map<std::string, std::string>> {
    auto m = weak.lock();
    if (!m) return std::nullopt;
    std::lock_guard lock(m->mu);
    std::map<std::string, std::string> out;
    for (const auto& [name, inst] : m->instances)
      if (inst.rec.key == key && !inst.gone) out[name] = m->layout.instance_dir(name) + "/" + kLogFile;
    if (out.empty() && !m->workloads.contains(key)) return std::nullopt;
    return out;
  };
  if (!query.instance.empty()) {
    auto now = lister();
    if (!now || !now->contains(query.instance))
      return fail(Error::not_found("instance \"" + query.instance + "\" does not exist on this machine"));
  }
  auto register_notify = [weak](std::weak_ptr<std::function<void()>> notify) {
    if (auto m = weak.lock()) {
      std::lock_guard lock(m->listener_mu);
      m->log_notifiers.push_back(std::move(notify));
    }
  };
  return std::unique_ptr<LogStream>(std::make_unique<LocalLogStream>(
      query, std::move(lister), impl_->opt.logs.files, std::move(register_notify)));
}

void LocalRuntime::set_change_listener(std::function<void()> changed) {
  std::lock_guard lock(impl_->listener_mu);
  impl_->changed = std::move(changed);
}

void LocalRuntime::render_metrics(std::string& out) {
  struct Row {
    std::string labels;
    std::string name;
    int restarts;
    bool ready;
  };
  std::vector<Row> rows;
  {
    std::lock_guard lock(impl_->mu);
    for (const auto& [name, inst] : impl_->instances) {
      if (inst.gone) continue;
      const auto& k = inst.rec.key;
      rows.push_back({"{cluster=\"local\",project=\"" + k.project + "\",app=\"" + k.app + "\",env=\"" +
                          k.environment + "\",instance=\"" + name + "\"}",
                      name, inst.state.restarts, inst.state.ready});
    }
  }
  auto family = [&out](const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  std::vector<std::optional<CgroupUsage>> usage;
  for (const auto& row : rows) {
    auto u = read_cgroup_usage(cgroup_path_of(row.name), impl_->opt.cgroup_root);
    usage.push_back(u ? std::optional<CgroupUsage>(*u) : std::nullopt);
  }
  family("wharf_instance_cpu_seconds_total", "counter", "CPU time used by the instance's processes (local).");
  for (size_t i = 0; i < rows.size(); ++i)
    if (usage[i])
      out += "wharf_instance_cpu_seconds_total" + rows[i].labels + " " +
             std::to_string(usage[i]->cpu_seconds) + "\n";
  family("wharf_instance_memory_bytes", "gauge", "Memory charged to the instance's cgroup (local).");
  for (size_t i = 0; i < rows.size(); ++i)
    if (usage[i])
      out += "wharf_instance_memory_bytes" + rows[i].labels + " " + std::to_string(usage[i]->memory_bytes) +
             "\n";
  family("wharf_instance_restarts_total", "counter", "Restarts of the instance's container (local).");
  for (const auto& row : rows)
    out += "wharf_instance_restarts_total" + row.labels + " " + std::to_string(row.restarts) + "\n";
  family("wharf_instance_ready", "gauge", "1 when the instance is ready (local).");
  for (const auto& row : rows)
    out += "wharf_instance_ready" + row.labels + " " + (row.ready ? "1" : "0") + "\n";
}

}  // namespace wharf::local
