// `wharf project create|list|get|delete`.
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

struct ProjectOptions {
  std::string name, display_name, description;
  int limit = 0;
};

Outcome<void> create(Session& session, const ProjectOptions& o) {
  auto api = session.api();
  if (!api) return tl::unexpected(api.error());
  json body{{"name", o.name}, {"displayName", o.display_name}, {"description", o.description}};
  auto created = (*api)->post(paths::kProjects, body);
  if (!created) return tl::unexpected(created.error());
  print_result(session.json_output(), *created, "Project \"" + o.name + "\" created.");
  return {};
}

Outcome<void> list(Session& session, const ProjectOptions& o) {
  auto api = session.api();
  if (!api) return tl::unexpected(api.error());
  auto items = (*api)->list(paths::kProjects, o.limit);
  if (!items) return tl::unexpected(items.error());
  if (session.json_output()) {
    print_json(*items);
    return {};
  }
  Table table({"NAME", "DISPLAY NAME", "CREATED"});
  for (const auto& p : *items)
    table.add_row({text_of(p, "name"), text_of(p, "displayName"), short_time(text_of(p, "createdAt"))});
  table.print(std::cout);
  return {};
}

Outcome<void> get(Session& session, const ProjectOptions& o) {
  auto api = session.api();
  if (!api) return tl::unexpected(api.error());
  auto p = (*api)->get(paths::project(o.name));
  if (!p) return tl::unexpected(p.error());
  if (session.json_output()) {
    print_json(*p);
    return {};
  }
  print_fields(std::cout, {{"Name", text_of(*p, "name")},
                           {"Display name", text_of(*p, "displayName")},
                           {"Description", text_of(*p, "description")},
                           {"Created", short_time(text_of(*p, "createdAt"))},
                           {"Updated", short_time(text_of(*p, "updatedAt"))}});
  return {};
}

Outcome<void> remove(Session& session, const ProjectOptions& o) {
  auto api = session.api();
  if (!api) return tl::unexpected(api.error());
  auto deleted = (*api)->del(paths::project(o.name));
  if (!deleted) return tl::unexpected(deleted.error());
  print_result(session.json_output(), *deleted,
               "Project \"" + o.name + "\" deleted, with its environments, apps and history.");
  return {};
}

}  // namespace

void add_project_verbs(CLI::App& app, VerbRegistry& verbs) {
  auto* project = app.add_subcommand("project", "Create, list, show and delete projects (a team's tenant)");
  project->require_subcommand(1);

  auto o = std::make_shared<ProjectOptions>();
  auto* c = project->add_subcommand("create", "Create a project");
  c->add_option("name", o->name, "Project name (lower-case letters, digits, '-')")->required();
  c->add_option("--display-name", o->display_name, "Name shown to people");
  c->add_option("--description", o->description, "What the project is for");
  verbs.add(c, [o](Session& s) { return create(s, *o); });

  auto* l = project->add_subcommand("list", "List projects");
  add_limit_option(l, o->limit);
  verbs.add(l, [o](Session& s) { return list(s, *o); });

  auto* g = project->add_subcommand("get", "Show a project");
  g->add_option("name", o->name, "Project name")->required();
  verbs.add(g, [o](Session& s) { return get(s, *o); });

  auto* d =
      project->add_subcommand("delete", "Delete a project with its environments, apps and release history");
  d->add_option("name", o->name, "Project name")->required();
  verbs.add(d, [o](Session& s) { return remove(s, *o); });
}

}  // namespace wharf::cli
