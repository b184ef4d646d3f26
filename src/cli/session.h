// What every client verb needs: the global options, the config file, the API of the chosen server
// and the project to act on. Loads lazily, so `wharf context` works without a server and `wharf login`
// works without a config file.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "cli/cli_config.h"
#include "cli/failure.h"
#include "cli/json_api.h"

namespace wharf::cli {

// The API to call and the project to call it about: what most verbs start from.
struct ProjectScope {
  const JsonApi* api;
  std::string project;
};

struct GlobalOptions {
  std::string output = "table";         // "table", "json" or "yaml"
  std::string server;                   // overrides the current context's server
  std::string token;                    // overrides the context's token
  std::string request_timeout = "30s";  // bound on each connect/send/receive
};

class Session {
 public:
  explicit Session(const GlobalOptions& options) : options_(options) {}

  // -o json or -o yaml: print the API's object (print_json writes it in the chosen form), not a table.
  bool json_output() const { return options_.output != "table"; }
  const GlobalOptions& options() const { return options_; }

  // The config file, read on first use. The pointer stays valid for the session's lifetime.
  Outcome<CliConfig*> config();
  // Writes the (changed) config back.
  Outcome<void> save_config();

  // The API of --server (with --token, or the token of a context for that server) or of the current
  // context. A usage failure when no server is known.
  Outcome<const JsonApi*> api();

  // `flag` when set (-p), else the current context's project; a usage failure when neither is.
  Outcome<std::string> project(const std::string& flag);

  // project(flag) and api() together.
  Outcome<ProjectScope> in_project(const std::string& flag);

  std::chrono::system_clock::time_point now() const { return std::chrono::system_clock::now(); }

  // --request-timeout as a duration; a usage failure when malformed.
  Outcome<std::chrono::milliseconds> request_timeout() const;

 private:
  // The context whose credentials apply to `server` (--server given) or the current one.
  const Context* context_for(const CliConfig& config) const;

  const GlobalOptions& options_;
  std::optional<CliConfig> config_;
  std::unique_ptr<JsonApi> api_;
};

}  // namespace wharf::cli
