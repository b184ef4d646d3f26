// `wharf app create|apply|list|get|delete`: apps from their YAML or JSON spec.
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/api_paths.h"
#include "cli/document_file.h"
#include "cli/output.h"
#include "cli/status_table.h"
#include "cli/table.h"
#include "cli/time_format.h"
#include "cli/verbs.h"

namespace wharf::cli {
namespace {

struct AppOptions {
  std::string project, name, file;
  int limit = 0;
};

// The spec in -f, which must be an object with a name (the path of apply's PUT needs it).
Outcome<json> read_spec(const std::string& file) {
  auto spec = read_document(file);
  if (!spec) return spec;
  const std::string where = file == "-" ? "standard input" : file;
  if (!spec->is_object())
    return usage_error(where + " must hold one app spec (a mapping), such as `name: web`");
  if (!spec->contains("name") || !(*spec)["name"].is_string())
    return usage_error(where + " has no \"name\": every app spec names its app");
  return spec;
}

Outcome<void> create(Session& session, const AppOptions& o) {
  auto spec = read_spec(o.file);
  if (!spec) return tl::unexpected(spec.error());
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  const JsonApi& api = *scope->api;
  const std::string& project = scope->project;
  auto created = api.post(paths::apps(project), *spec);
  if (!created) return tl::unexpected(created.error());
  print_result(session.json_output(), *created,
               "App \"" + text_of(*created, "name") + "\" created in project \"" + project + "\".");
  return {};
}

// Creates the app, or replaces its spec with the file's when it exists. The PUT carries the
// resourceVersion just read, so a change someone made in between is refused (409), not overwritten.
Outcome<void> apply(Session& session, const AppOptions& o) {
  auto spec = read_spec(o.file);
  if (!spec) return tl::unexpected(spec.error());
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  const JsonApi& api = *scope->api;
  const std::string& project = scope->project;
  const std::string name = (*spec)["name"];
  auto current = api.find(paths::app(project, name));
  if (!current) return tl::unexpected(current.error());
  if (!*current) {
    auto created = api.post(paths::apps(project), *spec);
    if (!created) return tl::unexpected(created.error());
    print_result(session.json_output(), *created,
                 "App \"" + name + "\" created in project \"" + project + "\".");
    return {};
  }
  (*spec)["resourceVersion"] = (**current)["resourceVersion"];
  auto updated = api.put(paths::app(project, name), *spec);
  if (!updated) return tl::unexpected(updated.error());
  print_result(session.json_output(), *updated,
               "App \"" + name + "\" updated; the change takes effect at its next deploy.");
  return {};
}

Outcome<void> list(Session& session, const AppOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  const JsonApi& api = *scope->api;
  const std::string& project = scope->project;
  auto items = api.list(paths::apps(project), o.limit);
  if (!items) return tl::unexpected(items.error());
  if (session.json_output()) {
    print_json(*items);
    return {};
  }
  Table table({"NAME", "IMAGE", "REPLICAS", "QOS", "CREATED"});
  for (const auto& a : *items)
    table.add_row({text_of(a, "name"), text_of(a, "image"), text_of(a, "replicas"), text_of(a, "qos"),
                   short_time(text_of(a, "createdAt"))});
  table.print(std::cout);
  return {};
}

std::string resources_of(const json& app) {
  const json res = app.value("resources", json::object());
  std::string cpu = text_of(res, "cpu"), memory = text_of(res, "memory");
  if (cpu.empty() && memory.empty()) return "none (BestEffort)";
  return "cpu " + (cpu.empty() ? "-" : cpu) + ", memory " + (memory.empty() ? "-" : memory);
}

Outcome<void> get(Session& session, const AppOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  const JsonApi& api = *scope->api;
  const std::string& project = scope->project;
  auto a = api.get(paths::app(project, o.name));
  if (!a) return tl::unexpected(a.error());
  if (session.json_output()) {
    print_json(*a);
    return {};
  }
  print_fields(std::cout, {{"Name", text_of(*a, "name")},
                           {"Project", text_of(*a, "project")},
                           {"Image", text_of(*a, "image")},
                           {"Replicas", text_of(*a, "replicas")},
                           {"QoS", text_of(*a, "qos")},
                           {"Resources", resources_of(*a)},
                           {"Created", short_time(text_of(*a, "createdAt"))},
                           {"Updated", short_time(text_of(*a, "updatedAt"))}});
  std::cout << '\n';
  print_status_table(std::cout, *a);
  return {};
}

Outcome<void> remove(Session& session, const AppOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  const JsonApi& api = *scope->api;
  const std::string& project = scope->project;
  auto deleted = api.del(paths::app(project, o.name));
  if (!deleted) return tl::unexpected(deleted.error());
  print_result(session.json_output(), *deleted,
               "App \"" + o.name + "\" deleted, with its instances and release history.");
  return {};
}

}  // namespace

void add_app_verbs(CLI::App& app, VerbRegistry& verbs) {
  auto* group = app.add_subcommand("app", "Create, update, list, show and delete apps");
  group->require_subcommand(1);
  auto o = std::make_shared<AppOptions>();

  auto* c = group->add_subcommand("create", "Create an app from a YAML or JSON spec");
  c->add_option("-f,--file", o->file, "Spec file, YAML or JSON ('-' reads standard input)")->required();
  add_project_option(c, o->project);
  verbs.add(c, [o](Session& s) { return create(s, *o); });

  auto* a = group->add_subcommand("apply", "Create the app, or replace its spec if it exists");
  a->add_option("-f,--file", o->file, "Spec file, YAML or JSON ('-' reads standard input)")->required();
  add_project_option(a, o->project);
  verbs.add(a, [o](Session& s) { return apply(s, *o); });

  auto* l = group->add_subcommand("list", "List a project's apps");
  add_project_option(l, o->project);
  add_limit_option(l, o->limit);
  verbs.add(l, [o](Session& s) { return list(s, *o); });

  auto* g = group->add_subcommand("get", "Show an app and its state in each environment");
  g->add_option("name", o->name, "App name")->required();
  add_project_option(g, o->project);
  verbs.add(g, [o](Session& s) { return get(s, *o); });

  auto* d = group->add_subcommand("delete", "Delete an app, its instances and its release history");
  d->add_option("name", o->name, "App name")->required();
  add_project_option(d, o->project);
  verbs.add(d, [o](Session& s) { return remove(s, *o); });
}

}  // namespace wharf::cli
