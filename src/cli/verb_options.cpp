// Options several verbs share, declared once so that their spelling and help stay the same.
#include <CLI/CLI.hpp>

#include "cli/verbs.h"

namespace wharf::cli {

CLI::Option* add_project_option(CLI::App* command, std::string& project) {
  return command->add_option("-p,--project", project, "Project (default: the current context's)");
}

CLI::Option* add_env_option(CLI::App* command, std::string& env) {
  return command->add_option("-e,--env", env, "Environment, such as dev or prod")->required();
}

CLI::Option* add_limit_option(CLI::App* command, int& limit) {
  return command->add_option("--limit", limit, "Show at most N items (default: all)")
      ->check(CLI::PositiveNumber);
}

}  // namespace wharf::cli
