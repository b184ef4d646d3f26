// Tenancy routes: who am I, permissions and roles, project members (role bindings), users and their API
// tokens, and the audit log.
#include <algorithm>
#include <chrono>
#include <optional>

#include "api/handler_support.h"
#include "api/routes.h"
#include "auth/login_service.h"
#include "core/access_policy.h"
#include "core/names.h"
#include "core/permission.h"
#include "util/clock.h"
#include "util/duration.h"

namespace wharf::api {
namespace {

json encode(const Role& r) {
  return json{{"name", r.name},
              {"description", r.description},
              {"permissions", r.permissions},
              {"builtin", r.builtin},
              {"resourceVersion", r.resource_version}};
}

json encode(const RoleBinding& b) {
  return json{{"id", b.id},
              {"project", b.project},
              {"kind", b.subject_kind == SubjectKind::kGroup ? "group" : "user"},
              {"subject", b.subject},
              {"role", b.role},
              {"environments", b.environments},
              {"createdBy", b.created_by},
              {"createdAt", b.created_at}};
}

json encode(const AuditRecord& r) {
  return json{{"id", r.id},         {"at", r.at},           {"actor", r.actor},
              {"remote", r.remote}, {"action", r.action},   {"method", r.method},
              {"target", r.target}, {"project", r.project}, {"result", r.result}};
}

json encode(const User& u) {
  return json{{"name", u.name},
              {"displayName", u.display_name},
              {"admin", u.admin},
              {"source", u.source},
              {"createdAt", u.created_at}};
}

// A string field of `body`: `invalid` naming the field when present with another type or missing and
// required.
Result<std::string> string_field(const json& body, const char* field, bool required) {
  auto it = body.find(field);
  if (it == body.end()) {
    if (required) return fail(Error::invalid(field, std::string(field) + " is required"));
    return std::string();
  }
  if (!it->is_string()) return fail(Error::invalid(field, std::string(field) + " must be a string"));
  return it->get<std::string>();
}

Result<std::vector<std::string>> strings_field(const json& body, const char* field) {
  std::vector<std::string> out;
  auto it = body.find(field);
  if (it == body.end()) return out;
  if (!it->is_array()) return fail(Error::invalid(field, std::string(field) + " must be a list of strings"));
  for (size_t i = 0; i < it->size(); ++i) {
    if (!(*it)[i].is_string())
      return fail(Error::invalid(std::string(field) + "[" + std::to_string(i) + "]", "must be a string"));
    out.push_back((*it)[i].get<std::string>());
  }
  return out;
}

// Only the fields a role body may have; anything else is a typo the caller should hear about.
Status only_fields(const json& body, std::initializer_list<const char*> allowed) {
  for (const auto& [key, value] : body.items()) {
    if (std::none_of(allowed.begin(), allowed.end(), [&key](const char* a) { return key == a; }))
      return fail(Error::invalid(key, "unknown field \"" + key + "\""));
  }
  return {};
}

Result<Role> role_from(const json& body, const std::string& name) {
  if (auto s = only_fields(body, {"name", "description", "permissions", "resourceVersion"}); !s)
    return tl::unexpected(s.error());
  Role role;
  role.name = name;
  auto description = string_field(body, "description", false);
  if (!description) return tl::unexpected(description.error());
  role.description = *description;
  auto permissions = strings_field(body, "permissions");
  if (!permissions) return tl::unexpected(permissions.error());
  role.permissions = *permissions;
  auto version = resource_version_of(body);
  if (!version) return tl::unexpected(version.error());
  role.resource_version = *version;
  if (auto s = validate_role(role); !s) return tl::unexpected(s.error());
  return role;
}

// The permissions of the token's issuer are what the token carries, so a token body only names it.
Result<HttpResponse> issue_token(ApiContext& ctx, const std::string& user, const HttpRequest& req) {
  auto body = body_object(req);
  if (!body) return tl::unexpected(body.error());
  if (auto s = only_fields(*body, {"name", "expiresAt", "ttl"}); !s) return tl::unexpected(s.error());
  auto name = string_field(*body, "name", true);
  if (!name) return tl::unexpected(name.error());
  if (name->empty() || name->size() > 100)
    return fail(Error::invalid("name", "name says what the token is for, 1 to 100 characters"));
  auto expires = string_field(*body, "expiresAt", false);
  if (!expires) return tl::unexpected(expires.error());
  auto ttl = string_field(*body, "ttl", false);
  if (!ttl) return tl::unexpected(ttl.error());
  if (!ttl->empty()) {
    if (!expires->empty()) return fail(Error::invalid("ttl", "give expiresAt or ttl, not both"));
    auto seconds = parse_duration(*ttl);
    if (!seconds || seconds->count() <= 0 || *seconds > std::chrono::hours(24 * 3650))
      return fail(Error::invalid("ttl", "ttl is a duration such as 3600s, 90m, 12h or 30d, at most 3650d"));
    *expires = to_rfc3339(std::chrono::system_clock::now() + *seconds);
  }
  if (!expires->empty()) {
    auto t = parse_rfc3339(*expires);
    if (!t)
      return fail(
          Error::invalid("expiresAt", "expiresAt must be an RFC 3339 time such as 2030-01-31T00:00:00Z"));
    if (*t <= std::chrono::system_clock::now())
      return fail(Error::invalid("expiresAt", "expiresAt is in the past"));
  }
  auto secret = ctx.auth.issue_token(user, *name, *expires);
  if (!secret) return tl::unexpected(secret.error());
  // The secret is in this response and nowhere else: only its hash is stored.
  return HttpResponse::json(201, json{{"user", user},
                                      {"name", *name},
                                      {"expiresAt", *expires},
                                      {"token", secret->secret},
                                      {"id", secret->id}}
                                     .dump());
}

// What a binding grants, from a request body's "role" and "environments": the role must exist (built-in or
// custom), each environment in the project; environments come back sorted, without duplicates.
struct Grant {
  std::string role;
  std::vector<std::string> environments;
};

Result<Grant> grant_of(Store& store, const std::string& project, const json& body) {
  auto role = string_field(body, "role", true);
  if (!role) return tl::unexpected(role.error());
  if (!find_builtin_role(*role)) {
    auto custom = store.get_role(*role);
    if (!custom) {
      if (custom.error().code != ErrorCode::kNotFound) return tl::unexpected(custom.error());
      return fail(Error::invalid("role", "no role \"" + *role +
                                             "\"; use owner, developer, tester, viewer or a custom role from "
                                             "GET /api/v1/roles"));
    }
  }
  auto envs = strings_field(body, "environments");
  if (!envs) return tl::unexpected(envs.error());
  for (size_t i = 0; i < envs->size(); ++i) {
    auto env = store.get_environment(project, (*envs)[i]);
    if (!env) {
      if (env.error().code != ErrorCode::kNotFound) return tl::unexpected(env.error());
      return fail(Error::invalid("environments[" + std::to_string(i) + "]",
                                 "project \"" + project + "\" has no environment \"" + (*envs)[i] + "\""));
    }
  }
  std::sort(envs->begin(), envs->end());
  envs->erase(std::unique(envs->begin(), envs->end()), envs->end());
  return Grant{std::move(*role), std::move(*envs)};
}

// The {binding} path parameter: the numeric id from GET .../members.
Result<int64_t> binding_id(const HttpRequest& req) {
  const std::string& text = req.param("binding");
  int64_t id = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || id > 1'000'000'000'000LL)
      return fail(Error::invalid("binding", "binding is the numeric id from GET .../members"));
    id = id * 10 + (c - '0');
  }
  return id;
}

}  // namespace

