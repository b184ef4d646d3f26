// `wharf login` and `wharf context`: which server and token the other verbs use. `wharf login --username`
// trades a password for an expiring API token (POST /api/v1/login with tokenName).
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/api_paths.h"
#include "cli/output.h"
#include "cli/table.h"
#include "cli/verbs.h"

namespace wharf::cli {
namespace {

struct LoginOptions {
  std::string server, token, token_file, context, project, username;
};

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

// Reads one line from stdin; on a terminal, prompts with `prompt` and keeps the answer off the screen.
std::string read_secret_line(const char* prompt) {
  const bool tty = ::isatty(STDIN_FILENO);
  termios saved{};
  if (tty) {
    std::cerr << prompt << std::flush;
    if (::tcgetattr(STDIN_FILENO, &saved) == 0) {
      termios quiet = saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << '\n';
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

namespace {

std::string read_token_line() {
  return trim(read_secret_line("Token: "));
}

// "cli@<host name>": what the token list shows for tokens made by `wharf login --username`.
std::string cli_token_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "cli";
  return std::string("cli@") + host;
}

// Trades the user's password for an expiring API token. The password is read from stdin (prompted for,
// without echo, on a terminal) and sent only in the request body.
Outcome<std::string> token_by_password(const ServerUrl& url, const std::string& username,
                                       std::chrono::milliseconds timeout, bool& must_change) {
  std::string password = read_secret_line("Password: ");
  if (password.empty()) return usage_error("no password: type it on standard input");
  JsonApi anonymous(ApiClient(url, "", timeout));
  nlohmann::json body{{"username", username}, {"password", password}, {"tokenName", cli_token_name()}};
  auto reply = anonymous.post("/api/v1/login", body);
  std::fill(password.begin(), password.end(), '\0');
  if (!reply) {
    Failure f = reply.error();
    f.message = "the server at " + url.text + " refused the login: " + f.message;
    f.http_status = 0;  // the message above already says what to do
    return tl::unexpected(f);
  }
  must_change = reply->value("mustChangePassword", false);
  std::string token = text_of(*reply, "token");
  if (token.empty()) return unavailable("the server at " + url.text + " answered the login without a token");
  return token;
}

Outcome<std::string> token_of(const LoginOptions& o, const GlobalOptions& global) {
  if (!o.token.empty() && !o.token_file.empty()) return usage_error("give --token or --token-file, not both");
  if (!o.token.empty()) return o.token;
  if (!o.token_file.empty()) {
    std::ifstream in(o.token_file);
    if (!in) return usage_error("cannot read the token file " + o.token_file);
    std::string line;
    std::getline(in, line);
    if (trim(line).empty()) return usage_error("the token file " + o.token_file + " is empty");
    return trim(line);
  }
  if (!global.token.empty()) return global.token;
  std::string line = read_token_line();
  if (line.empty())
    return usage_error("no token: pass --token, --token-file FILE, or type it on standard input");
  return line;
}

// The default context name: the server's host and port, which is what people tell servers apart by.
std::string default_context_name(const ServerUrl& url) {
  return url.host + (url.port == "80" ? "" : ":" + url.port) + url.base_path;
}

Outcome<void> login(Session& session, const LoginOptions& o) {
  const std::string server = !o.server.empty() ? o.server : session.options().server;
  if (server.empty()) return usage_error("login needs --server URL, such as http://127.0.0.1:7070");
  auto url = parse_server_url(server);
  if (!url) return usage_error(url.error());
  auto timeout = session.request_timeout();
  if (!timeout) return tl::unexpected(timeout.error());
  bool must_change = false;
  if (!o.username.empty() && (!o.token.empty() || !o.token_file.empty()))
    return usage_error("give --username or --token/--token-file, not both");
  auto token = o.username.empty() ? token_of(o, session.options())
                                  : token_by_password(*url, o.username, *timeout, must_change);
  if (!token) return tl::unexpected(token.error());
  JsonApi api(ApiClient(*url, *token, *timeout));
  auto version = api.get(paths::kVersion);
  if (!version) {
    Failure f = version.error();
    if (f.exit_code == kExitRefused)
      f.message = "the server at " + url->text + " refused the token: " + f.message;
    f.http_status = 0;  // the message above already says what to do
    return tl::unexpected(f);
  }

  auto config = session.config();
  if (!config) return tl::unexpected(config.error());
  const std::string name = o.context.empty() ? default_context_name(*url) : o.context;
  std::string project = o.project;
  if (const Context* old = (*config)->find(name); old && project.empty()) project = old->project;
  (*config)->upsert(Context{name, url->text, *token, project});
  (*config)->current_context = name;
  if (auto s = session.save_config(); !s) return s;

  if (session.json_output()) {
    print_json({{"context", name}, {"server", url->text}, {"project", project}, {"serverVersion", *version}});
  } else {
    say("Logged in to " + url->text + " (Wharf " + text_of(*version, "version") + "); context \"" + name +
        "\" is now current" + (project.empty() ? "." : ", project \"" + project + "\"."));
  }
  if (must_change)
    std::cerr << "note: the password of \"" << o.username
              << "\" was set by an administrator and must be changed: run `wharf password`\n";
  return {};
}

Outcome<void> list_contexts(Session& session) {
  auto config = session.config();
  if (!config) return tl::unexpected(config.error());
  const CliConfig& c = **config;
  if (session.json_output()) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& ctx : c.contexts)  // tokens stay in the file: never printed
      items.push_back({{"name", ctx.name},
                       {"server", ctx.server},
                       {"project", ctx.project},
                       {"current", ctx.name == c.current_context}});
    print_json(items);
    return {};
  }
  if (c.contexts.empty()) {
    say("No contexts yet: run `wharf login --server URL`.");
    return {};
  }
  Table table({"CURRENT", "NAME", "SERVER", "PROJECT"});
  for (const auto& ctx : c.contexts)
    table.add_row({ctx.name == c.current_context ? "*" : " ", ctx.name, ctx.server, ctx.project});
  table.print(std::cout);
  return {};
}

Outcome<void> use_context(Session& session, const std::string& name) {
  auto config = session.config();
  if (!config) return tl::unexpected(config.error());
  if (!(*config)->find(name))
    return usage_error("no context named \"" + name + "\"; `wharf context` lists them");
  (*config)->current_context = name;
  if (auto s = session.save_config(); !s) return s;
  say("Context \"" + name + "\" is now current.");
  return {};
}

Outcome<void> set_project(Session& session, const std::string& project) {
  auto config = session.config();
  if (!config) return tl::unexpected(config.error());
  Context* current = (*config)->find((*config)->current_context);
  if (!current) return usage_error("no current context: run `wharf login --server URL` first");
  current->project = project;
  if (auto s = session.save_config(); !s) return s;
  say("Context \"" + current->name + "\" now uses project \"" + project + "\".");
  return {};
}

}  // namespace

void add_login_verbs(CLI::App& app, VerbRegistry& verbs) {
  auto o = std::make_shared<LoginOptions>();
  auto* login_cmd = app.add_subcommand(
      "login",
      "Check a token against a server and save both as the current context (token read from stdin "
      "unless --token or --token-file is given); with --username, log in with a password (read from "
      "stdin) and save an API token that expires in 30 days");
  login_cmd->add_option("--server", o->server, "Server URL, such as http://127.0.0.1:7070");
  login_cmd->add_option("--token", o->token, "API token (visible in the process list: prefer --token-file)");
  login_cmd->add_option("--token-file", o->token_file, "File whose first line is the token");
  login_cmd->add_option("--username", o->username, "Log in as this user with a password instead of a token");
  login_cmd->add_option("--context", o->context, "Name of the context (default: the server's host:port)");
  login_cmd->add_option("--project", o->project, "Default project for this context");
  verbs.add(login_cmd, [o](Session& s) { return login(s, *o); });

  auto* context =
      app.add_subcommand("context", "List the saved contexts (servers), or change the current one");
  context->require_subcommand(0, 1);
  verbs.add(context, [](Session& s) { return list_contexts(s); });

  auto name = std::make_shared<std::string>();
  auto* use = context->add_subcommand("use", "Make a saved context current");
  use->add_option("name", *name, "Context name")->required();
  verbs.add(use, [name](Session& s) { return use_context(s, *name); });

  auto project = std::make_shared<std::string>();
  auto* set = context->add_subcommand("set-project", "Set the current context's default project");
  set->add_option("project", *project, "Project name")->required();
  verbs.add(set, [project](Session& s) { return set_project(s, *project); });
}

}  // namespace wharf::cli
