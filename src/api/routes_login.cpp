// Login routes: console sessions (login, logout), the CLI's password login that returns an API token,
// password changes, and listing and revoking API tokens. Passwords and token secrets are read from bodies
// and never echoed: not in errors, logs or later responses.
#include <chrono>

#include "api/error_response.h"
#include "api/handler_support.h"
#include "api/routes.h"
#include "auth/login_service.h"
#include "auth/session_manager.h"
#include "util/clock.h"

namespace wharf::api {
namespace {

// Login tokens of the CLI expire: a lost laptop's token stops working on its own.
constexpr std::chrono::hours kLoginTokenLifetime{30 * 24};

Result<std::string> text_field(const json& body, const char* field, bool required, size_t max) {
  auto it = body.find(field);
  if (it == body.end()) {
    if (required) return fail(Error::invalid(field, std::string(field) + " is required"));
    return std::string();
  }
  if (!it->is_string()) return fail(Error::invalid(field, std::string(field) + " must be a string"));
  auto value = it->get<std::string>();
  if (required && value.empty())
    return fail(Error::invalid(field, std::string(field) + " must not be empty"));
  if (value.size() > max)
    return fail(
        Error::invalid(field, std::string(field) + " must have at most " + std::to_string(max) + " bytes"));
  return value;
}

Status only(const json& body, std::initializer_list<const char*> allowed) {
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) return fail(Error::invalid(key, "unknown field \"" + key + "\""));
  }
  return {};
}

json encode_token(const ApiToken& t) {
  // Never the hash: a listing says which tokens exist, not what they are.
  return json{{"id", t.id},
              {"name", t.name},
              {"user", t.user},
              {"createdAt", t.created_at},
              {"expiresAt", t.expires_at}};
}

Result<HttpResponse> list_tokens(ApiContext& ctx, const std::string& user) {
  auto tokens = ctx.auth.list(user);
  if (!tokens) return fail(std::move(tokens.error()));
  json items = json::array();
  for (const auto& t : *tokens) items.push_back(encode_token(t));
  return HttpResponse::json(200, json{{"items", items}}.dump());
}

Result<HttpResponse> revoke_token(ApiContext& ctx, const std::string& user, const std::string& id) {
  if (auto s = ctx.auth.revoke(user, id); !s) return fail(std::move(s.error()));
  return HttpResponse::json(204, "");
}

