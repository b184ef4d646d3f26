#include "runtime/local/probe_tracker.h"

#include <algorithm>

namespace wharf::local {

ProbeTracker::ProbeTracker(Probe probe, bool healthy, Clock::time_point started)
    : probe_(std::move(probe)),
      healthy_(healthy),
      eager_(!healthy),
      next_due_(started + std::chrono::seconds(probe_.initial_delay_seconds)) {}

bool ProbeTracker::record(bool success, Clock::time_point now) {
  const bool before = healthy_;
  if (success) {
    ever_succeeded_ = true;
    failures_ = 0;
    if (++successes_ >= std::max(1, probe_.success_threshold)) healthy_ = true;
  } else {
    successes_ = 0;
    if (++failures_ >= std::max(1, probe_.failure_threshold)) healthy_ = false;
  }
  const std::chrono::milliseconds period = std::chrono::seconds(std::max(1, probe_.period_seconds));
  next_due_ = now + (ever_succeeded_ || !eager_ ? period : std::min(period, kEager));
  return healthy_ != before;
}

}  // namespace wharf::local
