// Restart policy of local instances: exponential back-off between restarts of a crashing instance, as the
// kubelet does (10 s doubling up to 5 min), configurable so that tests need not wait minutes. Pure.
#pragma once

#include <chrono>

namespace wharf::local {

struct RestartPolicy {
  std::chrono::milliseconds base{10000};  // the delay before the second restart in a row
  std::chrono::milliseconds max{300000};  // the longest delay
  // An instance that ran this long without terminating starts over with no back-off.
  std::chrono::milliseconds stable_after{600000};
  // From this many terminations in a row, an instance waiting for its restart shows CrashLoopBackOff.
  int crash_loop_after = 3;
};

// The delay before restarting after `consecutive_failures` terminations in a row (>= 1): none after the first
// (a one-off crash or an external kill is repaired at once), then base, 2 x base, ... capped at max.
std::chrono::milliseconds backoff_delay(int consecutive_failures, const RestartPolicy& policy);

}  // namespace wharf::local
