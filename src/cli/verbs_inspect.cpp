// `wharf status|releases|instances|logs`: looking at what runs, what ran, and what it says.
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/api_paths.h"
#include "cli/output.h"
#include "cli/status_table.h"
#include "cli/table.h"
#include "cli/time_format.h"
#include "cli/verbs.h"

namespace wharf::cli {
namespace {

struct InspectOptions {
  std::string project, app, env, instance, since;
  int limit = 0, tail = 0;
  bool follow = false;
};

Outcome<void> status(Session& session, const InspectOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  auto app = scope->api->get(paths::app(scope->project, o.app));
  if (!app) return tl::unexpected(app.error());
  if (session.json_output()) {
    print_json(app->value("status", json::object()));
    return {};
  }
  print_status_table(std::cout, *app);
  return {};
}

Outcome<void> releases(Session& session, const InspectOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  auto items = scope->api->list(paths::app_env(scope->project, o.app, o.env, "releases"), o.limit);
  if (!items) return tl::unexpected(items.error());
  if (session.json_output()) {
    print_json(*items);
    return {};
  }
  Table table({"REVISION", "KIND", "STATUS", "IMAGE", "REPLICAS", "CONFIG", "BY", "AGE", "MESSAGE"});
  const auto now = session.now();
  for (const auto& r : *items) {
    std::string kind = text_of(r, "kind");
    if (kind == "rollback" && r.contains("rollbackOf")) kind += " to " + text_of(r, "rollbackOf");
    std::string status = text_of(r, "status");
    if (status == "failed" && !text_of(r, "reason").empty()) status += ": " + text_of(r, "reason");
    table.add_row({text_of(r, "revision"), kind, status, text_of(r, "image"), text_of(r, "replicas"),
                   text_of(r, "configVersion"), text_of(r, "createdBy"), age(text_of(r, "createdAt"), now),
                   text_of(r, "message")});
  }
  if (table.empty()) {
    say("No releases of \"" + o.app + "\" in " + o.env + " yet.");
    return {};
  }
  table.print(std::cout);
  return {};
}

Outcome<void> instances(Session& session, const InspectOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  auto items = scope->api->get(paths::app_env(scope->project, o.app, o.env, "instances"));
  if (!items) return tl::unexpected(items.error());
  if (session.json_output()) {
    print_json(*items);
    return {};
  }
  if (!items->is_array() || items->empty()) {
    say("No instances of \"" + o.app + "\" in " + o.env + ".");
    return {};
  }
  Table table({"NAME", "STATE", "READY", "RESTARTS", "ADDRESS", "CLUSTER", "NODE", "AGE", "REVISION"});
  const auto now = session.now();
  for (const auto& i : *items) {
    std::string state = text_of(i, "state");
    if (!text_of(i, "reason").empty()) state += " (" + text_of(i, "reason") + ")";
    table.add_row({text_of(i, "name"), state, yes_no(i, "ready"), text_of(i, "restarts"),
                   text_of(i, "address"), text_of(i, "cluster"), text_of(i, "node"),
                   age(text_of(i, "startedAt"), now), text_of(i, "release")});
  }
  table.print(std::cout);
  return {};
}

Outcome<void> logs(Session& session, const InspectOptions& o, const CLI::App& cmd) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  std::string query;
  if (!o.instance.empty()) add_query(query, "instance", o.instance);
  if (cmd.count("--tail")) add_query(query, "tail", std::to_string(o.tail));
  if (!o.since.empty()) add_query(query, "since", since_argument(o.since, session.now()));
  if (o.follow) add_query(query, "follow", "1");
  // Log lines go straight through: flushed per chunk so that `-f` shows them as they come.
  return scope->api->stream(
      paths::app_env(scope->project, o.app, o.env, "logs") + query,
      [](std::string_view chunk) { std::cout.write(chunk.data(), chunk.size()).flush(); });
}

CLI::App* app_env_command(CLI::App& app, const char* name, const char* help, InspectOptions& o) {
  auto* cmd = app.add_subcommand(name, help);
  cmd->add_option("app", o.app, "App name")->required();
  add_env_option(cmd, o.env);
  add_project_option(cmd, o.project);
  return cmd;
}

}  // namespace

void add_inspect_verbs(CLI::App& app, VerbRegistry& verbs) {
  auto o = std::make_shared<InspectOptions>();
  auto* status_cmd = app.add_subcommand("status", "Show an app's state in each environment");
  status_cmd->add_option("app", o->app, "App name")->required();
  add_project_option(status_cmd, o->project);
  verbs.add(status_cmd, [o](Session& s) { return status(s, *o); });

  auto* releases_cmd =
      app_env_command(app, "releases", "Show an app's release history in an environment", *o);
  add_limit_option(releases_cmd, o->limit);
  verbs.add(releases_cmd, [o](Session& s) { return releases(s, *o); });

  auto* instances_cmd =
      app_env_command(app, "instances", "Show an app's running instances in an environment", *o);
  verbs.add(instances_cmd, [o](Session& s) { return instances(s, *o); });

  auto* logs_cmd = app_env_command(app, "logs", "Print an app's log lines in an environment", *o);
  logs_cmd->add_option("--instance", o->instance, "Only this instance (default: the first one)");
  logs_cmd->add_option("--tail", o->tail, "Only the last N lines")->check(CLI::NonNegativeNumber);
  logs_cmd->add_option("--since", o->since, "Only lines since a time (RFC 3339) or a duration ago (10m, 2h)");
  logs_cmd->add_flag("-f,--follow", o->follow, "Keep printing new lines until interrupted");
  verbs.add(logs_cmd, [o, logs_cmd](Session& s) { return logs(s, *o, *logs_cmd); });
}

}  // namespace wharf::cli
