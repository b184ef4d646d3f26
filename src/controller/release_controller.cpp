#include "controller/release_controller.h"

#include <spdlog/spdlog.h>

#include <set>
#include <utility>

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

ReleaseController::ReleaseController(Store& store, RuntimeRegistry& runtimes, EventBus& bus,
                                     const SecretBox* secrets)
    : store_(store), runtimes_(runtimes), bus_(bus), configs_(store, secrets) {}

ReleaseController::~ReleaseController() {
  stop();
}

void ReleaseController::publish_release(const Release& r, const char* type) {
  bus_.publish(Event{type, "release", r.project,
                     r.app + "/" + r.environment + "/" + std::to_string(r.revision), r.resource_version,
                     json_codec::encode(r).dump()});
}

Result<std::shared_ptr<const ConfigVersion>> ReleaseController::config_of(const Release& release) {
  if (!release.config_version) return std::shared_ptr<const ConfigVersion>();
  const int64_t version = *release.config_version;
  auto config = configs_.get(ConfigKey{release.project, release.app, release.environment}, version);
  if (config) return config;
  // Errors that no retry can fix are `invalid` (the caller fails the release); others pass through.
  const std::string what =
      "config version " + std::to_string(version) + " of " + release.app + " in " + release.environment;
  if (config.error().code == ErrorCode::kNotFound)
    return fail(Error::invalid("config_version", what + " does not exist"));
  if (config.error().code == ErrorCode::kInvalid)
    return fail(Error::invalid("config_version", what + ": " + config.error().message));
  return fail(config.error());
}

Result<int> ReleaseController::reconcile_once(Pass pass) {
  auto work = pass == Pass::kActive ? store_.active_releases() : store_.desired_releases("");
  if (!work) return tl::unexpected(work.error());
  int changed = 0;
  for (const auto& release : *work) {
    auto r = reconcile_release(release, pass);
    if (!r) {
      // One broken workload must not stall the others; the next pass retries it.
      spdlog::warn("reconcile {}/{}/{} revision {}: {}", release.project, release.app, release.environment,
                   release.revision, r.error().message);
      continue;
    }
    changed += *r ? 1 : 0;
  }
  if (pass == Pass::kResync) remove_abandoned_workloads(*work);
  return changed;
}

