#include "runtime/local/subprocess.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace wharf::local {
namespace {

using namespace std::chrono_literals;

TEST(RunProcess, CapturesOutputAndExitCode) {
  auto r = run_process({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, {});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
  EXPECT_FALSE(r->timed_out);
}

TEST(RunProcess, FeedsStdinAndSetsEnv) {
  SpawnOptions o;
  o.stdin_data = std::string(200000, 'x');  // more than a pipe buffer
  o.env = {"GREETING=hi"};
  auto r = run_process({"/bin/sh", "-c", "echo $GREETING; wc -c"}, o);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->out, "hi\n200000\n");
}

TEST(RunProcess, KillsAtTheDeadline) {
  bool called = false;
  SpawnOptions o;
  o.timeout = 100ms;
  o.on_timeout = [&] { called = true; };
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run_process({"/bin/sleep", "30"}, o);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->timed_out);
  EXPECT_TRUE(called);
  EXPECT_EQ(r->exit_code, 128 + 9);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
}

TEST(RunProcess, BackgroundChildHoldingThePipeDoesNotBlock) {
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run_process({"/bin/sh", "-c", "sleep 5 & echo started"}, {});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->out, "started\n");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

TEST(RunProcess, RedirectsToGivenDescriptorAndLeaksNoOthers) {
  char path[] = "/tmp/wharf-spawn-XXXXXX";
  const int fd = ::mkstemp(path);  // no O_CLOEXEC on purpose: closefrom must keep it from the child
  ASSERT_GE(fd, 0);
  SpawnOptions o;
  o.stdout_fd = fd;
  auto r = run_process({"/bin/sh", "-c", "ls /proc/self/fd | wc -l"}, o);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->out, "");
  char buf[64] = {};
  ASSERT_GT(::pread(fd, buf, sizeof buf - 1, 0), 0);
  // 0, 1, 2 and the directory ls reads.
  EXPECT_EQ(std::string(buf), "4\n");
  ::close(fd);
  ::unlink(path);
}

TEST(RunProcess, MissingProgramIsAnError) {
  auto r = run_process({"/nonexistent/prog"}, {});
  EXPECT_FALSE(r.has_value());
}

}  // namespace
}  // namespace wharf::local
