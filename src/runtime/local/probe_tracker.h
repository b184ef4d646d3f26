// The verdict of one health probe (readiness or liveness) over time: initial delay, period, and the
// success/failure thresholds of the app spec's Probe, as the kubelet applies them. Pure: the driver runs the
// checks (probe_check.h) and feeds the results in.
#pragma once

#include <chrono>

#include "core/app_spec.h"

namespace wharf::local {

class ProbeTracker {
 public:
  using Clock = std::chrono::steady_clock;

  // `healthy` is the verdict before any result: false for readiness (an instance earns traffic), true for
  // liveness (an instance is only killed for failures it had). `started` is when the container started.
  ProbeTracker(Probe probe, bool healthy, Clock::time_point started);

  // When the next check is due: started + initial delay, then one period after each result. Until a
  // probe that starts unhealthy (readiness) first succeeds it is retried every `eager` (at most the period)
  // so that a fresh instance is ready moments after it listens, not a whole period later.
  Clock::time_point next_due() const { return next_due_; }
  bool due(Clock::time_point now) const { return now >= next_due_; }

  // Records one check's result at `now`; returns true when the verdict changed.
  bool record(bool success, Clock::time_point now);

  bool healthy() const { return healthy_; }
  const Probe& probe() const { return probe_; }
  std::chrono::milliseconds timeout() const { return std::chrono::seconds(probe_.timeout_seconds); }

  static constexpr std::chrono::milliseconds kEager{100};

 private:
  Probe probe_;
  bool healthy_;
  bool eager_;  // readiness: retry quickly until the first success
  bool ever_succeeded_ = false;
  int successes_ = 0;  // consecutive
  int failures_ = 0;   // consecutive
  Clock::time_point next_due_;
};

}  // namespace wharf::local
