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

// Whether a verb prints with -o yaml. So far only the config verbs do (their items are often YAML
// themselves); the others refuse it as a usage error, as they did before YAML output existed.
enum class YamlOutput { kNo, kYes };

class VerbRegistry {
 public:
  void add(const CLI::App* command, VerbHandler handler, YamlOutput yaml = YamlOutput::kNo) {
    verbs_.push_back({command, std::move(handler), yaml});
  }

  // The handler of `command`, or nullptr when it has none (a group such as `wharf project`).
  const VerbHandler* find(const CLI::App* command) const {
    for (const auto& v : verbs_)
      if (v.command == command) return &v.handler;
    return nullptr;
  }

  bool prints_yaml(const CLI::App* command) const {
    for (const auto& v : verbs_)
      if (v.command == command) return v.yaml == YamlOutput::kYes;
    return false;
  }

 private:
  struct Verb {
    const CLI::App* command;
    VerbHandler handler;
    YamlOutput yaml;
  };
  std::vector<Verb> verbs_;
};

}  // namespace wharf::cli
