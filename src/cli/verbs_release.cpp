// `wharf deploy|rollback|scale|offline APP -e ENV`: each creates a release (202) and, with --wait,
// follows it to the end.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/api_paths.h"
#include "cli/output.h"
#include "cli/release_wait.h"
#include "cli/time_format.h"
#include "cli/verbs.h"

namespace wharf::cli {
namespace {

struct ReleaseOptions {
  std::string project, app, env, image, message, timeout = "300s";
  int replicas = 0;
  int64_t config_version = 0, to_revision = 0;
  bool wait = false;
};

// What the release does, for the confirmation line.
std::string summary(const json& r) {
  const std::string kind = text_of(r, "kind");
  const std::string what = text_of(r, "image") + ", " + text_of(r, "replicas") + " replicas";
  if (kind == "rollback") return "rollback to revision " + text_of(r, "rollbackOf") + " (" + what + ")";
  if (kind == "scale") return "scale to " + text_of(r, "replicas") + " replicas";
  if (kind == "offline") return "offline (instances stop, history is kept)";
  return "deploy of " + what;
}

// POSTs `body` to the verb's endpoint, reports the new release, and waits for it when asked.
Outcome<void> submit(Session& session, const ReleaseOptions& o, const char* verb, const json& body) {
  std::chrono::seconds timeout{0};
  if (o.wait) {
    auto parsed = parse_duration(o.timeout);
    if (!parsed || parsed->count() == 0)
      return usage_error("--timeout \"" + o.timeout + "\" must be a duration such as 300s, 5m or 1h");
    timeout = *parsed;  // checked before submitting: a usage error must not leave a release behind
  }
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  auto release = scope->api->post(paths::app_env(scope->project, o.app, o.env, verb), body);
  if (!release) return tl::unexpected(release.error());
  const std::string revision = text_of(*release, "revision");
  if (!session.json_output() || !o.wait)
    print_result(session.json_output(), *release,
                 "Release " + revision + " of \"" + o.app + "\" in " + o.env + ": " + summary(*release) +
                     ", " + text_of(*release, "status") + ".");
  if (!o.wait) return {};
  auto done = wait_for_release(*scope->api,
                               paths::app_env(scope->project, o.app, o.env, "releases/" + revision), timeout);
  if (!done) return tl::unexpected(done.error());
  print_result(session.json_output(), *done,
               "Release " + revision + " succeeded: " + readiness(*done) + " ready.");
  return {};
}

Outcome<void> deploy(Session& session, const ReleaseOptions& o, const CLI::App& cmd) {
  json body = json::object();
  if (!o.image.empty()) body["image"] = o.image;
  if (cmd.count("--replicas")) body["replicas"] = o.replicas;
  if (cmd.count("--config-version")) body["configVersion"] = o.config_version;
  if (!o.message.empty()) body["message"] = o.message;
  return submit(session, o, "deploy", body);
}

Outcome<void> rollback(Session& session, const ReleaseOptions& o, const CLI::App& cmd) {
  json body = json::object();
  if (cmd.count("--to")) body["toRevision"] = o.to_revision;
  if (!o.message.empty()) body["message"] = o.message;
  return submit(session, o, "rollback", body);
}

Outcome<void> scale(Session& session, const ReleaseOptions& o) {
  json body{{"replicas", o.replicas}};
  if (!o.message.empty()) body["message"] = o.message;
  return submit(session, o, "scale", body);
}

Outcome<void> offline(Session& session, const ReleaseOptions& o) {
  json body = json::object();
  if (!o.message.empty()) body["message"] = o.message;
  return submit(session, o, "offline", body);
}

// The options every release verb has: APP, -e, -p, -m, --wait, --timeout.
CLI::App* release_command(CLI::App& app, const char* name, const char* help, ReleaseOptions& o) {
  auto* cmd = app.add_subcommand(name, help);
  cmd->add_option("app", o.app, "App name")->required();
  add_env_option(cmd, o.env);
  add_project_option(cmd, o.project);
  cmd->add_option("-m,--message", o.message, "Why: recorded in the release history");
  auto* wait = cmd->add_flag("--wait", o.wait, "Wait until the release succeeds (exit 0) or fails (exit 1)");
  cmd->add_option("--timeout", o.timeout, "With --wait: give up after this long (exit 3)")
      ->needs(wait)
      ->capture_default_str();
  return cmd;
}

}  // namespace

void add_release_verbs(CLI::App& app, VerbRegistry& verbs) {
  auto d = std::make_shared<ReleaseOptions>();
  auto* deploy_cmd =
      release_command(app, "deploy", "Release the app: a new image, config version or replicas", *d);
  deploy_cmd->add_option("--image", d->image, "Image to run (default: the app spec's)");
  deploy_cmd->add_option("--replicas", d->replicas, "Instances (default: as now, else the spec's)");
  deploy_cmd->add_option("--config-version", d->config_version, "Published config version to use");
  verbs.add(deploy_cmd, [d, deploy_cmd](Session& s) { return deploy(s, *d, *deploy_cmd); });

  auto r = std::make_shared<ReleaseOptions>();
  auto* rollback_cmd =
      release_command(app, "rollback",
                      "Go back to an earlier release's image, spec and config together (a new revision)", *r);
  rollback_cmd->add_option("--to", r->to_revision, "Revision to go back to (default: the previous good one)");
  verbs.add(rollback_cmd, [r, rollback_cmd](Session& s) { return rollback(s, *r, *rollback_cmd); });

  auto sc = std::make_shared<ReleaseOptions>();
  auto* scale_cmd = release_command(app, "scale", "Change the number of instances", *sc);
  scale_cmd->add_option("--replicas", sc->replicas, "Instances to run")->required();
  verbs.add(scale_cmd, [sc](Session& s) { return scale(s, *sc); });

  auto off = std::make_shared<ReleaseOptions>();
  auto* offline_cmd = release_command(
      app, "offline", "Stop every instance; history is kept and a deploy brings the app back", *off);
  verbs.add(offline_cmd, [off](Session& s) { return offline(s, *off); });
}

}  // namespace wharf::cli
