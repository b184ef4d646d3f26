#include "runtime/local/runc.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "runtime/local/subprocess.h"

namespace wharf::local {

namespace {

using json = nlohmann::json;

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

bool says_missing(const std::string& text) {
  return text.find("does not exist") != std::string::npos;
}

Error runc_error(const std::string& what, const std::string& id, const SpawnResult& r,
                 const std::string& text) {
  const std::string msg = trim(text);
  if (r.timed_out) return Error::unavailable("runc " + what + " " + id + " timed out");
  if (says_missing(msg)) return Error::not_found("container " + id + " does not exist");
  return Error::unavailable("runc " + what + " " + id + " failed (exit " + std::to_string(r.exit_code) +
                            "): " + (msg.empty() ? "no message" : msg));
}

ContainerState state_from(const json& j) {
  ContainerState s;
  s.id = j.value("id", "");
  s.status = j.value("status", "");
  s.pid = j.value("pid", 0);
  s.bundle = j.value("bundle", "");
  return s;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// runc's JSON log (--log-format json): the error lines' messages, which is what it printed before exiting.
std::string errors_in_log(const std::string& path) {
  std::istringstream lines(read_file(path));
  std::string line, out;
  while (std::getline(lines, line)) {
    try {
      auto j = json::parse(line);
      if (j.value("level", "") == "error" || j.value("level", "") == "fatal") {
        if (!out.empty()) out += "; ";
        out += j.value("msg", "");
      }
    } catch (const json::exception&) {
      if (!line.empty()) out += line;  // not JSON: keep the text as it is
    }
  }
  return out;
}

SpawnOptions bounded(std::chrono::milliseconds timeout) {
  SpawnOptions o;
  o.timeout = timeout;
  return o;
}

}  // namespace

std::vector<std::string> Runc::base_args() const {
  return {options_.binary, "--root", options_.root};
}

Status Runc::create(const std::string& id, const std::string& bundle_dir, const std::string& pid_file,
                    int stdout_fd, int stderr_fd) const {
  // runc's stderr is the container's: its own error text goes to a log file of the call instead.
  static std::atomic<uint64_t> seq{0};
  std::error_code ec;
  std::filesystem::create_directories(options_.root, ec);  // runc makes it too, but only after opening --log
  const std::string log = options_.root + "/create-" + id + "-" + std::to_string(::getpid()) + "-" +
                          std::to_string(seq++) + ".log";
  auto args = base_args();
  args.insert(args.end(), {"--log", log, "--log-format", "json", "create", "--bundle", bundle_dir,
                           "--pid-file", pid_file, id});
  SpawnOptions o;
  o.timeout = options_.timeout;
  o.stdout_fd = stdout_fd;
  o.stderr_fd = stderr_fd;
  auto r = run_process(args, o);
  const std::string text = errors_in_log(log);
  ::unlink(log.c_str());
  if (!r) return fail(r.error());
  if (r->exit_code != 0 || r->timed_out) {
    auto e = runc_error("create", id, *r, text);
    if (e.code == ErrorCode::kNotFound) e.code = ErrorCode::kUnavailable;  // the bundle, not the container
    return fail(e);
  }
  return {};
}

Status Runc::start(const std::string& id) const {
  auto args = base_args();
  args.insert(args.end(), {"start", id});
  auto r = run_process(args, bounded(options_.timeout));
  if (!r) return fail(r.error());
  if (r->exit_code != 0 || r->timed_out) return fail(runc_error("start", id, *r, r->err));
  return {};
}

Result<ContainerState> Runc::state(const std::string& id) const {
  auto args = base_args();
  args.insert(args.end(), {"state", id});
  auto r = run_process(args, bounded(options_.timeout));
  if (!r) return fail(r.error());
  if (r->exit_code != 0 || r->timed_out) return fail(runc_error("state", id, *r, r->err));
  try {
    return state_from(json::parse(r->out));
  } catch (const json::exception& e) {
    return fail(Error::unavailable("runc state " + id + " printed something that is not JSON: " + e.what()));
  }
}

Status Runc::kill(const std::string& id, const std::string& signal, bool all) const {
  auto args = base_args();
  args.insert(args.end(), {"kill"});
  if (all) args.push_back("--all");
  args.insert(args.end(), {id, signal});
  auto r = run_process(args, bounded(options_.timeout));
  if (!r) return fail(r.error());
  if (r->exit_code != 0 || r->timed_out) return fail(runc_error("kill", id, *r, r->err));
  return {};
}

Status Runc::remove(const std::string& id) const {
  auto args = base_args();
  args.insert(args.end(), {"delete", "--force", id});
  auto r = run_process(args, bounded(options_.timeout));
  if (!r) return fail(r.error());
  if (r->exit_code != 0 || r->timed_out) {
    auto e = runc_error("delete", id, *r, r->err);
    if (e.code == ErrorCode::kNotFound) return {};  // already gone: deletion is idempotent
    return fail(e);
  }
  return {};
}

Result<ExecResult> Runc::exec(const std::string& id, const std::vector<std::string>& exec_args,
                              std::chrono::milliseconds timeout) const {
  static std::atomic<uint64_t> seq{0};
  const std::string pid_file =
      options_.root + "/exec-" + id + "-" + std::to_string(::getpid()) + "-" + std::to_string(seq++) + ".pid";
  auto args = base_args();
  args.insert(args.end(), {"exec", "--pid-file", pid_file, id});
  args.insert(args.end(), exec_args.begin(), exec_args.end());
  SpawnOptions o;
  o.timeout = timeout;
  // runc forwards catchable signals only: SIGKILL for runc itself would orphan the process in the container.
  o.on_timeout = [&pid_file] {
    const int pid = std::atoi(read_file(pid_file).c_str());
    if (pid > 0) ::kill(pid, SIGKILL);
  };
  auto r = run_process(args, o);
  ::unlink(pid_file.c_str());
  if (!r) return fail(r.error());
  ExecResult out{r->exit_code, std::move(r->out), std::move(r->err), r->timed_out};
  // runc exits 255 with its own message when it could not run the process at all (no such container).
  if (!out.timed_out && out.exit_code == 255 && says_missing(out.err)) {
    return fail(Error::not_found("container " + id + " does not exist"));
  }
  return out;
}

Result<std::vector<ContainerState>> Runc::list() const {
  auto args = base_args();
  args.insert(args.end(), {"list", "--format", "json"});
  auto r = run_process(args, bounded(options_.timeout));
  if (!r) return fail(r.error());
  if (r->exit_code != 0 || r->timed_out) return fail(runc_error("list", "", *r, r->err));
  std::vector<ContainerState> out;
  try {
    auto j = json::parse(r->out);
    if (j.is_array()) {
      for (const auto& c : j) out.push_back(state_from(c));
    }
  } catch (const json::exception& e) {
    return fail(Error::unavailable(std::string("runc list printed something that is not JSON: ") + e.what()));
  }
  return out;
}

}  // namespace wharf::local
