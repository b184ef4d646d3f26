// Request metrics by route and status, exposed in the Prometheus text format on /metrics.
//
// Recording is lock-free (relaxed atomics in fixed slots per route), so it costs nothing measurable on
// the hot path; render() takes a consistent-enough snapshot.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "api/router.h"

namespace wharf::api {

class RequestMetrics {
 public:
  // Latency histogram upper bounds, seconds.
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    2.5};

  explicit RequestMetrics(const Router& router);

  // `route_index` from Router::Match; routes().size() means "no route matched".
  void record(size_t route_index, int status, std::chrono::nanoseconds latency);
  // Appends the metric families to `out`.
  void render(std::string& out) const;

 private:
  static constexpr std::array<int, 16> kStatuses = {200, 201, 202, 204, 304, 400, 401, 403,
                                                    404, 405, 409, 413, 422, 500, 503, 0};
  struct Slot {
    std::array<std::atomic<uint64_t>, kStatuses.size()> count{};
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> bucket{};  // last: +Inf
    std::atomic<uint64_t> sum_ns{0};
    std::atomic<uint64_t> total{0};
  };
  const Router& router_;
  std::unique_ptr<Slot[]> slots_;
};

}  // namespace wharf::api
