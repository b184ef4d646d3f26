// QoS tiers: an app's resources are its limits; its tier derives the requests (DESIGN.md, "QoS tiers").
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/error.h"

namespace wharf {

enum class QosTier { kCritical, kStandard, kElastic, kBatch };

std::string_view to_string(QosTier tier);
// Accepts "critical", "standard", "elastic", "batch"; anything else is `invalid` on `field`.
Result<QosTier> parse_qos_tier(std::string_view text, std::string_view field);

// How requests follow from limits for one tier: request = limit * numerator / denominator.
struct TierRatio {
  int64_t cpu_num = 1, cpu_den = 1;
  int64_t mem_num = 1, mem_den = 1;
};

// The default ratios; environments may override them (admins), hence a value type.
TierRatio default_tier_ratio(QosTier tier);

struct ResourceLimits {
  std::optional<int64_t> cpu_millis;
  std::optional<int64_t> memory_bytes;
};

struct ResourceRequests {
  std::optional<int64_t> cpu_millis;
  std::optional<int64_t> memory_bytes;
};

// Requests for `limits` under `ratio`, rounded down but never below 1 millicore / 1 byte when a limit is
// set. Both runtime drivers use this one function (Kubernetes requests; cgroup shares locally).
ResourceRequests requests_for(const ResourceLimits& limits, const TierRatio& ratio);

// The Kubernetes QoS class the pod will get: "Guaranteed", "Burstable" or "BestEffort".
std::string_view kubernetes_qos_class(const ResourceLimits& limits, const ResourceRequests& requests);

}  // namespace wharf
