#include "runtime/local/rollout_plan.h"

#include <algorithm>

namespace wharf::local {

namespace {

// Which instances go first when some must go: unready before ready (they serve nothing), then the newest
// (the oldest have proven themselves), as a ReplicaSet scales down.
std::vector<const PlannedInstance*> by_stop_preference(std::vector<const PlannedInstance*> v) {
  std::sort(v.begin(), v.end(), [](const PlannedInstance* a, const PlannedInstance* b) {
    if (a->ready != b->ready) return !a->ready;
    return a->created > b->created;
  });
  return v;
}

void take(std::vector<const PlannedInstance*>& from, int n, std::vector<std::string>& into) {
  for (int i = 0; i < n && !from.empty(); ++i) {
    into.push_back(from.front()->name);
    from.erase(from.begin());
  }
}

}  // namespace

RolloutPlan plan_rollout(const RolloutTarget& target, std::span<const PlannedInstance> instances) {
  RolloutPlan plan;
  std::vector<const PlannedInstance*> fresh, old;
  for (const auto& i : instances) (i.revision == target.revision ? fresh : old).push_back(&i);
  const int replicas = std::max(0, target.replicas);

  if (replicas == 0) {  // offline: everything goes, no availability to keep
    for (const auto* i : by_stop_preference(old)) plan.stop.push_back(i->name);
    for (const auto* i : by_stop_preference(fresh)) plan.stop.push_back(i->name);
    return plan;
  }

  // Too many of the target revision (a scale-down, also in the middle of a rollout): the excess goes now.
  auto fresh_order = by_stop_preference(fresh);
  const int fresh_excess = static_cast<int>(fresh.size()) - replicas;
  if (fresh_excess > 0) take(fresh_order, fresh_excess, plan.stop);
  const int fresh_count = static_cast<int>(fresh_order.size());
  const int fresh_ready = static_cast<int>(
      std::count_if(fresh_order.begin(), fresh_order.end(), [](const auto* i) { return i->ready; }));

  const int total = fresh_count + static_cast<int>(old.size());
  const int max_total = replicas + std::max(0, target.budget.max_surge);
  plan.start = std::max(0, std::min(replicas - fresh_count, max_total - total));

  if (old.empty()) return plan;
  // Old instances may go as far as availability allows (Kubernetes' reconcileOldReplicaSets): of all
  // instances, at least replicas - maxUnavailable must remain, and the new ones not ready yet do not count.
  const int min_available = std::max(0, replicas - std::max(0, target.budget.max_unavailable));
  const int fresh_unavailable = fresh_count - fresh_ready;
  int budget = total - min_available - fresh_unavailable;
  if (budget <= 0) return plan;
  auto old_order = by_stop_preference(old);
  // Unready old instances first: stopping them costs no availability.
  const int old_unready = static_cast<int>(
      std::count_if(old_order.begin(), old_order.end(), [](const auto* i) { return !i->ready; }));
  const int cleaned = std::min(budget, old_unready);
  take(old_order, cleaned, plan.stop);
  budget -= cleaned;
  // Then ready old ones, as long as enough ready instances remain.
  const int old_ready = static_cast<int>(
      std::count_if(old_order.begin(), old_order.end(), [](const auto* i) { return i->ready; }));
  const int ready_to_spare = fresh_ready + old_ready - min_available;
  take(old_order, std::min(budget, ready_to_spare), plan.stop);
  return plan;
}

bool rollout_complete(const RolloutTarget& target, std::span<const PlannedInstance> instances) {
  if (static_cast<int>(instances.size()) != std::max(0, target.replicas)) return false;
  return std::all_of(instances.begin(), instances.end(),
                     [&](const PlannedInstance& i) { return i.revision == target.revision && i.ready; });
}

}  // namespace wharf::local
