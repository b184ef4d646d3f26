#include "cli/commands.h"

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "cli/cli.h"
#include "cli/output.h"
#include "cli/session.h"
#include "cli/verbs.h"

namespace wharf::cli {

struct ClientCommands::State {
  CLI::App* root = nullptr;
  GlobalOptions options;
  VerbRegistry verbs;
};

ClientCommands::ClientCommands(CLI::App& app) : state_(std::make_unique<State>()) {
  state_->root = &app;
  // Global options may follow the verb (`wharf app list -o json`): every subcommand created from here on
  // inherits fallthrough and hands options it does not know to its parent.
  app.fallthrough();
  auto& o = state_->options;
  app.add_option("-o,--output", o.output,
                 "Output format: table (for people), json (the API's JSON) or yaml (the same as YAML; `wharf "
                 "config` verbs)")
      ->check(CLI::IsMember({"table", "json", "yaml"}))
      ->capture_default_str();
  app.add_option("--server", o.server, "Server URL, instead of the current context's");
  app.add_option("--token", o.token, "API token, instead of the context's (prefer `wharf login`)");
  app.add_option("--request-timeout", o.request_timeout,
                 "Give up on an unanswered request after this long (exit 3)")
      ->capture_default_str();

  add_login_verbs(app, state_->verbs);
  add_project_verbs(app, state_->verbs);
  add_env_verbs(app, state_->verbs);
  add_app_verbs(app, state_->verbs);
  add_release_verbs(app, state_->verbs);
  add_inspect_verbs(app, state_->verbs);
  add_access_verbs(app, state_->verbs);
  add_account_verbs(app, state_->verbs);
  add_config_verbs(app, state_->verbs);
  add_version_verb(app, state_->verbs);
}

ClientCommands::~ClientCommands() = default;

namespace {

// The most specific subcommand the user chose: `wharf project create` -> create.
const CLI::App* chosen_command(const CLI::App* root) {
  const CLI::App* leaf = root;
  for (auto subs = leaf->get_subcommands(); !subs.empty(); subs = leaf->get_subcommands())
    leaf = subs.front();
  return leaf;
}

// "wharf project list": the command with its parents.
std::string command_name(const CLI::App* command) {
  std::string name = command->get_name();
  for (const CLI::App* p = command->get_parent(); p; p = p->get_parent()) name = p->get_name() + " " + name;
  return name;
}

int report(const Failure& failure) {
  std::cerr << "error: " << failure.message;
  // The server's 401 speaks HTTP ("send the header ..."); a CLI user needs the verb that fixes it.
  if (failure.http_status == 401 && failure.message.find("log in") == std::string::npos)
    std::cerr << "; run `wharf login` with a valid token";
  std::cerr << '\n';
  return failure.exit_code;
}

}  // namespace

int ClientCommands::run() {
  const CLI::App* command = chosen_command(state_->root);
  const VerbHandler* handler = state_->verbs.find(command);
  if (!handler) {
    std::cerr << command->help();
    return kExitUsage;
  }
  const bool yaml = state_->options.output == "yaml";
  if (yaml && !state_->verbs.prints_yaml(command))
    return report(
        Failure{kExitUsage, "-o yaml is not available for `" + command_name(command) + "` yet; use -o json"});
  set_document_format(yaml ? DocumentFormat::kYaml : DocumentFormat::kJson);
  Session session(state_->options);
  try {
    auto outcome = (*handler)(session);
    std::cout.flush();
    return outcome ? kExitOk : report(outcome.error());
  } catch (const std::exception& e) {
    // Library exceptions (JSON of an unexpected shape, stream errors) end here, at the module's edge.
    return report(Failure{kExitUnavailable, std::string("unexpected answer or local failure: ") + e.what()});
  }
}

}  // namespace wharf::cli
