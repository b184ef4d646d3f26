#include "core/release.h"

#include <string>

namespace wharf {

namespace {

Status check_replicas(int replicas) {
  if (replicas >= 0 && replicas <= kMaxReplicas) return {};
  return fail(Error::invalid("replicas", "replicas must be between 0 and " + std::to_string(kMaxReplicas) +
                                             "; got " + std::to_string(replicas)));
}

// "app web in prod", for messages about one app x environment's history.
std::string where(const Release& r) {
  return "app " + r.app + " in " + r.environment;
}

// Whether two releases run the same thing: image, config and spec. Replicas are a scale, not a change of
// what runs, so they do not count.
bool same_content(const Release& a, const Release& b) {
  if (a.image != b.image || a.config_version != b.config_version) return false;
  AppSpec sa = a.spec, sb = b.spec;
  sa.replicas = sb.replicas = 0;
  return sa == sb;
}

// A new release that runs what `base` runs: identity and content copied, everything the store, drivers
// and controllers fill in left empty.
Release follow_up(const Release& base, ReleaseKind kind, int replicas, std::string_view message,
                  std::string_view actor) {
  Release r;
  r.project = base.project;
  r.app = base.app;
  r.environment = base.environment;
  r.image = base.image;
  // The digest pins the exact bits that ran, even if the tag has moved since.
  r.image_digest = base.image_digest;
  r.config_version = base.config_version;
  r.replicas = replicas;
  r.spec = base.spec;
  r.spec.replicas = replicas;
  r.kind = kind;
  r.status = ReleaseStatus::kPending;
  r.message = std::string(message);
  r.created_by = std::string(actor);
  return r;
}

}  // namespace

std::string_view to_string(ReleaseKind kind) {
  switch (kind) {
    case ReleaseKind::kDeploy:
      return "deploy";
    case ReleaseKind::kRollback:
      return "rollback";
    case ReleaseKind::kScale:
      return "scale";
    case ReleaseKind::kOffline:
      return "offline";
  }
  return "deploy";
}

std::string_view to_string(ReleaseStatus status) {
  switch (status) {
    case ReleaseStatus::kPending:
      return "pending";
    case ReleaseStatus::kProgressing:
      return "progressing";
    case ReleaseStatus::kSucceeded:
      return "succeeded";
    case ReleaseStatus::kFailed:
      return "failed";
  }
  return "pending";
}

std::optional<ReleaseKind> parse_release_kind(std::string_view text) {
  for (auto k : {ReleaseKind::kDeploy, ReleaseKind::kRollback, ReleaseKind::kScale, ReleaseKind::kOffline}) {
    if (text == to_string(k)) return k;
  }
  return std::nullopt;
}

std::optional<ReleaseStatus> parse_release_status(std::string_view text) {
  for (auto s : {ReleaseStatus::kPending, ReleaseStatus::kProgressing, ReleaseStatus::kSucceeded,
                 ReleaseStatus::kFailed}) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

bool can_transition(ReleaseStatus from, ReleaseStatus to) {
  if (from == to) return true;
  switch (from) {
    case ReleaseStatus::kPending:
      return true;
    case ReleaseStatus::kProgressing:
      return is_terminal(to);
    case ReleaseStatus::kSucceeded:
    case ReleaseStatus::kFailed:
      return false;
  }
  return false;
}

Result<Release> plan_deploy(const App& app, std::string_view environment, std::span<const Release> history,
                            const DeployRequest& request, std::string_view actor) {
  if (request.replicas) {
    if (auto s = check_replicas(*request.replicas); !s) return fail(s.error());
  }
  if (request.config_version && *request.config_version < 1) {
    return fail(Error::invalid("configVersion",
                               "configVersion must be a published config version (1 or more); "
                               "got " +
                                   std::to_string(*request.config_version)));
  }
  AppSpec spec = app.spec;
  if (request.image) spec.image = *request.image;
  if (spec.image.empty()) {
    return fail(Error::invalid("image", "app " + app.spec.name +
                                            " has no image yet; give one in the deploy request, such as "
                                            "{\"image\": \"127.0.0.1:5000/team/" +
                                            app.spec.name + ":1.0\"}"));
  }

  // Replicas: the request's, else what runs now (a scale survives an upgrade). An offline release's zero
  // is not "what runs": a deploy brings the app back at the size it had before.
  int replicas = spec.replicas;
  for (const Release& r : history) {
    if (r.kind == ReleaseKind::kOffline) continue;
    replicas = r.replicas;
    break;
  }
  if (request.replicas) replicas = *request.replicas;
  spec.replicas = replicas;
  if (auto s = validate_app_spec(spec); !s) return fail(s.error());

  Release r;
  r.project = app.project;
  r.app = app.spec.name;
  r.environment = std::string(environment);
  r.image = spec.image;
  // Config travels with the app: without a new version the current one stays.
  if (request.config_version) {
    r.config_version = request.config_version;
  } else if (!history.empty()) {
    r.config_version = history.front().config_version;
  }
  r.replicas = replicas;
  r.spec = std::move(spec);
  r.kind = ReleaseKind::kDeploy;
  r.status = ReleaseStatus::kPending;
  r.message = request.message;
  r.created_by = std::string(actor);
  return r;
}

Result<Release> plan_rollback(std::span<const Release> history, const RollbackRequest& request,
                              std::string_view actor) {
  if (history.empty()) {
    if (request.to_revision) {
      return fail(Error::not_found("revision " + std::to_string(*request.to_revision) +
                                   " does not exist: the app has no releases in this environment yet"));
    }
    return fail(
        Error::conflict("no earlier successful release to roll back to: the app has no releases in "
                        "this environment yet"));
  }
  const Release& current = history.front();
  const bool offline = current.kind == ReleaseKind::kOffline;
  const Release* target = nullptr;

  if (request.to_revision) {
    const int64_t want = *request.to_revision;
    for (const Release& r : history) {
      if (r.revision == want) target = &r;
    }
    if (!target) {
      return fail(Error::not_found("revision " + std::to_string(want) + " does not exist for " +
                                   where(current) + "; list the releases to see which revisions there are"));
    }
    if (target->kind == ReleaseKind::kOffline) {
      return fail(Error::conflict(
          "revision " + std::to_string(want) + " took the app offline; pick a revision that ran it",
          "toRevision"));
    }
    // Rolling back to what already runs would change nothing. When the app is offline, the same content
    // does change something: it brings the app back.
    if (!offline && same_content(*target, current)) {
      return fail(Error::conflict("revision " + std::to_string(want) +
                                      " runs the same image, config and spec as "
                                      "the current revision " +
                                      std::to_string(current.revision) + "; pick an older revision",
                                  "toRevision"));
    }
  } else {
    for (const Release& r : history.subspan(1)) {
      if (r.status == ReleaseStatus::kSucceeded && r.kind != ReleaseKind::kOffline &&
          !same_content(r, current)) {
        target = &r;
        break;
      }
    }
    if (!target) {
      return fail(Error::conflict("no earlier successful release to roll back to: " + where(current) +
                                  " has not run anything else successfully; deploy an image instead"));
    }
  }

  // Replicas stay as they are now: a rollback is not a scale-down. Offline has none, so the target's.
  const int replicas = offline ? target->replicas : current.replicas;
  Release r = follow_up(*target, ReleaseKind::kRollback, replicas, request.message, actor);
  // Identity comes from the history being rolled back, whatever an old target recorded.
  r.project = current.project;
  r.app = current.app;
  r.environment = current.environment;
  r.rollback_of = target->revision;
  return r;
}

Result<Release> plan_scale(std::span<const Release> history, int replicas, std::string_view message,
                           std::string_view actor) {
  if (history.empty()) {
    return fail(Error::conflict("the app has no releases in this environment yet; deploy it first"));
  }
  const Release& current = history.front();
  if (current.kind == ReleaseKind::kOffline) {
    return fail(Error::conflict("app " + current.app + " is offline in " + current.environment +
                                "; deploy it first"));
  }
  if (auto s = check_replicas(replicas); !s) return fail(s.error());
  return follow_up(current, ReleaseKind::kScale, replicas, message, actor);
}

Result<Release> plan_offline(std::span<const Release> history, std::string_view message,
                             std::string_view actor) {
  if (history.empty()) {
    return fail(
        Error::conflict("the app has no releases in this environment yet, so there is nothing to take "
                        "offline"));
  }
  const Release& current = history.front();
  if (current.kind == ReleaseKind::kOffline) {
    return fail(Error::conflict("app " + current.app + " is already offline in " + current.environment +
                                "; deploy it to bring it back"));
  }
  return follow_up(current, ReleaseKind::kOffline, 0, message, actor);
}

}  // namespace wharf
