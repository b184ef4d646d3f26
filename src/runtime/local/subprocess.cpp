#include "runtime/local/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace wharf::local {

namespace {

using Clock = std::chrono::steady_clock;

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

bool make_pipe(Fd& r, Fd& w) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return false;
  r.fd = p[0];
  w.fd = p[1];
  return true;
}

std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// After the child exits, a grandchild may still hold the pipes open (a daemon started by `runc exec`):
// read what is there for a short while, then stop waiting for EOF.
constexpr std::chrono::milliseconds kDrainAfterExit{200};

}  // namespace

Result<SpawnResult> run_process(const std::vector<std::string>& argv, const SpawnOptions& options) {
  if (argv.empty()) return fail(Error::internal("run_process: empty argv"));
  Fd in_r, in_w, out_r, out_w, err_r, err_w;
  if (!make_pipe(in_r, in_w)) return fail(Error::internal(std::string("pipe: ") + std::strerror(errno)));
  if (options.stdout_fd < 0 && !make_pipe(out_r, out_w)) {
    return fail(Error::internal(std::string("pipe: ") + std::strerror(errno)));
  }
  if (options.stderr_fd < 0 && !make_pipe(err_r, err_w)) {
    return fail(Error::internal(std::string("pipe: ") + std::strerror(errno)));
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_r.fd, 0);
  posix_spawn_file_actions_adddup2(&actions, options.stdout_fd >= 0 ? options.stdout_fd : out_w.fd, 1);
  posix_spawn_file_actions_adddup2(&actions, options.stderr_fd >= 0 ? options.stderr_fd : err_w.fd, 2);
  // Descriptors opened elsewhere without O_CLOEXEC must not leak into runc and from there into containers.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t all_default;
  sigemptyset(&all_default);
  sigaddset(&all_default, SIGPIPE);
  sigaddset(&all_default, SIGCHLD);
  posix_spawnattr_setsigdefault(&attr, &all_default);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  auto args = c_strings(argv);
  auto envs = c_strings(options.env);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0].c_str(), &actions, &attr, args.data(),
                                options.env.empty() ? environ : envs.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return fail(Error::internal("cannot run " + argv[0] + ": " + std::strerror(rc)));
  in_r.reset();
  out_w.reset();
  err_w.reset();

  SpawnResult result;
  const auto deadline = Clock::now() + options.timeout;
  size_t written = 0;
  if (options.stdin_data.empty()) in_w.reset();
  if (in_w.fd >= 0) ::fcntl(in_w.fd, F_SETFL, O_NONBLOCK);

  // A pidfd wakes poll() the moment the child exits (no SIGCHLD handler needed); without one, poll in
  // short slices.
  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  bool exited = false;
  int status = 0;
  Clock::time_point exited_at{};
  for (;;) {
    if (!exited) {
      const pid_t w = ::waitpid(pid, &status, WNOHANG);
      if (w == pid) {
        exited = true;
        exited_at = Clock::now();
      }
    }
    const bool pipes_open = out_r.fd >= 0 || err_r.fd >= 0;
    if (exited && (!pipes_open || Clock::now() - exited_at > kDrainAfterExit)) break;
    if (!exited && Clock::now() >= deadline) {
      result.timed_out = true;
      if (options.on_timeout) options.on_timeout();
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      exited = true;
      break;
    }
    pollfd fds[4];
    int n = 0;
    if (out_r.fd >= 0) fds[n++] = {out_r.fd, POLLIN, 0};
    if (err_r.fd >= 0) fds[n++] = {err_r.fd, POLLIN, 0};
    if (in_w.fd >= 0) fds[n++] = {in_w.fd, POLLOUT, 0};
    if (!exited && pidfd.fd >= 0) fds[n++] = {pidfd.fd, POLLIN, 0};
    ::poll(fds, n, pidfd.fd >= 0 && !exited ? 50 : 5);
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents == 0 || fds[i].fd == pidfd.fd) continue;
      if (fds[i].fd == in_w.fd) {
        const ssize_t k =
            ::write(in_w.fd, options.stdin_data.data() + written, options.stdin_data.size() - written);
        if (k > 0) written += static_cast<size_t>(k);
        if (k < 0 && errno != EAGAIN && errno != EINTR)
          written = options.stdin_data.size();  // child closed it
        if (written >= options.stdin_data.size()) in_w.reset();
        continue;
      }
      char buf[8192];
      const ssize_t k = ::read(fds[i].fd, buf, sizeof buf);
      Fd& which = fds[i].fd == out_r.fd ? out_r : err_r;
      std::string& sink = fds[i].fd == out_r.fd ? result.out : result.err;
      if (k > 0) {
        sink.append(buf, static_cast<size_t>(k));
      } else if (k == 0 || (errno != EAGAIN && errno != EINTR)) {
        which.reset();
      }
    }
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  return result;
}

}  // namespace wharf::local
