// The life of one local instance as a pure state machine:
//
//   creating -> starting -> running (ready or not) -> exited (code 0) | failed (code != 0, OOM, start error)
//                  ^                                          |
//                  +---- restart, once the back-off passed ---+
//
// The driver feeds it what it observed (container started, probe results, the exit the shim recorded) and
// reads back what the instance looks like to the API. Restart policy "always" (long-running services):
// every termination is followed by a restart after an exponential back-off (restart_backoff.h). No I/O.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "runtime/local/restart_backoff.h"

namespace wharf::local {

enum class Phase { kCreating, kStarting, kRunning, kExited, kFailed };

// The API's state names: "creating", "starting", "running", "exited", "failed".
std::string_view to_string(Phase phase);

struct InstanceState {
  using Clock = std::chrono::steady_clock;

  Phase phase = Phase::kCreating;
  bool ready = false;
  int restarts = 0;  // how often the container was started again after a termination
  // Terminations since the instance last ran for RestartPolicy::stable_after: drives the back-off.
  int consecutive_failures = 0;
  int exit_code = 0;  // of the last termination
  // Why the instance is not (or was not, the last time) running: OOMKilled, Error, Completed,
  // HealthCheckFailed, CrashLoopBackOff. Kept after a restart, as Kubernetes keeps "last state", so a brief
  // termination stays visible. Empty until the first termination.
  std::string reason;
  std::string message;              // details for a person (start errors, exit code)
  bool killed_by_liveness = false;  // the driver killed the container because its liveness probe failed
  Clock::time_point running_since{};
  Clock::time_point restart_at{};  // exited/failed: when the restart is due
};

// creating -> starting: the container's bundle and network exist, its process is being started.
InstanceState on_starting(InstanceState s);

// starting -> running. Without a readiness probe an instance is ready as soon as it runs (as in Kubernetes).
InstanceState on_started(InstanceState s, InstanceState::Clock::time_point now, bool has_readiness_probe);

// The readiness probe's verdict (after its thresholds); ignored unless running.
InstanceState on_readiness(InstanceState s, bool ready);

// The liveness probe failed past its threshold: the driver kills the container; the termination that follows
// is reported as HealthCheckFailed.
InstanceState on_liveness_failed(InstanceState s);

// The container's process ended (as recorded by its shim). Exit code 0 -> exited, anything else or an OOM
// kill -> failed. Schedules the restart.
InstanceState on_exited(InstanceState s, int exit_code, bool oom_killed, InstanceState::Clock::time_point now,
                        const RestartPolicy& policy);

// The container could not be started (bundle, network or runc error): failed with reason Error and the
// message; the restart is scheduled like after a crash.
InstanceState on_start_failed(InstanceState s, std::string message, InstanceState::Clock::time_point now,
                              const RestartPolicy& policy);

// Whether an exited/failed instance's back-off has passed.
bool restart_due(const InstanceState& s, InstanceState::Clock::time_point now);

// exited/failed -> starting for the restart; counts it.
InstanceState on_restarting(InstanceState s);

}  // namespace wharf::local
