// Release: the immutable record of one change to a running app in one environment, and the pure rules
// that create releases (deploy, rollback, scale, offline) and move them through their states.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/app.h"
#include "core/app_spec.h"
#include "core/error.h"

namespace wharf {

enum class ReleaseKind { kDeploy, kRollback, kScale, kOffline };
enum class ReleaseStatus { kPending, kProgressing, kSucceeded, kFailed };

std::string_view to_string(ReleaseKind kind);
std::string_view to_string(ReleaseStatus status);
std::optional<ReleaseKind> parse_release_kind(std::string_view text);
std::optional<ReleaseStatus> parse_release_status(std::string_view text);

struct ClusterRollout {
  std::string cluster;
  ReleaseStatus status = ReleaseStatus::kPending;
  int ready = 0;
  int desired = 0;
  std::string message;

  bool operator==(const ClusterRollout&) const = default;
};

struct Release {
  std::string project;
  std::string app;
  std::string environment;
  int64_t revision = 0;  // assigned by the store: 1, 2, ... per app x environment
  std::string image;
  std::string image_digest;  // filled by the driver once resolved
  std::optional<int64_t> config_version;
  int replicas = 0;
  AppSpec spec;  // snapshot; spec.image == image, spec.replicas == replicas
  ReleaseKind kind = ReleaseKind::kDeploy;
  std::optional<int64_t> rollback_of;
  ReleaseStatus status = ReleaseStatus::kPending;
  std::string message;  // the user's "why"
  std::string reason;   // machine-set explanation of the status (e.g. "ProgressDeadlineExceeded: ...")
  std::string created_by;
  std::string created_at;
  std::string finished_at;
  std::vector<ClusterRollout> clusters;
  int64_t resource_version = 0;
};

// True when a release in `from` may move to `to`:
// pending -> progressing | succeeded | failed; progressing -> succeeded | failed; nothing leaves
// succeeded or failed (releases are history). Same-state "transitions" are allowed (idempotent updates).
bool can_transition(ReleaseStatus from, ReleaseStatus to);
inline bool is_terminal(ReleaseStatus s) {
  return s == ReleaseStatus::kSucceeded || s == ReleaseStatus::kFailed;
}

struct DeployRequest {
  std::optional<std::string> image;
  std::optional<int64_t> config_version;
  std::optional<int> replicas;
  std::string message;
};

struct RollbackRequest {
  std::optional<int64_t> to_revision;
  std::string message;
};

// `history` is the app x environment's releases, newest first (may be empty). Each planner returns the
// new release with status pending and revision 0 (the store numbers it), or an error saying why the
// request cannot be planned. Pure.

// Deploy: the app's current spec, with the request's image and replicas applied. Replicas default to
// the current release's (a scale survives an upgrade), then to the spec's.
Result<Release> plan_deploy(const App& app, std::string_view environment, std::span<const Release> history,
                            const DeployRequest& request, std::string_view actor);

// Rollback: a new release with the image, spec and config version of the target. The target is
// `to_revision`, or by default the newest succeeded release older than the current one that differs from
// it in image, config version or spec. Replicas stay as they are now (a rollback is not a scale-down).
Result<Release> plan_rollback(std::span<const Release> history, const RollbackRequest& request,
                              std::string_view actor);

// Scale: the current release with other replicas. Needs a current release that is not offline.
Result<Release> plan_scale(std::span<const Release> history, int replicas, std::string_view message,
                           std::string_view actor);

// Offline: the current release with zero replicas; history is kept and a deploy brings it back.
Result<Release> plan_offline(std::span<const Release> history, std::string_view message,
                             std::string_view actor);

}  // namespace wharf
