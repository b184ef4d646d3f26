// Groups of directory users: re-read at most every minute; a directory that is down while the cached
// groups are stale answers `unavailable` with its own message.
#include <gtest/gtest.h>

#include "auth/authenticator.h"

namespace wharf {
namespace {

struct FakeDirectory : Directory {
  std::vector<std::string> groups{"dev"};
  bool down = false;
  bool gone = false;
  int lookups = 0;
  Result<DirectoryUser> authenticate(const std::string&, const std::string&) override {
    return fail(Error::unauthorized("no"));
  }
  Result<DirectoryUser> lookup(const std::string& user) override {
    ++lookups;
    if (down) return fail(Error::unavailable("LDAP server ldap://127.0.0.1:3890 does not answer"));
    if (gone) return fail(Error::not_found("no such user"));
    return DirectoryUser{user, "", "uid=" + user, groups};
  }
};

struct Fixture {
  FakeDirectory directory;
  std::chrono::steady_clock::time_point now{std::chrono::hours(100)};
  DirectoryGroups groups{&directory, std::chrono::seconds(60), [this] { return now; }};
};

TEST(DirectoryGroups, CachedForAMinuteThenReRead) {
  Fixture f;
  f.groups.remember("carol", {"dev", "test"});
  EXPECT_EQ(*f.groups.groups_of("carol"), (std::vector<std::string>{"dev", "test"}));
  EXPECT_EQ(f.directory.lookups, 0);
  f.now += std::chrono::seconds(59);
  EXPECT_EQ(f.groups.groups_of("carol")->size(), 2u);
  f.now += std::chrono::seconds(2);
  EXPECT_EQ(*f.groups.groups_of("carol"), (std::vector<std::string>{"dev"}));  // "test" removed
  EXPECT_EQ(f.directory.lookups, 1);
}

TEST(DirectoryGroups, DirectoryDownWithStaleGroupsIsUnavailable) {
  Fixture f;
  f.groups.remember("carol", {"dev"});
  f.directory.down = true;
  EXPECT_TRUE(f.groups.groups_of("carol"));  // still fresh
  f.now += std::chrono::seconds(61);
  auto r = f.groups.groups_of("carol");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("ldap://127.0.0.1:3890"), std::string::npos);
  f.directory.down = false;
  EXPECT_TRUE(f.groups.groups_of("carol"));
}

TEST(DirectoryGroups, UserRemovedFromTheDirectoryIsUnauthorized) {
  Fixture f;
  f.directory.gone = true;
  auto r = f.groups.groups_of("carol");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthorized);
}

TEST(DirectoryGroups, NoDirectoryConfiguredIsUnavailable) {
  DirectoryGroups groups(nullptr);
  auto r = groups.groups_of("carol");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace wharf
