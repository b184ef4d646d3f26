#include "runtime/local/cgroups.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace wharf::local {
namespace {

namespace fs = std::filesystem;

class FakeCgroupRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("wharf-cg-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text;
  }
  std::string root() const { return root_.string(); }
  fs::path root_;
};

TEST_F(FakeCgroupRoot, DetectsLayouts) {
  fs::create_directories(root_ / "memory");
  EXPECT_EQ(detect_cgroup_mode(root()), CgroupMode::kV1);
  write("unified/cgroup.controllers", "");
  EXPECT_EQ(detect_cgroup_mode(root()), CgroupMode::kHybrid);
  write("cgroup.controllers", "cpu memory pids\n");
  EXPECT_EQ(detect_cgroup_mode(root()), CgroupMode::kV2);
}

TEST_F(FakeCgroupRoot, V2MemoryEvents) {
  write("cgroup.controllers", "cpu memory pids\n");
  write("wharf/web-1/memory.events", "low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 0\n");
  auto ev = read_memory_events("/wharf/web-1", root());
  ASSERT_TRUE(ev.has_value()) << ev.error().message;
  EXPECT_EQ(ev->oom_kills, 2);
  EXPECT_EQ(ev->oom, 3);
  EXPECT_TRUE(cgroup_exists("/wharf/web-1", root()));
  EXPECT_FALSE(cgroup_exists("/wharf/web-2", root()));
  EXPECT_EQ(read_memory_events("/wharf/web-2", root()).error().code, ErrorCode::kNotFound);
}

TEST_F(FakeCgroupRoot, V1OomControlAndFailcnt) {
  write("unified/cgroup.controllers", "");
  write("memory/wharf/web-1/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
  write("memory/wharf/web-1/memory.failcnt", "57\n");
  auto ev = read_memory_events("/wharf/web-1", root());
  ASSERT_TRUE(ev.has_value()) << ev.error().message;
  EXPECT_EQ(ev->oom_kills, 1);
  EXPECT_EQ(ev->oom, 57);
}

TEST_F(FakeCgroupRoot, V1OldKernelWithoutOomKillLine) {
  write("memory/wharf/a/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
  auto ev = read_memory_events("/wharf/a", root());
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->oom_kills, 0);
}

TEST_F(FakeCgroupRoot, V1ExistsInAnyHierarchy) {
  fs::create_directories(root_ / "memory");
  fs::create_directories(root_ / "pids/wharf/x");
  EXPECT_TRUE(cgroup_exists("/wharf/x", root()));
  fs::remove_all(root_ / "pids/wharf/x");
  EXPECT_FALSE(cgroup_exists("/wharf/x", root()));
}

}  // namespace
}  // namespace wharf::local
