#include "runtime/local/instance_state.h"

namespace wharf::local {

std::string_view to_string(Phase phase) {
  switch (phase) {
    case Phase::kCreating:
      return "creating";
    case Phase::kStarting:
      return "starting";
    case Phase::kRunning:
      return "running";
    case Phase::kExited:
      return "exited";
    case Phase::kFailed:
      return "failed";
  }
  return "failed";
}

namespace {

std::string describe(std::chrono::milliseconds d) {
  return d.count() % 1000 == 0 ? std::to_string(d.count() / 1000) + "s" : std::to_string(d.count()) + "ms";
}

// Counts a termination and schedules the restart.
void terminated(InstanceState& s, InstanceState::Clock::time_point now, const RestartPolicy& policy) {
  const bool was_stable = s.phase == Phase::kRunning && now - s.running_since >= policy.stable_after;
  s.consecutive_failures = was_stable ? 1 : s.consecutive_failures + 1;
  s.ready = false;
  const auto delay = backoff_delay(s.consecutive_failures, policy);
  s.restart_at = now + delay;
  if (s.consecutive_failures >= policy.crash_loop_after && delay.count() > 0) {
    s.message = "back-off " + describe(delay) + " restarting (last: " + s.reason +
                (s.message.empty() ? "" : ", " + s.message) + ")";
    s.reason = "CrashLoopBackOff";
  }
}

}  // namespace

InstanceState on_starting(InstanceState s) {
  s.phase = Phase::kStarting;
  s.ready = false;
  return s;
}

InstanceState on_started(InstanceState s, InstanceState::Clock::time_point now, bool has_readiness_probe) {
  s.phase = Phase::kRunning;
  s.ready = !has_readiness_probe;
  s.running_since = now;
  s.killed_by_liveness = false;
  return s;
}

InstanceState on_readiness(InstanceState s, bool ready) {
  if (s.phase == Phase::kRunning) s.ready = ready;
  return s;
}

InstanceState on_liveness_failed(InstanceState s) {
  if (s.phase == Phase::kRunning) s.killed_by_liveness = true;
  return s;
}

InstanceState on_exited(InstanceState s, int exit_code, bool oom_killed, InstanceState::Clock::time_point now,
                        const RestartPolicy& policy) {
  s.exit_code = exit_code;
  s.message = "exit code " + std::to_string(exit_code);
  if (oom_killed) {
    s.reason = "OOMKilled";
    s.message += ": the memory limit was reached";
  } else if (s.killed_by_liveness) {
    s.reason = "HealthCheckFailed";
    s.message += ": killed because the liveness probe failed";
  } else {
    s.reason = exit_code == 0 ? "Completed" : "Error";
  }
  terminated(s, now, policy);
  s.phase = exit_code == 0 && !oom_killed && !s.killed_by_liveness ? Phase::kExited : Phase::kFailed;
  s.killed_by_liveness = false;
  return s;
}

InstanceState on_start_failed(InstanceState s, std::string message, InstanceState::Clock::time_point now,
                              const RestartPolicy& policy) {
  s.exit_code = -1;
  s.reason = "Error";
  s.message = std::move(message);
  terminated(s, now, policy);
  s.phase = Phase::kFailed;
  return s;
}

bool restart_due(const InstanceState& s, InstanceState::Clock::time_point now) {
  return (s.phase == Phase::kExited || s.phase == Phase::kFailed) && now >= s.restart_at;
}

InstanceState on_restarting(InstanceState s) {
  s.phase = Phase::kStarting;
  s.ready = false;
  s.restarts += 1;
  return s;
}

}  // namespace wharf::local
