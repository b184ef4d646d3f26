// `wharf server`: the composition root. Opens the store, bootstraps the admin account, starts the
// controllers and the HTTP server, and stops them in order on SIGTERM/SIGINT.
#pragma once

#include <string>

namespace wharf {

struct ServerOptions {
  std::string data_dir = ".wharf";
  std::string listen = "127.0.0.1:7070";  // host:port; port 0 picks a free one (printed at start)
  std::string log_level = "info";
  int threads = 0;  // HTTP threads; 0 = one per core
  // LDAP settings file (auth/ldap_config.h); empty: only local accounts log in.
  std::string ldap_config;
  // The built web console (index.html, assets/); empty: console/ next to the executable.
  std::string console_dir;
};

// Runs until a termination signal; returns the process exit code (0 after a clean shutdown).
int run_server(const ServerOptions& options);

}  // namespace wharf
