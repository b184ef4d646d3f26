// LocalRuntime: the built-in driver that runs instances on this machine as OCI containers through runc,
// on a CNI bridge, supervised by one small shim per instance (shim.h) so that containers, their logs and
// their exit statuses outlive a server crash.
//
// apply() records the desired release and returns at once; the driver's own threads converge: a supervisor
// thread plans (rollout_plan.h), schedules health checks and restarts (instance_state.h), and notices shim
// exits the moment they happen (pidfds); a task pool does the blocking work (image pulls through the
// ImageSource, container starts and stops). observe() reads the in-memory state; the change listener is
// called whenever an instance or image changes so the controller passes at once.
//
// On construction the driver adopts the instances it finds on disk (running ones are left alone, dead ones
// are restarted per policy), and removes leftovers of a crash (namespaces and containers without an
// instance, half-created instances). A missing host part (runc, CNI plugins, iptables, cgroup controllers)
// is logged once with what to install; apply() then answers `unavailable` with the same words and nothing
// else is attempted. Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "image/image_source.h"
#include "runtime/local/log_file.h"
#include "runtime/local/restart_backoff.h"
#include "runtime/runtime.h"

namespace wharf::local {

inline constexpr size_t kImagesKeptPerWorkload = 3;

struct LocalRuntimeOptions {
  std::string root;         // DATA_DIR/runtime (host_layout.h)
  std::string shim_binary;  // the wharf binary; default: this process's executable
  std::string runc = "runc";
  std::string cni_plugin_dir = "/usr/lib/cni";
  // Shared by every Wharf server on the machine (one bridge, one address range): /run, cleared at boot
  // like the namespaces it describes.
  std::string cni_state_dir = "/run/wharf/cni";
  std::string cgroup_root = "/sys/fs/cgroup";
  RestartPolicy restart;
  std::chrono::milliseconds stop_grace{10000};  // SIGTERM to SIGKILL
  LogLimits logs;
  int workers = 8;
  // Unused images are deleted this often, and soon after a workload is removed. Each workload keeps its
  // kImagesKeptPerWorkload most recently used images so that a rollback does not wait for a pull. Config
  // version directories (config_files.h) no instance uses are deleted at the same times.
  std::chrono::seconds image_gc_interval{600};

  // The defaults for a server's data dir, with test overrides from the environment:
  // WHARF_RESTART_BACKOFF_MS="base[,max]", WHARF_STOP_GRACE_MS and WHARF_IMAGE_GC_S.
  static LocalRuntimeOptions for_data_dir(const std::string& data_dir);
};

class LocalRuntime : public Runtime {
 public:
  LocalRuntime(LocalRuntimeOptions options, ImageSource& images);
  // Stops the driver's threads; containers and shims keep running for the next server to adopt.
  ~LocalRuntime() override;
  LocalRuntime(const LocalRuntime&) = delete;
  LocalRuntime& operator=(const LocalRuntime&) = delete;

  std::string_view type() const override { return "local"; }
  Status apply(const Workload& desired) override;
  Result<WorkloadStatus> observe(const Workload& desired) override;
  Status remove(const ReleaseKey& key, const std::string& cluster, const std::string& ns) override;
  Result<std::vector<ReleaseKey>> list_workloads(const std::string& cluster) override;
  Result<std::unique_ptr<LogStream>> logs(const ReleaseKey& key, const std::string& cluster,
                                          const std::string& ns, const LogQuery& query) override;
  void set_change_listener(std::function<void()> changed) override;
  void render_metrics(std::string& out) override;

  // What this machine lacks for running instances; empty when nothing.
  std::vector<std::string> host_problems() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with log streams, which may outlive the driver
};

}  // namespace wharf::local
