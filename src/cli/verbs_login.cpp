// `wharf login` and `wharf context`: which server and token the other verbs use.
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
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
  std::string server, token, token_file, context, project;
};

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

// Reads one line from stdin; on a terminal, prompts and keeps the token off the screen.
std::string read_token_line() {
  const bool tty = ::isatty(STDIN_FILENO);
  termios saved{};
  if (tty) {
    std::cerr << "Token: " << std::flush;
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
  return trim(line);
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
  auto token = token_of(o, session.options());
  if (!token) return tl::unexpected(token.error());

  auto timeout = session.request_timeout();
  if (!timeout) return tl::unexpected(timeout.error());
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
      "unless --token or --token-file is given)");
  login_cmd->add_option("--server", o->server, "Server URL, such as http://127.0.0.1:7070");
  login_cmd->add_option("--token", o->token, "API token (visible in the process list: prefer --token-file)");
  login_cmd->add_option("--token-file", o->token_file, "File whose first line is the token");
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
