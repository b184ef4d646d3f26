// Which function runs for which (sub)command: verbs register here, ClientCommands::run dispatches.
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include "cli/failure.h"
#include "cli/session.h"

namespace CLI {
class App;
}

namespace wharf::cli {

using VerbHandler = std::function<Outcome<void>(Session&)>;

class VerbRegistry {
 public:
  void add(const CLI::App* command, VerbHandler handler) { verbs_.emplace_back(command, std::move(handler)); }

  // The handler of `command`, or nullptr when it has none (a group such as `wharf project`).
  const VerbHandler* find(const CLI::App* command) const {
    for (const auto& [c, h] : verbs_)
      if (c == command) return &h;
    return nullptr;
  }

 private:
  std::vector<std::pair<const CLI::App*, VerbHandler>> verbs_;
};

}  // namespace wharf::cli
