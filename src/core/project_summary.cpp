#include "core/project_summary.h"

#include <algorithm>

#include "core/qos.h"

namespace wharf {

std::string_view to_string(AppHealth health) {
  switch (health) {
    case AppHealth::kNotDeployed:
      return "notDeployed";
    case AppHealth::kOffline:
      return "offline";
    case AppHealth::kHealthy:
      return "healthy";
    case AppHealth::kProgressing:
      return "progressing";
    case AppHealth::kFailed:
      return "failed";
  }
  return "notDeployed";
}

namespace {

int desired_of(const Release& r) {
  if (r.kind == ReleaseKind::kOffline) return 0;
  int desired = 0;
  for (const auto& c : r.clusters) desired += c.desired;
  // Before a driver reports, each cluster of the environment is to run the release's replicas.
  return desired > 0 ? desired : r.replicas * std::max<int>(1, static_cast<int>(r.clusters.size()));
}

int ready_of(const Release& r) {
  int ready = 0;
  for (const auto& c : r.clusters) ready += c.ready;
  return ready;
}

}  // namespace

AppHealth health_of(const Release& newest) {
  if (newest.status == ReleaseStatus::kFailed) return AppHealth::kFailed;
  if (newest.kind == ReleaseKind::kOffline) return AppHealth::kOffline;
  if (newest.status != ReleaseStatus::kSucceeded) return AppHealth::kProgressing;
  // Succeeded, but an instance may have died since: not healthy until it is back.
  return ready_of(newest) < desired_of(newest) ? AppHealth::kProgressing : AppHealth::kHealthy;
}

void HealthCounts::add(AppHealth h) {
  switch (h) {
    case AppHealth::kNotDeployed:
      ++not_deployed;
      break;
    case AppHealth::kOffline:
      ++offline;
      break;
    case AppHealth::kHealthy:
      ++healthy;
      break;
    case AppHealth::kProgressing:
      ++progressing;
      break;
    case AppHealth::kFailed:
      ++failed;
      break;
  }
}

void ResourceUsage::add(const Release& newest) {
  const int desired = desired_of(newest);
  instances_desired += desired;
  instances_ready += ready_of(newest);
  if (desired == 0) return;
  const ResourceLimits limits = limits_of(newest.spec);
  const ResourceRequests requests = requests_for(limits, default_tier_ratio(newest.spec.qos));
  if (!limits.cpu_millis || !limits.memory_bytes) unlimited += desired;
  cpu_limit_millis += limits.cpu_millis.value_or(0) * desired;
  memory_limit_bytes += limits.memory_bytes.value_or(0) * desired;
  cpu_request_millis += requests.cpu_millis.value_or(0) * desired;
  memory_request_bytes += requests.memory_bytes.value_or(0) * desired;
}

ProjectSummary summarize_project(std::span<const std::string> apps, std::span<const std::string> environments,
                                 std::span<const Release> newest) {
  ProjectSummary s;
  s.app_count = static_cast<int>(apps.size());
  std::map<std::string, AppHealth> worst;
  for (const auto& a : apps) worst[a] = AppHealth::kNotDeployed;
  for (const auto& e : environments) s.environments[e];
  for (const Release& r : newest) {
    auto env = s.environments.find(r.environment);
    auto app = worst.find(r.app);
    // An environment left out (the caller may not read it), or an app or environment deleted meanwhile.
    if (env == s.environments.end() || app == worst.end()) continue;
    const AppHealth h = health_of(r);
    env->second.apps.add(h);
    env->second.usage.add(r);
    s.usage.add(r);
    app->second = std::max(app->second, h);
  }
  for (auto& [name, env] : s.environments)
    env.apps.not_deployed =
        s.app_count - env.apps.healthy - env.apps.progressing - env.apps.failed - env.apps.offline;
  for (const auto& [name, h] : worst) s.apps.add(h);
  return s;
}

}  // namespace wharf
