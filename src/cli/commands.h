// The client verbs of `wharf` (login, context, project, env, app, deploy, rollback, scale, offline,
// status, releases, instances, logs, version). Each talks to the REST API with the server URL and token of
// the current context in ~/.config/wharf/config.
#pragma once

#include <memory>

namespace CLI {
class App;
}

namespace wharf::cli {

class ClientCommands {
 public:
  // Registers every client subcommand (and the global -o/--output option) on `app`.
  explicit ClientCommands(CLI::App& app);
  ~ClientCommands();
  // Runs the subcommand the user chose; returns the process exit code (see cli.h).
  int run();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace wharf::cli
