// ProjectSummary: a project at a glance for its list page: how its apps are doing in each environment and
// what they take (instances, CPU and memory limits, and the requests their QoS tiers derive). Pure.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/release.h"

namespace wharf {

// An app's state in one environment, from its newest release (the desired state) and the instances the
// drivers observed. Across environments an app counts as its worst state (failed > progressing > healthy
// > offline > not deployed).
enum class AppHealth { kNotDeployed, kOffline, kHealthy, kProgressing, kFailed };

std::string_view to_string(AppHealth health);

AppHealth health_of(const Release& newest);

struct HealthCounts {
  int healthy = 0, progressing = 0, failed = 0, offline = 0, not_deployed = 0;
  void add(AppHealth h);
};

// What running instances take; requests follow from limits by the app's tier (qos.h). An app without a
// limit adds nothing to that limit's sum and is counted in `unlimited` (it can take the whole machine).
struct ResourceUsage {
  int instances_desired = 0;
  int instances_ready = 0;
  int64_t cpu_limit_millis = 0, memory_limit_bytes = 0;
  int64_t cpu_request_millis = 0, memory_request_bytes = 0;
  int unlimited = 0;  // desired instances with no CPU or no memory limit
  void add(const Release& newest);
};

struct EnvironmentSummary {
  HealthCounts apps;
  ResourceUsage usage;
};

struct ProjectSummary {
  int app_count = 0;
  HealthCounts apps;  // each app once, its worst state
  ResourceUsage usage;
  std::map<std::string, EnvironmentSummary> environments;  // every environment, also those without releases
};

// `apps` and `environments`: the project's names; `newest`: the newest release of each app x environment
// of the project (Store::desired_releases).
ProjectSummary summarize_project(std::span<const std::string> apps, std::span<const std::string> environments,
                                 std::span<const Release> newest);

}  // namespace wharf
