#include "api/metrics.h"

#include <fmt/format.h>

namespace wharf::api {

RequestMetrics::RequestMetrics(const Router& router)
    : router_(router), slots_(new Slot[router.routes().size() + 1]) {}

void RequestMetrics::record(size_t route_index, int status, std::chrono::nanoseconds latency) {
  auto& slot = slots_[std::min(route_index, router_.routes().size())];
  size_t s = kStatuses.size() - 1;  // "other"
  for (size_t i = 0; i + 1 < kStatuses.size(); ++i)
    if (kStatuses[i] == status) s = i;
  slot.count[s].fetch_add(1, std::memory_order_relaxed);
  double secs = std::chrono::duration<double>(latency).count();
  size_t b = kBuckets.size();
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (secs <= kBuckets[i]) {
      b = i;
      break;
    }
  slot.bucket[b].fetch_add(1, std::memory_order_relaxed);
  slot.sum_ns.fetch_add(static_cast<uint64_t>(latency.count()), std::memory_order_relaxed);
  slot.total.fetch_add(1, std::memory_order_relaxed);
}

void RequestMetrics::render(std::string& out) const {
  const auto& routes = router_.routes();
  auto label = [&](size_t i) {
    return i < routes.size() ? fmt::format("method=\"{}\",route=\"{}\"", routes[i].method, routes[i].pattern)
                             : std::string("method=\"\",route=\"unmatched\"");
  };
  out += "# HELP wharf_http_requests_total HTTP requests by route and status.\n";
  out += "# TYPE wharf_http_requests_total counter\n";
  for (size_t i = 0; i <= routes.size(); ++i)
    for (size_t s = 0; s < kStatuses.size(); ++s) {
      auto n = slots_[i].count[s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      auto code = kStatuses[s] ? std::to_string(kStatuses[s]) : std::string("other");
      out += fmt::format("wharf_http_requests_total{{{},status=\"{}\"}} {}\n", label(i), code, n);
    }
  out += "# HELP wharf_http_request_duration_seconds HTTP request latency by route.\n";
  out += "# TYPE wharf_http_request_duration_seconds histogram\n";
  for (size_t i = 0; i <= routes.size(); ++i) {
    auto total = slots_[i].total.load(std::memory_order_relaxed);
    if (total == 0) continue;
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kBuckets.size(); ++b) {
      cumulative += slots_[i].bucket[b].load(std::memory_order_relaxed);
      out += fmt::format("wharf_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", label(i),
                         kBuckets[b], cumulative);
    }
    cumulative += slots_[i].bucket[kBuckets.size()].load(std::memory_order_relaxed);
    out += fmt::format("wharf_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", label(i),
                       cumulative);
    out += fmt::format("wharf_http_request_duration_seconds_sum{{{}}} {}\n", label(i),
                       slots_[i].sum_ns.load(std::memory_order_relaxed) / 1e9);
    out += fmt::format("wharf_http_request_duration_seconds_count{{{}}} {}\n", label(i), cumulative);
  }
}

}  // namespace wharf::api
