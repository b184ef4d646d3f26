#include "runtime/local/shim.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "runtime/local/cgroups.h"
#include "runtime/local/log_file.h"
#include "runtime/local/oci_bundle.h"
#include "runtime/local/runc.h"

namespace wharf::local {

namespace {

struct ShimArgs {
  std::string dir, id, runc, runc_root;
  LogLimits limits;
};

void write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

// Atomic replace: readers see the old file or the whole new one.
void write_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << text;
  }
  ::rename(tmp.c_str(), path.c_str());
}

int read_pid(const std::string& path) {
  std::ifstream f(path);
  int pid = 0;
  f >> pid;
  return pid;
}

// The supervising child. `report` is the pipe to the parent; closed once the container started (or not).
int supervise(const ShimArgs& a, int report) {
  ::setsid();
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  // Stray signals must not end the shim: it has to outlive the server and its terminal. SIGCHLD is read
  // from a signalfd.
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) sigaddset(&mask, s);
  ::sigprocmask(SIG_BLOCK, &mask, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  const int sigfd = ::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  const int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd = 0; fd <= 2; ++fd) ::dup2(devnull, fd);  // leave the server's pipes: it waits for their EOF

  auto fail_report = [&](const std::string& msg) {
    std::string one_line = msg;
    for (char& c : one_line)
      if (c == '\n') c = ' ';
    write_all(report, "error " + one_line + "\n");
    return 1;
  };

  std::error_code ec;
  std::filesystem::create_directories(a.dir + "/logs", ec);
  auto log = LogWriter::open(a.dir + "/" + kLogFile, a.limits);
  if (!log) return fail_report(log.error().message);
  ::unlink((a.dir + "/" + kExitFile).c_str());
  write_file(a.dir + "/" + kShimPidFile, std::to_string(::getpid()) + "\n");

  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
    return fail_report(std::string("pipe: ") + std::strerror(errno));
  RuncOptions ro;
  ro.binary = a.runc;
  ro.root = a.runc_root;
  Runc runc(ro);
  const std::string init_pid_file = a.dir + "/" + kInitPidFile;
  auto created = runc.create(a.id, a.dir, init_pid_file, out[1], err[1]);
  ::close(out[1]);
  ::close(err[1]);
  if (!created) {
    log->write("wharf", "cannot create the container: " + created.error().message, LogClock::now());
    return fail_report(created.error().message);
  }
  const int init = read_pid(init_pid_file);
  if (auto started = runc.start(a.id); !started) {
    log->write("wharf", "cannot start the container: " + started.error().message, LogClock::now());
    return fail_report(started.error().message);
  }
  write_all(report, "ok " + std::to_string(init) + " " + std::to_string(::getpid()) + "\n");
  ::close(report);

  LineSplitter splitters[2];
  const char* streams[2] = {"stdout", "stderr"};
  int pipes[2] = {out[0], err[0]};
  bool init_exited = false;
  std::chrono::steady_clock::time_point exited_at;
  for (;;) {
    const bool pipes_open = pipes[0] >= 0 || pipes[1] >= 0;
    // Once init is gone, every process of its PID namespace is too; a pipe still open after that is held by
    // something outside the container: stop waiting for it.
    if (init_exited &&
        (!pipes_open || std::chrono::steady_clock::now() - exited_at > std::chrono::seconds(2)))
      break;
    pollfd fds[3] = {{pipes[0], POLLIN, 0}, {pipes[1], POLLIN, 0}, {sigfd, POLLIN, 0}};
    if (::poll(fds, 3, init_exited ? 100 : -1) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (pipes[i] < 0 || fds[i].revents == 0) continue;
      char buf[65536];
      const ssize_t n = ::read(pipes[i], buf, sizeof buf);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      const auto now = LogClock::now();
      auto emit = [&](std::string_view line) { log->write(streams[i], line, now); };
      if (n <= 0) {
        splitters[i].flush(emit);
        ::close(pipes[i]);
        pipes[i] = -1;
        continue;
      }
      splitters[i].feed(std::string_view(buf, static_cast<size_t>(n)), emit);
    }
    if (fds[2].revents != 0) {
      signalfd_siginfo info;
      while (::read(sigfd, &info, sizeof info) > 0) {
      }
      int status = 0;
      for (pid_t pid; (pid = ::waitpid(-1, &status, WNOHANG)) > 0;) {
        if (pid != init || init_exited) continue;
        init_exited = true;
        exited_at = std::chrono::steady_clock::now();
        // Read before anyone runs `runc delete`, which removes the cgroup and its counters.
        auto events = read_memory_events(cgroup_path_of(a.id));
        const bool oom = events && events->oom_kills > 0;
        const int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + sig;
        write_file(a.dir + "/" + kExitFile, nlohmann::json{{"exitCode", code},
                                                           {"signal", sig},
                                                           {"oomKilled", oom},
                                                           {"finishedAt", format_log_time(LogClock::now())}}
                                                .dump());
      }
    }
  }
  return 0;
}

}  // namespace

int shim_main(int argc, char** argv) {
  if (argc != 8) {
    std::fprintf(stderr, "usage: wharf %s DIR ID RUNC RUNC_ROOT LOG_MAX_BYTES LOG_FILES (internal)\n",
                 kShimArgument);
    return 2;
  }
  ShimArgs a{argv[2], argv[3], argv[4], argv[5], {}};
  a.limits.max_bytes = std::strtoull(argv[6], nullptr, 10);
  a.limits.files = std::atoi(argv[7]);
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    std::printf("error pipe: %s\n", std::strerror(errno));
    return 1;
  }
  const pid_t child = ::fork();
  if (child < 0) {
    std::printf("error fork: %s\n", std::strerror(errno));
    return 1;
  }
  if (child == 0) {
    ::close(report[0]);
    std::_Exit(supervise(a, report[1]));
  }
  ::close(report[1]);
  std::string msg;
  char buf[4096];
  for (ssize_t n; (n = ::read(report[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    msg.append(buf, static_cast<size_t>(n));
  }
  if (msg.empty()) msg = "error the shim ended before starting the container\n";
  std::fputs(msg.c_str(), stdout);
  std::fflush(stdout);
  return msg.starts_with("ok ") ? 0 : 1;
}

}  // namespace wharf::local
