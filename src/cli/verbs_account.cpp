// `wharf token list|create|revoke` (one's own API tokens, or with --user another user's) and
// `wharf password` (change one's own password, or with --user set another user's).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/api_client.h"
#include "cli/output.h"
#include "cli/table.h"
#include "cli/time_format.h"
#include "cli/verbs.h"

namespace wharf::cli {
namespace {

struct TokenOptions {
  std::string user, name, id, ttl, expires_at;
};

// /api/v1/me/tokens, or /api/v1/users/{user}/tokens for an administrator acting on another user.
std::string tokens_path(const std::string& user) {
  return user.empty() ? "/api/v1/me/tokens" : "/api/v1/users/" + url_escape(user) + "/tokens";
}

Outcome<void> list_tokens(Session& session, const TokenOptions& o) {
  auto api = session.api();
  if (!api) return tl::unexpected(api.error());
  auto tokens = (*api)->get(tokens_path(o.user));
  if (!tokens) return tl::unexpected(tokens.error());
  const json items = tokens->value("items", json::array());
  if (session.json_output()) {
    print_json(items);
    return {};
  }
  Table table({"ID", "NAME", "CREATED", "EXPIRES"});
  for (const auto& t : items) {
    const std::string expires = text_of(t, "expiresAt");
    table.add_row({text_of(t, "id"), text_of(t, "name"), short_time(text_of(t, "createdAt")),
                   expires.empty() ? "never" : short_time(expires)});
  }
  table.print(std::cout);
  return {};
}

Outcome<void> create_token(Session& session, const TokenOptions& o) {
  auto api = session.api();
  if (!api) return tl::unexpected(api.error());
  if (!o.ttl.empty() && !o.expires_at.empty()) return usage_error("give --ttl or --expires-at, not both");
  json body{{"name", o.name}};
  if (!o.ttl.empty()) body["ttl"] = o.ttl;
  if (!o.expires_at.empty()) body["expiresAt"] = o.expires_at;
  auto created = (*api)->post(tokens_path(o.user), body);
  if (!created) return tl::unexpected(created.error());
  if (session.json_output()) {
    print_json(*created);
    return {};
  }
  // The one time the secret is shown: on stdout alone, so `TOKEN=$(wharf token create ci)` works.
  std::cerr << "Token \"" << o.name << "\" created (id " << text_of(*created, "id") << ", expires "
            << (text_of(*created, "expiresAt").empty() ? "never" : text_of(*created, "expiresAt"))
            << "). It is shown only now:\n";
  std::cout << text_of(*created, "token") << '\n';
  return {};
}

Outcome<void> revoke_token(Session& session, const TokenOptions& o) {
  auto api = session.api();
  if (!api) return tl::unexpected(api.error());
  auto deleted = (*api)->del(tokens_path(o.user) + "/" + url_escape(o.id));
  if (!deleted) return tl::unexpected(deleted.error());
  say("Token " + o.id + " revoked.");
  return {};
}

// Own password: the current one and the new one (twice on a terminal). Another user's (--user, for
// administrators): only the new one, which that user must change at their next login.
Outcome<void> change_password(Session& session, const std::string& user) {
  auto api = session.api();
  if (!api) return tl::unexpected(api.error());
  const bool tty = ::isatty(STDIN_FILENO);
  std::string current;
  if (user.empty()) {
    current = read_secret_line("Current password: ");
    if (current.empty()) return usage_error("no current password: type it on standard input");
  }
  std::string next = read_secret_line("New password: ");
  if (next.empty()) return usage_error("no new password: type it on standard input");
  if (tty && read_secret_line("New password again: ") != next)
    return usage_error("the two new passwords differ");
  auto result =
      user.empty()
          ? (*api)->post("/api/v1/me/password", json{{"currentPassword", current}, {"newPassword", next}})
          : (*api)->put("/api/v1/users/" + url_escape(user) + "/password", json{{"password", next}});
  if (!result) return tl::unexpected(result.error());
  say(user.empty() ? "Password changed; your other console sessions have ended."
                   : "Password of \"" + user + "\" set; they must change it at their next login.");
  return {};
}

}  // namespace

void add_account_verbs(CLI::App& app, VerbRegistry& verbs) {
  auto* token =
      app.add_subcommand("token", "List, create and revoke API tokens (yours, or with --user a user's)");
  token->require_subcommand(1);
  auto o = std::make_shared<TokenOptions>();
  auto user_option = [&o](CLI::App* command) {
    command->add_option("--user", o->user, "Another user's tokens (platform administrators)");
  };
  auto* l = token->add_subcommand("list", "List tokens: id, name, creation and expiry (never the secrets)");
  user_option(l);
  verbs.add(l, [o](Session& s) { return list_tokens(s, *o); });
  auto* c = token->add_subcommand("create", "Create a token and print its secret, once");
  c->add_option("name", o->name, "What the token is for, such as ci or laptop")->required();
  c->add_option("--ttl", o->ttl, "Lifetime: 3600s, 90m, 12h, 30d (default: never expires)");
  c->add_option("--expires-at", o->expires_at, "Expiry as an RFC 3339 time");
  user_option(c);
  verbs.add(c, [o](Session& s) { return create_token(s, *o); });
  auto* r = token->add_subcommand("revoke", "Revoke a token by its id (from `wharf token list`)");
  r->add_option("id", o->id, "Token id")->required();
  user_option(r);
  verbs.add(r, [o](Session& s) { return revoke_token(s, *o); });

  auto password_user = std::make_shared<std::string>();
  auto* p = app.add_subcommand("password",
                               "Change your password (current and new one read from stdin, prompted for on a "
                               "terminal); with --user, set another user's (platform administrators)");
  p->add_option("--user", *password_user, "The user whose password to set");
  verbs.add(p, [password_user](Session& s) { return change_password(s, *password_user); });
}

}  // namespace wharf::cli
