// Runs a program to completion with a deadline: the one way the local runtime starts runc and CNI plugins.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"

namespace wharf::local {

struct SpawnOptions {
  std::vector<std::string> env;  // "KEY=value"; empty: inherit this process's environment
  std::string stdin_data;        // written to the child's stdin, then closed
  // When >= 0, the child's stdout / stderr is this descriptor (not captured) instead of a pipe. Used for
  // `runc create`, whose container inherits runc's stdio: a pipe would never see EOF.
  int stdout_fd = -1;
  int stderr_fd = -1;
  std::chrono::milliseconds timeout{30000};
  // Called once when the deadline passes, before the child gets SIGKILL (e.g. to kill what it started).
  std::function<void()> on_timeout;
};

struct SpawnResult {
  int exit_code = -1;  // the exit status, or 128 + signal when killed by a signal
  bool timed_out = false;
  std::string out;  // captured stdout (empty when redirected)
  std::string err;  // captured stderr (empty when redirected)
};

// Runs argv[0] (an absolute path, or looked up in PATH) with argv, no shell. Blocks until the child exits
// and its captured output is read, or until the deadline, when it is killed (timed_out = true). Only
// descriptors 0-2 reach the child. Returns `internal` when it cannot be started. Thread-safe.
Result<SpawnResult> run_process(const std::vector<std::string>& argv, const SpawnOptions& options);

}  // namespace wharf::local
