// `wharf version`: this client's version and, when one is configured, the server's.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/api_paths.h"
#include "cli/output.h"
#include "cli/verbs.h"

namespace wharf::cli {
namespace {

Outcome<void> version(Session& session) {
  const json client{{"version", WHARF_VERSION}, {"commit", WHARF_COMMIT}};
  // Without a configured server the client's version is still worth printing.
  auto api = session.api();
  Outcome<json> server = api ? (*api)->get(paths::kVersion) : tl::unexpected(api.error());
  const bool no_server = !api && api.error().exit_code == kExitUsage;
  if (session.json_output()) {
    json out{{"client", client}};
    if (server) out["server"] = *server;
    print_json(out);
  } else {
    say("Client: " + std::string(WHARF_VERSION) + " (commit " + WHARF_COMMIT + ")");
    if (server)
      say("Server: " + text_of(*server, "version") + " (commit " + text_of(*server, "commit") + ")");
    if (no_server) say("Server: none configured (`wharf login --server URL`)");
  }
  if (!server && !no_server) return tl::unexpected(server.error());
  return {};
}

}  // namespace

void add_version_verb(CLI::App& app, VerbRegistry& verbs) {
  auto* cmd = app.add_subcommand("version", "Print the client's and the server's versions");
  verbs.add(cmd, [](Session& s) { return version(s); });
}

}  // namespace wharf::cli
