// The client verbs, one group per file. Each add_* function declares its subcommands and options on
// `app` and registers the function that runs them. Options live in shared state captured by the
// handlers, so they outlive parsing.
#pragma once

#include <string>

#include "cli/verb_registry.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace wharf::cli {

void add_login_verbs(CLI::App& app, VerbRegistry& verbs);    // login, context
void add_project_verbs(CLI::App& app, VerbRegistry& verbs);  // project
void add_env_verbs(CLI::App& app, VerbRegistry& verbs);      // env
void add_app_verbs(CLI::App& app, VerbRegistry& verbs);      // app
void add_release_verbs(CLI::App& app, VerbRegistry& verbs);  // deploy, rollback, scale, offline
void add_inspect_verbs(CLI::App& app, VerbRegistry& verbs);  // status, releases, instances, logs
void add_version_verb(CLI::App& app, VerbRegistry& verbs);   // version
void add_access_verbs(CLI::App& app, VerbRegistry& verbs);   // whoami, user, role, member, audit
void add_account_verbs(CLI::App& app, VerbRegistry& verbs);  // token, password
void add_config_verbs(CLI::App& app, VerbRegistry& verbs);   // config

// One line from stdin without its line ending; on a terminal, prompts with `prompt` on stderr and does not
// echo what is typed (passwords, tokens).
std::string read_secret_line(const char* prompt);

// Options several verbs share.
CLI::Option* add_project_option(CLI::App* command, std::string& project);
CLI::Option* add_env_option(CLI::App* command, std::string& env);  // -e/--env, required
CLI::Option* add_limit_option(CLI::App* command, int& limit);      // --limit N (0 = all)

}  // namespace wharf::cli