void add_access_routes(Router& router, ApiContext& ctx) {
  router.add(
      {"GET", "/api/v1/me", "system.read",
       "The caller: name, groups, projects, and with ?project=&environment= the permissions held there",
       [](HttpRequest& req, const Identity& who) -> Result<HttpResponse> {
         json me{{"user", who.user},
                 {"admin", who.admin},
                 {"groups", who.groups},
                 {"source", who.source},
                 {"mustChangePassword", who.must_change_password},
                 {"projects", who.access->projects()}};
         if (auto project = req.q("project"); project && !project->empty()) {
           if (!who.access->sees_project(*project))
             return fail(Error::not_found("project \"" + *project + "\" does not exist"));
           me["permissions"] = who.access->effective(*project, req.q("environment").value_or(""));
         } else {
           me["permissions"] = who.access->effective("", "");
         }
         return HttpResponse::json(200, me.dump());
       }});
  router.add({"GET", "/api/v1/permissions", "system.read", "Every permission with its scope",
              [](HttpRequest&, const Identity&) -> Result<HttpResponse> {
                json items = json::array();
                for (const auto& p : all_permissions())
                  items.push_back(
                      json{{"name", p.name}, {"scope", to_string(p.scope)}, {"description", p.description}});
                return HttpResponse::json(200, json{{"items", items}}.dump());
              }});

  // Roles.
  router.add({"GET", "/api/v1/roles", "system.read", "Built-in and custom roles",
              [&ctx](HttpRequest&, const Identity&) -> Result<HttpResponse> {
                json items = json::array();
                for (const auto& r : builtin_roles()) items.push_back(encode(r));
                auto custom = ctx.store.list_roles();
                if (!custom) return tl::unexpected(custom.error());
                for (const auto& r : *custom) items.push_back(encode(r));
                return HttpResponse::json(200, json{{"items", items}}.dump());
              }});
  router.add({"POST", "/api/v1/roles", "role.manage", "Define a custom role from permissions",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto body = body_object(req);
                if (!body) return tl::unexpected(body.error());
                auto name = string_field(*body, "name", true);
                if (!name) return tl::unexpected(name.error());
                auto role = role_from(*body, *name);
                if (!role) return tl::unexpected(role.error());
                auto created = ctx.store.create_role(*role);
                if (!created) return tl::unexpected(created.error());
                return HttpResponse::json(201, encode(*created).dump());
              }});
  router.add({"PUT", "/api/v1/roles/{role}", "role.manage",
              "Replace a custom role's description and permissions",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto body = body_object(req);
                if (!body) return tl::unexpected(body.error());
                if (auto n = body->find("name"); n != body->end() && *n != req.param("role"))
                  return fail(Error::invalid("name", "a role cannot be renamed; create a new one"));
                auto role = role_from(*body, req.param("role"));
                if (!role) return tl::unexpected(role.error());
                auto updated = ctx.store.update_role(*role);
                if (!updated) return tl::unexpected(updated.error());
                return HttpResponse::json(200, encode(*updated).dump());
              }});
  router.add({"DELETE", "/api/v1/roles/{role}", "role.manage", "Delete a custom role no binding uses",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                if (find_builtin_role(req.param("role")))
                  return fail(Error::conflict("\"" + req.param("role") +
                                              "\" is a built-in role and cannot be deleted"));
                auto version = resource_version_of(req);
                if (!version) return tl::unexpected(version.error());
                if (auto s = ctx.store.delete_role(req.param("role"), *version); !s)
                  return tl::unexpected(s.error());
                return HttpResponse::json(204, "");
              }});

  // Members: role bindings of a project.
  router.add({"GET", "/api/v1/projects/{project}/members", "member.read", "Who has which role in the project",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto bindings = ctx.store.list_bindings(req.param("project"));
                if (!bindings) return tl::unexpected(bindings.error());
                json items = json::array();
                for (const auto& b : *bindings) items.push_back(encode(b));
                return HttpResponse::json(200, json{{"items", items}}.dump());
              }});
  router.add({"POST", "/api/v1/projects/{project}/members", "member.manage",
              "Grant a role to a user or group, optionally only in some environments",
              [&ctx](HttpRequest& req, const Identity& who) -> Result<HttpResponse> {
                auto body = body_object(req);
                if (!body) return tl::unexpected(body.error());
                if (auto s = only_fields(*body, {"kind", "subject", "role", "environments"}); !s)
                  return tl::unexpected(s.error());
                RoleBinding b;
                b.project = req.param("project");
                auto kind = string_field(*body, "kind", false);
                if (!kind) return tl::unexpected(kind.error());
                if (*kind == "group")
                  b.subject_kind = SubjectKind::kGroup;
                else if (!kind->empty() && *kind != "user")
                  return fail(Error::invalid("kind", "kind is \"user\" or \"group\""));
                auto subject = string_field(*body, "subject", true);
                if (!subject) return tl::unexpected(subject.error());
                if (subject->empty() || subject->size() > 128 ||
                    subject->find_first_of(" \t\r\n/") != std::string::npos)
                  return fail(Error::invalid("subject",
                                             "subject is a user or group name: 1 to 128 characters, "
                                             "no spaces or slashes"));
                b.subject = *subject;
                auto grant = grant_of(ctx.store, b.project, *body);
                if (!grant) return tl::unexpected(grant.error());
                b.role = std::move(grant->role);
                b.environments = std::move(grant->environments);
                b.created_by = who.user;
                auto created = ctx.store.create_binding(b);
                if (!created) return tl::unexpected(created.error());
                return HttpResponse::json(201, encode(*created).dump());
              }});
  router.add({"DELETE", "/api/v1/projects/{project}/members/{binding}", "member.manage",
              "Revoke a role binding", [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto id = binding_id(req);
                if (!id) return tl::unexpected(id.error());
                if (auto s = ctx.store.delete_binding(req.param("project"), *id); !s)
                  return tl::unexpected(s.error());
                return HttpResponse::json(204, "");
              }});
  router.add({"PUT", "/api/v1/projects/{project}/members/{binding}", "member.manage",
              "Change a binding's role and environments in one step (the subject stays)",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto id = binding_id(req);
                if (!id) return tl::unexpected(id.error());
                auto body = body_object(req);
                if (!body) return tl::unexpected(body.error());
                if (auto s = only_fields(*body, {"role", "environments"}); !s)
                  return tl::unexpected(s.error());
                auto grant = grant_of(ctx.store, req.param("project"), *body);
                if (!grant) return tl::unexpected(grant.error());
                auto updated =
                    ctx.store.update_binding(req.param("project"), *id, grant->role, grant->environments);
                if (!updated) return tl::unexpected(updated.error());
                return HttpResponse::json(200, encode(*updated).dump());
              }});

  // Users and tokens.
  router.add({"GET", "/api/v1/users", "user.manage", "List users",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto options = list_options(req);
                if (!options) return tl::unexpected(options.error());
                auto page = ctx.store.list_users(*options);
                if (!page) return tl::unexpected(page.error());
                return page_response(*page, [](const User& u) { return encode(u); });
              }});
  router.add({"POST", "/api/v1/users", "user.manage", "Create a local user",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto body = secret_body_object(req);  // may carry a password
                if (!body) return tl::unexpected(body.error());
                if (auto s = only_fields(*body, {"name", "displayName", "admin", "password"}); !s)
                  return tl::unexpected(s.error());
                auto name = string_field(*body, "name", true);
                if (!name) return tl::unexpected(name.error());
                if (auto s = validate_name(*name, "name"); !s) return tl::unexpected(s.error());
                auto display = string_field(*body, "displayName", false);
                if (!display) return tl::unexpected(display.error());
                bool admin = false;
                if (auto a = body->find("admin"); a != body->end()) {
                  if (!a->is_boolean()) return fail(Error::invalid("admin", "admin must be true or false"));
                  admin = a->get<bool>();
                }
                auto password = string_field(*body, "password", false);
                if (!password) return tl::unexpected(password.error());
                // With a password the user can log in (and must change it at the first login); without
                // one, only API tokens work until an administrator sets one.
                auto created = password->empty() ? ctx.store.create_user(User{*name, *display, admin, ""})
                                                 : ctx.login->create_local_user(
                                                       User{*name, *display, admin, ""}, *password);
                if (!created) return tl::unexpected(created.error());
                return HttpResponse::json(201, encode(*created).dump());
              }});
  router.add({"GET", "/api/v1/users/{user}", "user.manage", "One user",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto user = ctx.store.get_user(req.param("user"));
                if (!user) return tl::unexpected(user.error());
                return HttpResponse::json(200, encode(*user).dump());
              }});
  router.add(
      {"PATCH", "/api/v1/users/{user}", "user.manage", "Change a user's display name or administrator flag",
       [&ctx](HttpRequest& req, const Identity& who) -> Result<HttpResponse> {
         auto body = body_object(req);
         if (!body) return tl::unexpected(body.error());
         if (auto s = only_fields(*body, {"displayName", "admin"}); !s) return tl::unexpected(s.error());
         auto user = ctx.store.get_user(req.param("user"));
         if (!user) return tl::unexpected(user.error());
         if (body->contains("displayName")) {
           auto display = string_field(*body, "displayName", false);
           if (!display) return tl::unexpected(display.error());
           user->display_name = *display;
         }
         if (auto a = body->find("admin"); a != body->end()) {
           if (!a->is_boolean()) return fail(Error::invalid("admin", "admin must be true or false"));
           // Nobody locks the platform out of administration by accident.
           if (!a->get<bool>() && (user->name == TokenAuthenticator::kAdminUser || user->name == who.user))
             return fail(
                 Error::conflict("the built-in admin, and you yourself, stay administrators; "
                                 "another administrator can change your flag",
                                 "admin"));
           user->admin = a->get<bool>();
         }
         auto updated = ctx.store.update_user(*user);
         if (!updated) return tl::unexpected(updated.error());
         ctx.auth.forget_user(updated->name);
         return HttpResponse::json(200, encode(*updated).dump());
       }});
  router.add({"DELETE", "/api/v1/users/{user}", "user.manage",
              "Delete a user: their tokens, sessions and project memberships end at once",
              [&ctx](HttpRequest& req, const Identity& who) -> Result<HttpResponse> {
                const std::string name = req.param("user");
                if (name == TokenAuthenticator::kAdminUser || name == who.user)
                  return fail(Error::conflict("the built-in admin and your own account cannot be deleted"));
                if (auto s = ctx.store.delete_user(name); !s) return tl::unexpected(s.error());
                ctx.auth.forget_user(name);
                return HttpResponse::json(200, json{{"name", name}}.dump());
              }});
  router.add({"GET", "/api/v1/groups", "user.manage",
              "Directory groups that project memberships name, with those memberships",
              [&ctx](HttpRequest&, const Identity&) -> Result<HttpResponse> {
                auto bindings = ctx.store.group_bindings();
                if (!bindings) return tl::unexpected(bindings.error());
                json items = json::array();
                for (const auto& b : *bindings) {
                  if (items.empty() || items.back()["name"] != b.subject)
                    items.push_back(json{{"name", b.subject}, {"memberships", json::array()}});
                  items.back()["memberships"].push_back(encode(b));
                }
                return HttpResponse::json(200, json{{"items", items}}.dump());
              }});
  router.add({"POST", "/api/v1/users/{user}/tokens", "user.manage",
              "Issue an API token for a user; the secret is in this response only",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                return issue_token(ctx, req.param("user"), req);
              }});
  router.add({"POST", "/api/v1/me/tokens", "token.manage",
              "Issue an API token for yourself; the secret is in this response only",
              [&ctx](HttpRequest& req, const Identity& who) -> Result<HttpResponse> {
                return issue_token(ctx, who.user, req);
              }});

  // Audit.
  auto audit_handler = [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
    auto options = list_options(req);
    if (!options) return tl::unexpected(options.error());
    AuditQuery q;
    q.project = req.params.contains("project") ? req.param("project") : req.q("project").value_or("");
    q.actor = req.q("user").value_or("");
    q.since = req.q("since").value_or("");
    q.until = req.q("until").value_or("");
    auto page = ctx.store.list_audit(q, *options);
    if (!page) return tl::unexpected(page.error());
    return page_response(*page, [](const AuditRecord& r) { return encode(r); });
  };
  router.add({"GET", "/api/v1/projects/{project}/audit", "audit.read",
              "The project's audit log, newest first (?user=&since=&until=)", audit_handler});
  router.add({"GET", "/api/v1/audit", "platform.audit",
              "The audit log of the whole platform, newest first (?project=&user=&since=&until=)",
              audit_handler});
}

}  // namespace wharf::api
