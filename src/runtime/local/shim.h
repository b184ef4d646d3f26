// The per-instance shim: what keeps a container's output flowing into its log and its exit status recorded
// while the Wharf server is down (as podman's conmon or Nomad's logmon do).
//
// The server runs its own binary as `wharf __shim DIR ID RUNC RUNC_ROOT LOG_MAX_BYTES LOG_FILES`. The
// process forks; the child leaves the server's session (setsid), becomes a child subreaper (so the
// container's init is reparented to it when `runc create` exits), runs `runc create` with pipes as the
// container's stdout/stderr and `runc start`, and reports "ok <init pid> <shim pid>\n" or "error <text>\n"
// to the parent, which prints it and exits (0 or 1): the server learns the result synchronously and never
// has the shim as a child. The child then, single-threaded and with no timers, writes every line from the
// pipes to DIR/logs/output.log (log_file.h), waits for the init process and records its end in
// DIR/exit.json ({"exitCode","signal","oomKilled","finishedAt"}, written before the shim exits), then exits.
// It writes its pid to DIR/shim.pid and the init's to DIR/init.pid.
#pragma once

#include <string>

namespace wharf::local {

// The hidden first argument that makes `wharf` a shim; handled in main before any other parsing.
inline constexpr const char* kShimArgument = "__shim";

// Files of the shim protocol, relative to the instance directory.
inline constexpr const char* kShimPidFile = "shim.pid";
inline constexpr const char* kInitPidFile = "init.pid";
inline constexpr const char* kExitFile = "exit.json";
inline constexpr const char* kLogFile = "logs/output.log";

// Runs the shim (argv[1] == kShimArgument). Returns the parent's exit code.
int shim_main(int argc, char** argv);

}  // namespace wharf::local