Result<HttpResponse> login(ApiContext& ctx, HttpRequest& req) {
  auto body = secret_body_object(req);
  if (!body) return fail(std::move(body.error()));
  if (auto s = only(*body, {"username", "password", "tokenName"}); !s) return fail(std::move(s.error()));
  auto username = text_field(*body, "username", true, 256);
  if (!username) return fail(std::move(username.error()));
  auto password = text_field(*body, "password", true, 1024);
  if (!password) return fail(std::move(password.error()));
  auto token_name = text_field(*body, "tokenName", false, 100);
  if (!token_name) return fail(std::move(token_name.error()));

  auto outcome = ctx.login->login(*username, *password, req.remote);
  if (!outcome) return fail(std::move(outcome.error()));
  if (outcome->retry_after.count() > 0) {
    auto r = error_response(
        Error::forbidden("too many failed logins for this user or from this address; try again in " +
                         std::to_string(outcome->retry_after.count()) + " seconds"),
        "rate_limited", 429);
    r.headers.emplace_back("Retry-After", std::to_string(outcome->retry_after.count()));
    return r;
  }
  json out{{"user", outcome->user},     {"displayName", outcome->display_name},
           {"admin", outcome->admin},   {"source", outcome->source},
           {"groups", outcome->groups}, {"mustChangePassword", outcome->must_change_password}};
  if (!token_name->empty()) {
    // The CLI's login: an expiring API token instead of a cookie, shown in this response only.
    const std::string expires = to_rfc3339(std::chrono::system_clock::now() + kLoginTokenLifetime);
    auto issued = ctx.auth.issue_token(outcome->user, *token_name, expires);
    if (!issued) return fail(std::move(issued.error()));
    out["token"] = issued->secret;
    out["tokenId"] = issued->id;
    out["expiresAt"] = expires;
    return HttpResponse::json(200, out.dump());
  }
  auto session = ctx.sessions->create(outcome->user, req.remote);
  if (!session) return fail(std::move(session.error()));
  out["csrfToken"] = session->csrf_token;
  out["expiresAt"] = session->expires_at;
  out["idleTimeoutSeconds"] = ctx.sessions->policy().idle.count();
  auto r = HttpResponse::json(200, out.dump());
  r.headers.emplace_back("Set-Cookie", ctx.sessions->set_cookie(session->secret));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace

void add_login_routes(Router& router, ApiContext& ctx) {
  router.add({"POST", "/api/v1/login", std::string(kPublic),
              "Log in with a user name and password: a console session cookie, or with tokenName an "
              "expiring API token for the CLI",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> { return login(ctx, req); }});
  router.add({"POST", "/api/v1/logout", "account.manage", "End the console session of this request",
              [&ctx](HttpRequest&, const Identity& who) -> Result<HttpResponse> {
                if (!who.session.empty()) {
                  if (auto s = ctx.sessions->end(who.session); !s) return fail(std::move(s.error()));
                }
                auto r = HttpResponse::json(204, "");
                r.headers.emplace_back("Set-Cookie", SessionManager::clear_cookie());
                return r;
              }});
  router.add(
      {"POST", "/api/v1/me/password", "account.manage",
       "Change your own password (other sessions of yours end)",
       [&ctx](HttpRequest& req, const Identity& who) -> Result<HttpResponse> {
         auto body = secret_body_object(req);
         if (!body) return fail(std::move(body.error()));
         if (auto s = only(*body, {"currentPassword", "newPassword"}); !s) return fail(std::move(s.error()));
         auto current = text_field(*body, "currentPassword", true, 1024);
         if (!current) return fail(std::move(current.error()));
         auto next = text_field(*body, "newPassword", true, 1024);
         if (!next) return fail(std::move(next.error()));
         if (auto s = ctx.login->change_own_password(who, *current, *next, req.remote); !s)
           return fail(std::move(s.error()));
         return HttpResponse::json(200, json{{"user", who.user}, {"mustChangePassword", false}}.dump());
       }});
  router.add({"PUT", "/api/v1/users/{user}/password", "user.manage",
              "Set a user's local password; they must change it at their next login",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                auto body = secret_body_object(req);
                if (!body) return fail(std::move(body.error()));
                if (auto s = only(*body, {"password"}); !s) return fail(std::move(s.error()));
                auto password = text_field(*body, "password", true, 1024);
                if (!password) return fail(std::move(password.error()));
                if (auto s = ctx.login->set_password(req.param("user"), *password, "password"); !s)
                  return fail(std::move(s.error()));
                return HttpResponse::json(
                    200, json{{"user", req.param("user")}, {"mustChangePassword", true}}.dump());
              }});
  router.add({"GET", "/api/v1/me/tokens", "token.manage", "Your API tokens (never their secrets)",
              [&ctx](HttpRequest&, const Identity& who) -> Result<HttpResponse> {
                return list_tokens(ctx, who.user);
              }});
  router.add({"DELETE", "/api/v1/me/tokens/{token}", "token.manage", "Revoke one of your API tokens",
              [&ctx](HttpRequest& req, const Identity& who) -> Result<HttpResponse> {
                return revoke_token(ctx, who.user, req.param("token"));
              }});
  router.add({"GET", "/api/v1/users/{user}/tokens", "user.manage",
              "A user's API tokens (never their secrets)",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                return list_tokens(ctx, req.param("user"));
              }});
  router.add({"DELETE", "/api/v1/users/{user}/tokens/{token}", "user.manage", "Revoke a user's API token",
              [&ctx](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                return revoke_token(ctx, req.param("user"), req.param("token"));
              }});
}

}  // namespace wharf::api