Result<bool> ReleaseController::reconcile_release(const Release& release, Pass pass) {
  ReleaseKey key{release.project, release.app, release.environment};
  auto env = store_.get_environment(release.project, release.environment);
  if (!env) return tl::unexpected(env.error());

  // A finished release is history: passes only refresh what its clusters run, and resyncs re-apply it
  // to repair drift.
  const bool finished = is_terminal(release.status);
  auto config = config_of(release);
  if (!config) {
    // A finished release keeps its status (it ran once); the next pass tries again.
    if (finished || config.error().code != ErrorCode::kInvalid) return tl::unexpected(config.error());
    Release failed = release;
    failed.status = ReleaseStatus::kFailed;
    failed.reason = "cannot deliver the config: " + config.error().message;
    if (failed.finished_at.empty()) failed.finished_at = now_rfc3339();
    return store_failure(failed);
  }
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
    Workload workload{key, cluster, env->ns, release, *config};
    if (!finished || pass == Pass::kResync) {
      if (auto applied = runtime->apply(workload); !applied) {
        rollout.status = applied.error().code == ErrorCode::kUnavailable ? ReleaseStatus::kProgressing
                                                                         : ReleaseStatus::kFailed;
        rollout.message = applied.error().message;
        next.clusters.push_back(std::move(rollout));
        continue;
      }
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
    if (!observed->drift.empty()) {
      spdlog::warn("{}/{}/{} on {}: changed outside Wharf: {}", key.project, key.app, key.environment,
                   cluster, observed->drift);
      rollout.message = "changed outside Wharf, restoring: " + observed->drift;
    }
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

  if (finished) {
    if (!any_driver || next.clusters == release.clusters) return false;
    next.status = release.status;
    next.reason = release.reason;
    next.image_digest = release.image_digest.empty() ? next.image_digest : release.image_digest;
    auto stored = store_.update_release_status(next);
    if (!stored) {
      if (stored.error().code == ErrorCode::kConflict) return false;
      return tl::unexpected(stored.error());
    }
    publish_release(*stored, "MODIFIED");
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
  if (next.status == ReleaseStatus::kFailed) return store_failure(next);
  auto stored = store_.update_release_status(next);
  if (!stored) {
    // Someone (a new release, another pass) changed it first; the next pass sees the new state.
    if (stored.error().code == ErrorCode::kConflict) return false;
    return tl::unexpected(stored.error());
  }
  publish_release(*stored, "MODIFIED");
  return stored->status != release.status;
}

Result<bool> ReleaseController::store_failure(const Release& failed) {
  const ReleaseKey key{failed.project, failed.app, failed.environment};
  Result<Release> revert = fail(Error::invalid("kind", "only a failed deploy returns automatically"));
  if (failed.kind == ReleaseKind::kDeploy) {
    // The store still holds `failed` as the newest release, so the planner's default target is the
    // newest earlier successful release that runs something else.
    auto history = store_.recent_releases(key, 100);
    if (!history) return tl::unexpected(history.error());
    RollbackRequest request{std::nullopt, "automatic return: revision " + std::to_string(failed.revision) +
                                              " failed: " + failed.reason};
    revert = plan_rollback(*history, request, "wharf");
  }
  Result<Release> stored =
      revert ? store_.fail_and_revert(failed, *revert) : store_.update_release_status(failed);
  if (!stored) {
    if (stored.error().code == ErrorCode::kConflict) return false;
    return tl::unexpected(stored.error());
  }
  if (revert) {
    spdlog::warn("{}/{}/{} revision {} failed ({}); returning to revision {} as revision {}", key.project,
                 key.app, key.environment, failed.revision, failed.reason, *stored->rollback_of,
                 stored->revision);
    if (auto f = store_.get_release(key, failed.revision)) publish_release(*f, "MODIFIED");
    publish_release(*stored, "ADDED");
    wake();
  } else {
    publish_release(*stored, "MODIFIED");
  }
  return true;
}

void ReleaseController::remove_abandoned_workloads(const std::vector<Release>& desired) {
  // Which app x environment may run on which cluster. An environment that cannot be read keeps its
  // workloads everywhere: removing is the one thing a pass must never do by mistake.
  std::set<std::pair<ReleaseKey, std::string>> keep;
  std::set<ReleaseKey> keep_everywhere;
  for (const auto& r : desired) {
    ReleaseKey key{r.project, r.app, r.environment};
    auto env = store_.get_environment(r.project, r.environment);
    if (!env) {
      keep_everywhere.insert(key);
      continue;
    }
    for (const auto& cluster : env->clusters) keep.emplace(key, cluster);
  }
  for (auto& [cluster, runtime] : runtimes_.all()) {
    auto running = runtime->list_workloads(cluster);
    if (!running) {
      spdlog::warn("cannot list the workloads on cluster {}: {}", cluster, running.error().message);
      continue;
    }
    for (const auto& key : *running) {
      if (keep.contains({key, cluster}) || keep_everywhere.contains(key)) continue;
      auto env = store_.get_environment(key.project, key.environment);
      const std::string ns = env ? env->ns : "";
      if (!env && env.error().code != ErrorCode::kNotFound) continue;
      spdlog::info("removing {}/{}/{} from cluster {}: its app or environment is gone", key.project, key.app,
                   key.environment, cluster);
      if (auto s = runtime->remove(key, cluster, ns); !s)
        spdlog::warn("remove {}/{}/{} from {}: {}", key.project, key.app, key.environment, cluster,
                     s.error().message);
      written_instances_.erase(workload_key(key, cluster));
    }
  }
}

void ReleaseController::start(std::chrono::milliseconds interval, std::chrono::milliseconds resync_interval) {
  thread_ = std::thread([this, interval, resync_interval] {
    // Driver watches can report changes many times a second during a large rollout; observe passes
    // then run at most every kObserveGap so the controller coalesces them instead of spinning.
    constexpr auto kObserveGap = std::chrono::milliseconds(100);
    auto last_resync = std::chrono::steady_clock::now();
    auto last_pass = std::chrono::steady_clock::time_point{};
    std::unique_lock lock(mu_);
    while (!stopping_) {
      cv_.wait_for(lock, interval, [this] { return woken_ || observe_wanted_ || stopping_; });
      if (!woken_ && observe_wanted_)
        cv_.wait_until(lock, last_pass + kObserveGap, [this] { return woken_ || stopping_; });
      if (stopping_) break;
      Pass pass = observe_wanted_ ? Pass::kObserve : Pass::kActive;
      woken_ = observe_wanted_ = false;
      lock.unlock();
      if (std::chrono::steady_clock::now() - last_resync >= resync_interval) {
        pass = Pass::kResync;
        last_resync = std::chrono::steady_clock::now();
      }
      if (auto r = reconcile_once(pass); !r) spdlog::error("controller pass failed: {}", r.error().message);
      last_pass = std::chrono::steady_clock::now();
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

void ReleaseController::observe_soon() {
  {
    std::lock_guard lock(mu_);
    observe_wanted_ = true;
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
