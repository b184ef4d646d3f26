#include "cli/cli.h"

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "server/server.h"

namespace wharf::cli {

int main(int argc, char** argv) {
  CLI::App app{"Wharf: deploy, upgrade, roll back, scale and troubleshoot applications.", "wharf"};
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok, 1 the server refused the request (4xx), 2 bad command line, 3 server unreachable or "
      "failing (5xx).");

  ServerOptions server_options;
  auto* server =
      app.add_subcommand("server", "Run the Wharf server (API, console, controllers, local runtime)");
  server->add_option("--data-dir", server_options.data_dir, "Where state lives")->capture_default_str();
  server->add_option("--listen", server_options.listen, "HOST:PORT to listen on (port 0 picks one)")
      ->capture_default_str();
  server->add_option("--log-level", server_options.log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  server->add_option("--threads", server_options.threads, "HTTP threads (0: one per core)")
      ->check(CLI::Range(0, 256));
  server->add_option("--ldap-config", server_options.ldap_config,
                     "YAML or JSON file with the OpenLDAP settings (url, bindDN, bindPasswordFile, userBase, "
                     "groupBase, ...): company accounts log in and their groups map to Wharf groups");
  server->add_option("--console-dir", server_options.console_dir,
                     "The built web console (make console); default: console/ next to this executable");

  ClientCommands client(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (server->parsed()) return run_server(server_options);
  return client.run();
}

}  // namespace wharf::cli
