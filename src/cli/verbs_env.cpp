// `wharf env create|list|get`: the stages of a project (dev, test, prod).
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/api_paths.h"
#include "cli/output.h"
#include "cli/table.h"
#include "cli/time_format.h"
#include "cli/verbs.h"

namespace wharf::cli {
namespace {

struct EnvOptions {
  std::string project, name, ns;
  std::vector<std::string> clusters;
  bool production = false;
  int limit = 0;
};

std::string joined(const json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& item : list)
    out += (out.empty() ? "" : ",") + (item.is_string() ? item.get<std::string>() : "");
  return out;
}

std::string production_of(const json& env) {
  return env.contains("policy") ? yes_no(env["policy"], "production") : "";
}

Outcome<void> create(Session& session, const EnvOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  const JsonApi& api = *scope->api;
  const std::string& project = scope->project;
  json body{{"name", o.name},
            {"clusters", o.clusters.empty() ? std::vector<std::string>{"local"} : o.clusters}};
  if (!o.ns.empty()) body["namespace"] = o.ns;
  body["policy"] = {{"production", o.production}};
  auto created = api.post(paths::environments(project), body);
  if (!created) return tl::unexpected(created.error());
  print_result(session.json_output(), *created,
               "Environment \"" + o.name + "\" created in project \"" + project + "\" (clusters " +
                   joined((*created)["clusters"]) + ", namespace " + text_of(*created, "namespace") + ").");
  return {};
}

Outcome<void> list(Session& session, const EnvOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  const JsonApi& api = *scope->api;
  const std::string& project = scope->project;
  auto items = api.list(paths::environments(project), o.limit);
  if (!items) return tl::unexpected(items.error());
  if (session.json_output()) {
    print_json(*items);
    return {};
  }
  Table table({"NAME", "CLUSTERS", "NAMESPACE", "PRODUCTION", "CREATED"});
  for (const auto& e : *items)
    table.add_row({text_of(e, "name"), joined(e.value("clusters", json::array())), text_of(e, "namespace"),
                   production_of(e), short_time(text_of(e, "createdAt"))});
  table.print(std::cout);
  return {};
}

Outcome<void> get(Session& session, const EnvOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  const JsonApi& api = *scope->api;
  const std::string& project = scope->project;
  auto e = api.get(paths::environment(project, o.name));
  if (!e) return tl::unexpected(e.error());
  if (session.json_output()) {
    print_json(*e);
    return {};
  }
  print_fields(std::cout, {{"Name", text_of(*e, "name")},
                           {"Project", text_of(*e, "project")},
                           {"Clusters", joined(e->value("clusters", json::array()))},
                           {"Namespace", text_of(*e, "namespace")},
                           {"Production", production_of(*e)},
                           {"Created", short_time(text_of(*e, "createdAt"))}});
  return {};
}

}  // namespace

void add_env_verbs(CLI::App& app, VerbRegistry& verbs) {
  auto* env =
      app.add_subcommand("env", "Create, list and show a project's environments (dev, test, prod...)");
  env->require_subcommand(1);
  auto o = std::make_shared<EnvOptions>();

  auto* c = env->add_subcommand("create", "Create an environment");
  c->add_option("name", o->name, "Environment name, such as dev or prod")->required();
  add_project_option(c, o->project);
  c->add_option("--cluster", o->clusters, "Cluster to run on; repeat for active-active (default: local)")
      ->allow_extra_args(false)
      ->delimiter(',');
  c->add_option("--namespace", o->ns, "Kubernetes namespace (default: PROJECT-NAME)");
  c->add_flag("--production", o->production, "Production policy: refuse apps without resource limits");
  verbs.add(c, [o](Session& s) { return create(s, *o); });

  auto* l = env->add_subcommand("list", "List a project's environments");
  add_project_option(l, o->project);
  add_limit_option(l, o->limit);
  verbs.add(l, [o](Session& s) { return list(s, *o); });

  auto* g = env->add_subcommand("get", "Show an environment");
  g->add_option("name", o->name, "Environment name")->required();
  add_project_option(g, o->project);
  verbs.add(g, [o](Session& s) { return get(s, *o); });
}

}  // namespace wharf::cli
