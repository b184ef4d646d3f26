// A thin, blocking client of the `runc` command line, with a state directory (--root) of its own.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/error.h"

namespace wharf::local {

struct RuncOptions {
  std::string binary = "runc";               // path or name looked up in PATH
  std::string root;                          // runc's state directory (--root); must be absolute
  std::chrono::milliseconds timeout{30000};  // bound for every call except exec (which has its own)
};

struct ContainerState {
  std::string id;
  std::string status;  // "creating", "created", "running", "paused", "stopped"
  int pid = 0;         // the init process on the host; 0 once stopped
  std::string bundle;
};

struct ExecResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  bool timed_out = false;
};

// Every method blocks until runc returns (bounded by the options' timeout) and returns `unavailable` with
// runc's own error text when runc fails, `not_found` when the container does not exist. Thread-safe: runc
// serialises concurrent calls on one container itself.
class Runc {
 public:
  explicit Runc(RuncOptions options) : options_(std::move(options)) {}

  // `runc create`: sets up the container from `bundle_dir` (its config.json) and leaves its process waiting
  // for start(). The container's stdout/stderr are `stdout_fd`/`stderr_fd` (open files the caller owns and
  // may close afterwards): in detached mode with terminal=false the container inherits runc's stdio.
  Status create(const std::string& id, const std::string& bundle_dir, const std::string& pid_file,
                int stdout_fd, int stderr_fd) const;
  // `runc start`: runs the created container's process.
  Status start(const std::string& id) const;
  Result<ContainerState> state(const std::string& id) const;
  // `runc kill <id> <signal>`, e.g. "TERM", "KILL". `all` signals every process in the container.
  Status kill(const std::string& id, const std::string& signal, bool all = false) const;
  // `runc delete --force`: kills and removes the container and its cgroup. Succeeds when it does not exist.
  Status remove(const std::string& id) const;
  // `runc exec`: runs `args` in the running container; returns its exit code and output. After `timeout`
  // the process is killed and timed_out is set.
  Result<ExecResult> exec(const std::string& id, const std::vector<std::string>& args,
                          std::chrono::milliseconds timeout) const;
  // `runc list`: every container in the state directory.
  Result<std::vector<ContainerState>> list() const;

  const RuncOptions& options() const { return options_; }

 private:
  std::vector<std::string> base_args() const;
  RuncOptions options_;
};

}  // namespace wharf::local
