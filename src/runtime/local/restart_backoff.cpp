#include "runtime/local/restart_backoff.h"

#include <algorithm>

namespace wharf::local {

std::chrono::milliseconds backoff_delay(int consecutive_failures, const RestartPolicy& policy) {
  if (consecutive_failures <= 1) return std::chrono::milliseconds(0);
  auto delay = policy.base;
  // Doubling stops at max, so a long crash loop cannot overflow.
  for (int i = 2; i < consecutive_failures && delay < policy.max; ++i) delay *= 2;
  return std::min(delay, policy.max);
}

}  // namespace wharf::local
