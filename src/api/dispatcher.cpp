#include "api/dispatcher.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>
#include <optional>

#include "api/error_response.h"
#include "core/access_policy.h"
#include "store/audit_scope.h"

namespace wharf::api {

namespace {

constexpr size_t kMaxCachedBodies = 4096;

std::string cache_key(const Identity& who, const HttpRequest& request) {
  // Directory groups are not in the store: a user who left a group must not be served a body cached
  // while they were in it (lists filtered by what the group granted).
  std::string key = who.user;
  for (const auto& g : who.groups) {
    key += '\t';
    key += g;
  }
  key += '\n';
  key += request.path;
  for (const auto& [k, v] : request.query) {  // std::map: a canonical order
    key += '\n';
    key += k;
    key += '=';
    key += v;
  }
  return key;
}

// What a console session whose password must be changed may still call.
bool allowed_before_password_change(const Route& route) {
  return (route.method == "POST" && route.pattern == "/api/v1/me/password") ||
         (route.method == "GET" && route.pattern == "/api/v1/me") ||
         (route.method == "POST" && route.pattern == "/api/v1/logout");
}

// A refusal of a console session's call before authorisation, with its specific error code.
struct SessionRefusal {
  Error error;
  std::string_view code;
};

std::optional<SessionRefusal> refuse_session_call(const Route& route, const HttpRequest& request,
                                                  const Identity& who) {
  if (who.session.empty()) return std::nullopt;  // bearer tokens need neither check
  if (request.method != "GET" && request.method != "HEAD" &&
      !SessionManager::csrf_matches(who, request.csrf_token))
    return SessionRefusal{
        Error::forbidden("this call changes something and comes with a session cookie, so it "
                         "must carry the session's CSRF token in the X-CSRF-Token header (the "
                         "csrfToken of the login response)"),
        "csrf"};
  if (who.must_change_password && !allowed_before_password_change(route))
    return SessionRefusal{Error::forbidden("you must change your password before doing anything else: POST "
                                           "/api/v1/me/password with currentPassword and newPassword"),
                          "password_change_required"};
  return std::nullopt;
}

}  // namespace

Status Dispatcher::authorize(const Route& route, const std::map<std::string, std::string>& params,
                             Identity& identity) {
  auto policy = authorizer_.policy_for(identity);
  if (!policy) return tl::unexpected(policy.error());
  identity.access = *policy;
  auto param = [&params](const char* name) -> std::string {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  };
  const std::string project = param("project"), env = param("env");
  switch ((*policy)->decide(route.permission, project, env)) {
    case AccessPolicy::Decision::kAllow:
      return {};
    case AccessPolicy::Decision::kHidden:
      // Word for word what a missing project answers, so names of other teams' projects do not leak.
      return fail(Error::not_found("project \"" + project + "\" does not exist"));
    case AccessPolicy::Decision::kDeny:
      break;
  }
  std::string where;
  if (!env.empty())
    where = " in environment \"" + env + "\" of project \"" + project + "\"";
  else if (!project.empty())
    where = " in project \"" + project + "\"";
  return fail(Error::forbidden(
      "you do not have the permission " + route.permission + where +
      (project.empty() ? "; a platform administrator can grant it" : "; a project owner can grant it")));
}

Result<HttpResponse> Dispatcher::call(const Router::Match& match, HttpRequest& request,
                                      const Identity& identity) {
  const Route& route = *match.route;
  std::string key;
  int64_t version = 0;
  if (route.cached_by_store_version) {
    // The version is read before the handler runs, so a cached body is never older than its version.
    if (auto v = store_.current_version()) version = *v;
    key = cache_key(identity, request);
    std::shared_lock lock(cache_mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second.version == version && version != 0)
      return HttpResponse::json(200, it->second.body);
  }
  auto result = route.handler(request, identity);
  if (route.cached_by_store_version && version != 0 && result && result->status == 200 && !result->stream &&
      result->content_type == "application/json") {
    std::unique_lock lock(cache_mu_);
    if (cache_.size() >= kMaxCachedBodies) cache_.clear();
    cache_[key] = CachedBody{version, result->body};
  }
  return result;
}

HttpResponse Dispatcher::dispatch(HttpRequest& request) {
  auto start = std::chrono::steady_clock::now();
  auto match = router_.match(request.method, request.path);
  HttpResponse response;
  std::optional<HttpResponse> fallback;
  if (!match.route && !match.path_matched && fallback_) fallback = fallback_(request);
  if (fallback) {
    response = std::move(*fallback);
  } else if (!match.route) {
    response = match.path_matched
                   ? error_response(
                         {ErrorCode::kInvalid, request.method + " is not supported on " + request.path, ""})
                   : error_response(Error::not_found("no such endpoint: " + request.path));
    if (match.path_matched) response.status = 405;
  } else {
    Identity identity;
    Result<HttpResponse> result;
    std::string_view error_code;  // a code more specific than the error's own, for session refusals
    bool dry_run = false;         // changes nothing, so nothing to audit
    const bool needs_auth = match.route->permission != kPublic;
    if (needs_auth) {
      auto who = auth_.authenticate({request.authorization, request.cookie});
      if (!who)
        result = tl::unexpected(who.error());
      else
        identity = std::move(*who);
    }
    // Every mutating call of a known caller is audited: in the transaction of the change it makes, or
    // on its own below when it changed nothing.
    std::optional<AuditScope> audit;
    if (result.has_value() && request.method != "GET") {
      auto dry = is_dry_run(request);
      if (!dry)
        result = tl::unexpected(dry.error());
      else if (*dry && !match.route->dry_run)
        result = tl::unexpected(Error::invalid(
            "dryRun", request.method + " " + match.route->pattern + " has no dry run; leave dryRun out"));
      dry_run = dry && *dry;
    }
    if (result.has_value() && needs_auth && request.method != "GET" && !dry_run) {
      auto project = match.params.find("project");
      audit.emplace(AuditRecord{0, "", identity.user, request.remote, match.route->permission, request.method,
                                request.path, project == match.params.end() ? "" : project->second, "ok"});
    }
    if (result.has_value() && needs_auth) {
      if (auto refusal = refuse_session_call(*match.route, request, identity)) {
        result = tl::unexpected(std::move(refusal->error));
        error_code = refusal->code;
      }
    }
    if (result.has_value() && needs_auth) {
      if (auto allowed = authorize(*match.route, match.params, identity); !allowed)
        result = tl::unexpected(allowed.error());
    }
    if (result.has_value()) {
      request.params = std::move(match.params);
      try {
        result = call(match, request, identity);
      } catch (const std::exception& e) {
        // Handlers return errors; an exception here is a bug in a library edge we did not guard.
        spdlog::error("handler {} {} threw: {}", request.method, match.route->pattern, e.what());
        result = tl::unexpected(Error::internal("internal error; the server log has the details"));
      }
    }
    response = result               ? std::move(*result)
               : error_code.empty() ? error_response(result.error())
                                    : error_response(result.error(), error_code);
    if (audit) {
      AuditRecord record = std::move(audit->record());
      const bool written = audit->written();
      audit.reset();  // closed first, or the append below would carry the record twice
      if (!written) {
        if (!result)
          record.result = std::to_string(response.status) + " " +
                          std::string(error_code.empty() ? to_string(result.error().code) : error_code) +
                          ": " + result.error().message;
        if (auto s = store_.append_audit(record); !s)
          spdlog::error("audit record of {} {} by {} lost: {}", record.method, record.target, record.actor,
                        s.error().message);
      }
    }
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  metrics_.record(match.route ? match.index : router_.routes().size(), response.status, elapsed);
  // The query string is left out of the log on purpose: it may carry secrets in later endpoints.
  spdlog::info("{} {} {} {:.3f}ms {}", request.method, request.path, response.status,
               std::chrono::duration<double, std::milli>(elapsed).count(), request.remote);
  return response;
}

}  // namespace wharf::api
