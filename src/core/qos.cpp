#include "core/qos.h"

#include <string>

namespace wharf {

namespace {

// limit * num / den rounded down, kept within [1, limit] when a positive limit is set: Kubernetes refuses
// a request above its limit, and a zero request would silently turn the resource into "unset".
std::optional<int64_t> scaled(const std::optional<int64_t>& limit, int64_t num, int64_t den) {
  if (!limit) return std::nullopt;
  if (*limit <= 0) return 0;
  if (den <= 0 || num >= den) return *limit;  // malformed or >1 ratios: the request can only be the limit
  if (num <= 0) return 1;
  // 128 bits: limits near the int64 range times a numerator must not overflow.
  auto r = static_cast<int64_t>(static_cast<__int128>(*limit) * num / den);
  return r < 1 ? 1 : r;
}

}  // namespace

std::string_view to_string(QosTier tier) {
  switch (tier) {
    case QosTier::kCritical:
      return "critical";
    case QosTier::kStandard:
      return "standard";
    case QosTier::kElastic:
      return "elastic";
    case QosTier::kBatch:
      return "batch";
  }
  return "standard";
}

Result<QosTier> parse_qos_tier(std::string_view text, std::string_view field) {
  for (QosTier t : {QosTier::kCritical, QosTier::kStandard, QosTier::kElastic, QosTier::kBatch}) {
    if (text == to_string(t)) return t;
  }
  const std::string f(field);
  return fail(Error::invalid(f, f + " \"" + std::string(text.substr(0, 60)) +
                                    "\" is not a QoS tier; use critical, standard, elastic or batch"));
}

TierRatio default_tier_ratio(QosTier tier) {
  // DESIGN.md, "QoS tiers": memory requests are limit / 1.5, i.e. 2/3 of the limit.
  switch (tier) {
    case QosTier::kCritical:
      return {1, 1, 1, 1};
    case QosTier::kStandard:
      return {1, 2, 2, 3};
    case QosTier::kElastic:
      return {1, 5, 2, 3};
    case QosTier::kBatch:
      return {1, 10, 2, 3};
  }
  return {1, 1, 1, 1};
}

ResourceRequests requests_for(const ResourceLimits& limits, const TierRatio& ratio) {
  return {scaled(limits.cpu_millis, ratio.cpu_num, ratio.cpu_den),
          scaled(limits.memory_bytes, ratio.mem_num, ratio.mem_den)};
}

std::string_view kubernetes_qos_class(const ResourceLimits& limits, const ResourceRequests& requests) {
  // Mirrors Kubernetes' GetPodQOS for one container, after the API server's defaulting (an unset request
  // takes its limit). Zero quantities count as unset there too.
  // Plain integers with 0 for "unset": zero means unset in Kubernetes too.
  auto value = [](const std::optional<int64_t>& v) -> int64_t { return v && *v > 0 ? *v : 0; };
  const int64_t cpu_lim = value(limits.cpu_millis), mem_lim = value(limits.memory_bytes);
  const int64_t cpu_req = requests.cpu_millis ? value(requests.cpu_millis) : cpu_lim;
  const int64_t mem_req = requests.memory_bytes ? value(requests.memory_bytes) : mem_lim;

  if (cpu_req == 0 && mem_req == 0 && cpu_lim == 0 && mem_lim == 0) return "BestEffort";
  const bool guaranteed = cpu_lim > 0 && mem_lim > 0 && cpu_req == cpu_lim && mem_req == mem_lim;
  return guaranteed ? "Guaranteed" : "Burstable";
}

}  // namespace wharf
