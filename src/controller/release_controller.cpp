#include "controller/release_controller.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "core/json_codec.h"
#include "util/clock.h"

namespace wharf {
namespace {

std::string workload_key(const ReleaseKey& k, const std::string& cluster) {
  return k.project + "/" + k.app + "/" + k.environment + "@" + cluster;
}

bool same_instances(const std::vector<Instance>& a, const std::vector<Instance>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto &x = a[i], &y = b[i];
    if (x.name != y.name || x.state != y.state || x.ready != y.ready || x.restarts != y.restarts ||
        x.address != y.address || x.node != y.node || x.release != y.release || x.reason != y.reason)
      return false;
  }
  return true;
}

// A release succeeds when every cluster has, fails when any cluster has, and progresses otherwise.
ReleaseStatus overall(const std::vector<ClusterRollout>& clusters) {
  bool all_done = !clusters.empty();
  for (const auto& c : clusters) {
    if (c.status == ReleaseStatus::kFailed) return ReleaseStatus::kFailed;
    if (c.status != ReleaseStatus::kSucceeded) all_done = false;
  }
  return all_done ? ReleaseStatus::kSucceeded : ReleaseStatus::kProgressing;
}

}  // namespace

ReleaseController::ReleaseController(Store& store, RuntimeRegistry& runtimes, EventBus& bus)
    : store_(store), runtimes_(runtimes), bus_(bus) {}

ReleaseController::~ReleaseController() {
  stop();
}

void ReleaseController::publish_release(const Release& r, const char* type) {
  bus_.publish(Event{type, "release", r.project,
                     r.app + "/" + r.environment + "/" + std::to_string(r.revision), r.resource_version,
                     json_codec::encode(r).dump()});
}

Result<int> ReleaseController::reconcile_once(bool resync) {
  auto work = resync ? store_.desired_releases() : store_.active_releases();
  if (!work) return tl::unexpected(work.error());
  int changed = 0;
  for (const auto& release : *work) {
    auto r = reconcile_release(release);
    if (!r) {
      // One broken workload must not stall the others; the next pass retries it.
      spdlog::warn("reconcile {}/{}/{} revision {}: {}", release.project, release.app, release.environment,
                   release.revision, r.error().message);
      continue;
    }
    changed += *r ? 1 : 0;
  }
  return changed;
}

Result<bool> ReleaseController::reconcile_release(const Release& release) {
  ReleaseKey key{release.project, release.app, release.environment};
  auto env = store_.get_environment(release.project, release.environment);
  if (!env) return tl::unexpected(env.error());

  Release next = release;
  next.clusters.clear();
  bool any_driver = false;
  std::string waiting;
  for (const auto& cluster : env->clusters) {
    ClusterRollout rollout{cluster, ReleaseStatus::kPending, 0, release.replicas, ""};
    Runtime* runtime = runtimes_.for_cluster(cluster);
    if (!runtime) {
      rollout.message = "no runtime driver serves cluster \"" + cluster + "\" yet";
      waiting = rollout.message;
      next.clusters.push_back(std::move(rollout));
      continue;
    }
    any_driver = true;
    Workload workload{key, cluster, env->ns, release};
    if (auto applied = runtime->apply(workload); !applied) {
      if (applied.error().code == ErrorCode::kUnavailable) {
        rollout.status = ReleaseStatus::kProgressing;
        rollout.message = applied.error().message;
      } else {
        rollout.status = ReleaseStatus::kFailed;
        rollout.message = applied.error().message;
      }
      next.clusters.push_back(std::move(rollout));
      continue;
    }
    auto observed = runtime->observe(workload);
    if (!observed) {
      rollout.status = ReleaseStatus::kProgressing;
      rollout.message = observed.error().message;
      next.clusters.push_back(std::move(rollout));
      continue;
    }
    rollout.status = observed->rollout;
    rollout.ready = observed->ready;
    rollout.desired = observed->desired;
    rollout.message = observed->reason;
    if (next.image_digest.empty()) next.image_digest = observed->image_digest;
    next.clusters.push_back(std::move(rollout));

    const auto wkey = workload_key(key, cluster);
    auto it = written_instances_.find(wkey);
    if (it == written_instances_.end() || !same_instances(it->second, observed->instances)) {
      if (auto s = store_.replace_instances(key, cluster, observed->instances); !s)
        return tl::unexpected(s.error());
      written_instances_[wkey] = observed->instances;
      for (const auto& inst : observed->instances)
        bus_.publish(Event{"MODIFIED", "instance", key.project,
                           key.app + "/" + key.environment + "/" + inst.name, 0,
                           json_codec::encode(inst).dump()});
    }
  }

  if (is_terminal(release.status)) {
    // A finished release is history: a resync repairs drift and refreshes instances, nothing more.
    return false;
  }

  if (!any_driver) {
    next.status = ReleaseStatus::kPending;
    next.reason = waiting;
  } else {
    next.status = overall(next.clusters);
    next.reason.clear();
    for (const auto& c : next.clusters)
      if (c.status != ReleaseStatus::kSucceeded && !c.message.empty()) {
        next.reason = c.cluster + ": " + c.message;
        break;
      }
    auto created = parse_rfc3339(release.created_at);
    auto deadline = std::chrono::seconds(release.spec.strategy.progress_deadline_seconds);
    if (next.status == ReleaseStatus::kProgressing && created && now_() - *created > deadline) {
      next.status = ReleaseStatus::kFailed;
      next.reason = "ProgressDeadlineExceeded: not all instances were ready within " +
                    std::to_string(release.spec.strategy.progress_deadline_seconds) + "s" +
                    (next.reason.empty() ? "" : " (" + next.reason + ")");
    }
  }
  if (is_terminal(next.status) && next.finished_at.empty()) next.finished_at = now_rfc3339();

  if (next.status == release.status && next.reason == release.reason && next.clusters == release.clusters &&
      next.image_digest == release.image_digest)
    return false;
  auto stored = store_.update_release_status(next);
  if (!stored) {
    // Someone (a new release, another pass) changed it first; the next pass sees the new state.
    if (stored.error().code == ErrorCode::kConflict) return false;
    return tl::unexpected(stored.error());
  }
  publish_release(*stored, "MODIFIED");
  return stored->status != release.status;
}

void ReleaseController::start(std::chrono::milliseconds interval, std::chrono::milliseconds resync_interval) {
  thread_ = std::thread([this, interval, resync_interval] {
    auto last_resync = std::chrono::steady_clock::now();
    std::unique_lock lock(mu_);
    while (!stopping_) {
      cv_.wait_for(lock, interval, [this] { return woken_ || stopping_; });
      if (stopping_) break;
      woken_ = false;
      lock.unlock();
      bool resync = std::chrono::steady_clock::now() - last_resync >= resync_interval;
      if (resync) last_resync = std::chrono::steady_clock::now();
      if (auto r = reconcile_once(resync); !r) spdlog::error("controller pass failed: {}", r.error().message);
      lock.lock();
    }
  });
}

void ReleaseController::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_one();
}

void ReleaseController::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

}  // namespace wharf
