// Rollout planning for the local driver: given the desired release and the instances that exist, which
// instances to start and which to stop next. Rolling updates honour maxSurge / maxUnavailable the way a
// Kubernetes Deployment does (never more than replicas + maxSurge instances, never fewer than
// replicas - maxUnavailable ready ones because of a stop), scaling removes unready then newest instances
// first, and zero replicas stops everything (offline). Called again after every change; pure.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/app_spec.h"

namespace wharf::local {

// An instance as the planner sees it. Instances already being stopped are not passed in.
struct PlannedInstance {
  std::string name;
  int64_t revision = 0;
  bool ready = false;
  uint64_t created = 0;  // creation order: higher is newer
};

struct RolloutTarget {
  int64_t revision = 0;
  int replicas = 0;
  RolloutBudget budget;  // rollout_budget(strategy, replicas)
};

struct RolloutPlan {
  int start = 0;                  // new instances of the target revision to create
  std::vector<std::string> stop;  // instances to stop, in order

  bool operator==(const RolloutPlan&) const = default;
};

RolloutPlan plan_rollout(const RolloutTarget& target, std::span<const PlannedInstance> instances);

// The rollout is complete: exactly `replicas` instances, all of the target revision and ready.
bool rollout_complete(const RolloutTarget& target, std::span<const PlannedInstance> instances);

}  // namespace wharf::local
