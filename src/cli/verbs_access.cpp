// Tenancy verbs: `wharf whoami`, `wharf user list|create`, `wharf role list|show|create|delete`,
// `wharf member list|add|remove` and `wharf audit`.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/api_client.h"
#include "cli/api_paths.h"
#include "cli/output.h"
#include "cli/table.h"
#include "cli/time_format.h"
#include "cli/verbs.h"

namespace wharf::cli {
namespace {

constexpr std::string_view kMe = "/api/v1/me";
constexpr std::string_view kUsers = "/api/v1/users";
constexpr std::string_view kRoles = "/api/v1/roles";
constexpr std::string_view kAudit = "/api/v1/audit";

std::string role_path(std::string_view name) {
  return std::string(kRoles) + "/" + url_escape(name);
}
std::string members_path(std::string_view project) {
  return paths::project(project) + "/members";
}

// "a,b,c" from a JSON list of strings; "" for anything else.
std::string joined(const json& object, const char* key) {
  std::string out;
  if (!object.is_object() || !object.contains(key) || !(*object.find(key)).is_array()) return out;
  for (const auto& item : object[key])
    if (item.is_string()) out += (out.empty() ? "" : ",") + item.get<std::string>();
  return out;
}

// ---- whoami

struct WhoamiOptions {
  std::string project, env;
};

Outcome<void> whoami(Session& session, const WhoamiOptions& o) {
  auto api = session.api();
  if (!api) return tl::unexpected(api.error());
  std::string query;
  if (!o.project.empty()) add_query(query, "project", o.project);
  if (!o.env.empty()) {
    if (o.project.empty()) return usage_error("--env needs --project: environments belong to a project");
    add_query(query, "environment", o.env);
  }
  auto me = (*api)->get(std::string(kMe) + query);
  if (!me) return tl::unexpected(me.error());
  if (session.json_output()) {
    print_json(*me);
    return {};
  }
  std::string where = "Permissions";
  if (!o.project.empty()) where += " in " + o.project + (o.env.empty() ? "" : "/" + o.env);
  print_fields(std::cout, {{"User", text_of(*me, "user")},
                           {"Administrator", yes_no(*me, "admin")},
                           {"Groups", joined(*me, "groups")},
                           {"Projects", joined(*me, "projects")},
                           {where, joined(*me, "permissions")}});
  return {};
}

// ---- users

struct UserOptions {
  std::string name, display_name;
  bool admin = false, password_stdin = false;
  int limit = 0;
};

Outcome<void> user_list(Session& session, const UserOptions& o) {
  auto api = session.api();
  if (!api) return tl::unexpected(api.error());
  auto items = (*api)->list(kUsers, o.limit);
  if (!items) return tl::unexpected(items.error());
  if (session.json_output()) {
    print_json(*items);
    return {};
  }
  Table table({"NAME", "DISPLAY NAME", "ADMIN", "CREATED"});
  for (const auto& u : *items)
    table.add_row({text_of(u, "name"), text_of(u, "displayName"), yes_no(u, "admin"),
                   short_time(text_of(u, "createdAt"))});
  table.print(std::cout);
  return {};
}

Outcome<void> user_create(Session& session, const UserOptions& o) {
  auto api = session.api();
  if (!api) return tl::unexpected(api.error());
  json body{{"name", o.name}, {"admin", o.admin}};
  if (!o.display_name.empty()) body["displayName"] = o.display_name;
  if (o.password_stdin) {
    std::string password;
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (password.empty()) return usage_error("--password-stdin: standard input has no password line");
    body["password"] = password;
  }
  auto created = (*api)->post(kUsers, body);
  if (!created) return tl::unexpected(created.error());
  print_result(session.json_output(), *created,
               std::string(o.admin ? "Administrator" : "User") + " \"" + o.name +
                   "\" created. Grant it a role with `wharf member add " + o.name + " --role ROLE`.");
  return {};
}

// ---- roles

struct RoleOptions {
  std::string name, description;
  std::vector<std::string> permissions;
};

Outcome<json> all_roles(const JsonApi& api) {
  auto roles = api.get(kRoles);
  if (!roles) return roles;
  if (!roles->is_object() || !(*roles)["items"].is_array())
    return unavailable("the server's role list has no \"items\" array; is it a Wharf server?");
  return (*roles)["items"];
}

Outcome<void> role_list(Session& session, const RoleOptions&) {
  auto api = session.api();
  if (!api) return tl::unexpected(api.error());
  auto roles = all_roles(**api);
  if (!roles) return tl::unexpected(roles.error());
  if (session.json_output()) {
    print_json(*roles);
    return {};
  }
  Table table({"NAME", "BUILT-IN", "PERMISSIONS", "DESCRIPTION"});
  for (const auto& r : *roles) {
    const size_t n = r.value("permissions", json::array()).size();
    table.add_row({text_of(r, "name"), yes_no(r, "builtin"), std::to_string(n), text_of(r, "description")});
  }
  table.print(std::cout);
  return {};
}

Outcome<void> role_show(Session& session, const RoleOptions& o) {
  auto api = session.api();
  if (!api) return tl::unexpected(api.error());
  auto roles = all_roles(**api);
  if (!roles) return tl::unexpected(roles.error());
  auto it =
      std::find_if(roles->begin(), roles->end(), [&](const json& r) { return text_of(r, "name") == o.name; });
  if (it == roles->end())
    return refused("no role \"" + o.name + "\"; `wharf role list` shows the built-in and custom ones");
  if (session.json_output()) {
    print_json(*it);
    return {};
  }
  print_fields(std::cout, {{"Name", text_of(*it, "name")},
                           {"Built-in", yes_no(*it, "builtin")},
                           {"Description", text_of(*it, "description")}});
  // The permissions with their scope, from the catalogue.
  auto catalogue = (*api)->get("/api/v1/permissions");
  if (!catalogue) return tl::unexpected(catalogue.error());
  Table table({"PERMISSION", "SCOPE", "DESCRIPTION"});
  for (const auto& p : it->value("permissions", json::array())) {
    const std::string name = p.is_string() ? p.get<std::string>() : "";
    std::string scope, description;
    for (const auto& c : catalogue->value("items", json::array()))
      if (text_of(c, "name") == name) {
        scope = text_of(c, "scope");
        description = text_of(c, "description");
      }
    table.add_row({name, scope, description});
  }
  std::cout << '\n';
  table.print(std::cout);
  return {};
}

Outcome<void> role_create(Session& session, const RoleOptions& o) {
  auto api = session.api();
  if (!api) return tl::unexpected(api.error());
  json body{{"name", o.name}, {"description", o.description}, {"permissions", o.permissions}};
  auto created = (*api)->post(kRoles, body);
  if (!created) return tl::unexpected(created.error());
  print_result(session.json_output(), *created,
               "Role \"" + o.name + "\" created with " + std::to_string(o.permissions.size()) +
                   " permission(s): " + joined(*created, "permissions") + ".");
  return {};
}

Outcome<void> role_delete(Session& session, const RoleOptions& o) {
  auto api = session.api();
  if (!api) return tl::unexpected(api.error());
  auto deleted = (*api)->del(role_path(o.name));
  if (!deleted) return tl::unexpected(deleted.error());
  print_result(session.json_output(), json{{"name", o.name}, {"deleted", true}},
               "Role \"" + o.name + "\" deleted.");
  return {};
}

// ---- members

struct MemberOptions {
  std::string project, subject, role;
  std::vector<std::string> environments;
  bool group = false;
};

Outcome<void> member_list(Session& session, const MemberOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  auto members = scope->api->get(members_path(scope->project));
  if (!members) return tl::unexpected(members.error());
  const json items = members->value("items", json::array());
  if (session.json_output()) {
    print_json(items);
    return {};
  }
  if (items.empty()) {
    say("Project \"" + scope->project + "\" has no members yet; add one with `wharf member add`.");
    return {};
  }
  Table table({"ID", "KIND", "SUBJECT", "ROLE", "ENVIRONMENTS", "GRANTED BY", "GRANTED"});
  for (const auto& b : items) {
    std::string envs = joined(b, "environments");
    table.add_row({text_of(b, "id"), text_of(b, "kind"), text_of(b, "subject"), text_of(b, "role"),
                   envs.empty() ? "(all)" : envs, text_of(b, "createdBy"),
                   short_time(text_of(b, "createdAt"))});
  }
  table.print(std::cout);
  return {};
}

Outcome<void> member_add(Session& session, const MemberOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  json body{{"kind", o.group ? "group" : "user"},
            {"subject", o.subject},
            {"role", o.role},
            {"environments", o.environments}};
  auto created = scope->api->post(members_path(scope->project), body);
  if (!created) return tl::unexpected(created.error());
  std::string where =
      o.environments.empty() ? "all environments" : "environments " + joined(*created, "environments");
  print_result(session.json_output(), *created,
               std::string(o.group ? "Group" : "User") + " \"" + o.subject + "\" is now " + o.role +
                   " in project \"" + scope->project + "\" (" + where + "; binding " +
                   text_of(*created, "id") + ").");
  return {};
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Removes the binding with that id, or every binding of that user (group with --group), narrowed to --role.
Outcome<void> member_remove(Session& session, const MemberOptions& o) {
  auto scope = session.in_project(o.project);
  if (!scope) return tl::unexpected(scope.error());
  auto members = scope->api->get(members_path(scope->project));
  if (!members) return tl::unexpected(members.error());
  std::vector<json> doomed;
  for (const auto& b : members->value("items", json::array())) {
    const bool by_id = all_digits(o.subject) && text_of(b, "id") == o.subject;
    const bool by_subject = text_of(b, "subject") == o.subject &&
                            text_of(b, "kind") == (o.group ? "group" : "user") &&
                            (o.role.empty() || text_of(b, "role") == o.role);
    if (by_id || by_subject) doomed.push_back(b);
  }
  if (doomed.empty())
    return refused("project \"" + scope->project + "\" has no " + (o.group ? "group" : "user") +
                   " binding \"" + o.subject + "\"" + (o.role.empty() ? "" : " with role " + o.role) +
                   "; `wharf member list` shows the bindings and their ids");
  json removed = json::array();
  for (const auto& b : doomed) {
    auto deleted = scope->api->del(members_path(scope->project) + "/" + text_of(b, "id"));
    if (!deleted) return tl::unexpected(deleted.error());
    removed.push_back(b);
  }
  if (session.json_output()) {
    print_json(removed);
    return {};
  }
  for (const auto& b : removed) {
    std::string envs = joined(b, "environments");
    say("Removed " + text_of(b, "kind") + " \"" + text_of(b, "subject") + "\" as " + text_of(b, "role") +
        (envs.empty() ? "" : " in " + envs) + " from project \"" + scope->project + "\" (binding " +
        text_of(b, "id") + ").");
  }
  return {};
}

// ---- audit

struct AuditOptions {
  std::string project, user, since, until;
  int limit = 0;
};

Outcome<void> audit(Session& session, const AuditOptions& o) {
  auto api = session.api();
  if (!api) return tl::unexpected(api.error());
  std::string query;
  if (!o.user.empty()) add_query(query, "user", o.user);
  if (!o.since.empty()) add_query(query, "since", since_argument(o.since, session.now()));
  if (!o.until.empty()) add_query(query, "until", since_argument(o.until, session.now()));
  // A project's log needs its audit.read; the whole platform's, an administrator.
  const std::string path = o.project.empty() ? std::string(kAudit) : paths::project(o.project) + "/audit";
  auto items = (*api)->list(path + query, o.limit > 0 ? o.limit : 0);
  if (!items) return tl::unexpected(items.error());
  if (session.json_output()) {
    print_json(*items);
    return {};
  }
  if (items->empty()) {
    say("No audit records match.");
    return {};
  }
  Table table({"TIME", "USER", "FROM", "ACTION", "METHOD", "TARGET", "RESULT"});
  for (const auto& r : *items)
    table.add_row({text_of(r, "at"), text_of(r, "actor"), text_of(r, "remote"), text_of(r, "action"),
                   text_of(r, "method"), text_of(r, "target"), text_of(r, "result")});
  table.print(std::cout);
  return {};
}

}  // namespace

void add_access_verbs(CLI::App& app, VerbRegistry& verbs) {
  {
    auto o = std::make_shared<WhoamiOptions>();
    auto* w =
        app.add_subcommand("whoami", "Show who you are to the server: user, groups, projects, permissions");
    w->add_option("-p,--project", o->project, "Show the permissions you hold in this project");
    w->add_option("-e,--env", o->env, "... and in this environment of it");
    verbs.add(w, [o](Session& s) { return whoami(s, *o); });
  }
  {
    auto* user = app.add_subcommand("user", "List and create users (platform administrators)");
    user->require_subcommand(1);
    auto o = std::make_shared<UserOptions>();
    auto* l = user->add_subcommand("list", "List users");
    add_limit_option(l, o->limit);
    verbs.add(l, [o](Session& s) { return user_list(s, *o); });
    auto* c = user->add_subcommand("create", "Create a local user");
    c->add_option("name", o->name, "User name (lower-case letters, digits, '-')")->required();
    c->add_option("--display-name", o->display_name, "Name shown to people");
    c->add_flag("--admin", o->admin, "Make the user a platform administrator");
    c->add_flag("--password-stdin", o->password_stdin,
                "Read an initial password from standard input (changed at the first login); without one the "
                "user works with API tokens only");
    verbs.add(c, [o](Session& s) { return user_create(s, *o); });
  }
  {
    auto* role = app.add_subcommand("role", "List, show, create and delete roles (sets of permissions)");
    role->require_subcommand(1);
    auto o = std::make_shared<RoleOptions>();
    auto* l = role->add_subcommand("list", "List the built-in and custom roles");
    verbs.add(l, [o](Session& s) { return role_list(s, *o); });
    auto* sh = role->add_subcommand("show", "Show a role's permissions");
    sh->add_option("name", o->name, "Role name")->required();
    verbs.add(sh, [o](Session& s) { return role_show(s, *o); });
    auto* c = role->add_subcommand("create", "Define a custom role from project and environment permissions");
    c->add_option("name", o->name, "Role name (lower-case letters, digits, '-')")->required();
    c->add_option("--permission", o->permissions,
                  "Permission to grant, such as app.deploy; repeat or separate with commas")
        ->required()
        ->allow_extra_args(false)
        ->delimiter(',');
    c->add_option("--description", o->description, "What the role is for");
    verbs.add(c, [o](Session& s) { return role_create(s, *o); });
    auto* d = role->add_subcommand("delete", "Delete a custom role that no binding uses");
    d->add_option("name", o->name, "Role name")->required();
    verbs.add(d, [o](Session& s) { return role_delete(s, *o); });
  }
  {
    auto* member = app.add_subcommand("member", "List, add and remove a project's members (role bindings)");
    member->require_subcommand(1);
    auto o = std::make_shared<MemberOptions>();
    auto* l = member->add_subcommand("list", "List who has which role in the project");
    add_project_option(l, o->project);
    verbs.add(l, [o](Session& s) { return member_list(s, *o); });
    auto* a = member->add_subcommand("add",
                                     "Grant a role to a user or group, optionally only in some environments");
    a->add_option("subject", o->subject, "User name (or group name with --group)")->required();
    a->add_option("--role", o->role, "owner, developer, tester, viewer or a custom role")->required();
    a->add_flag("--group", o->group, "The subject is a directory group");
    a->add_option("-e,--env", o->environments, "Only in this environment; repeat or separate with commas")
        ->allow_extra_args(false)
        ->delimiter(',');
    add_project_option(a, o->project);
    verbs.add(a, [o](Session& s) { return member_add(s, *o); });
    auto* r =
        member->add_subcommand("remove", "Revoke a binding by its id, or every binding of a user or group");
    r->add_option("subject", o->subject,
                  "Binding id (from `wharf member list`) or user name (group with --group)")
        ->required();
    r->add_option("--role", o->role, "Only the bindings with this role");
    r->add_flag("--group", o->group, "The subject is a directory group");
    add_project_option(r, o->project);
    verbs.add(r, [o](Session& s) { return member_remove(s, *o); });
  }
  {
    auto o = std::make_shared<AuditOptions>();
    auto* a = app.add_subcommand(
        "audit",
        "Show the audit log, newest first: a project's (--project) or the whole platform's (administrators)");
    a->add_option("-p,--project", o->project, "Only this project (needs its audit.read)");
    a->add_option("--user", o->user, "Only calls by this user");
    a->add_option("--since", o->since, "From this time (RFC 3339) or this long ago (10m, 2h, 7d)");
    a->add_option("--until", o->until, "Before this time (RFC 3339) or this long ago");
    add_limit_option(a, o->limit);
    verbs.add(a, [o](Session& s) { return audit(s, *o); });
  }
}

}  // namespace wharf::cli
