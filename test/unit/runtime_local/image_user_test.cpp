#include "runtime/local/image_user.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace wharf::local {
namespace {

namespace fs = std::filesystem;

TEST(ImageUser, ResolvesNumbersAndNamesFromTheImage) {
  const fs::path root = fs::temp_directory_path() / ("wharf-user-" + std::to_string(::getpid()));
  fs::create_directories(root / "etc");
  std::ofstream(root / "etc" / "passwd")
      << "root:x:0:0:root:/root:/bin/sh\nwww:x:33:34:www:/var/www:/bin/false\n";
  std::ofstream(root / "etc" / "group") << "root:x:0:\nstaff:x:50:\n";
  auto r = [&](const std::string& u) { return resolve_image_user(u, root.string()); };
  EXPECT_EQ(r("")->uid, 0u);
  EXPECT_EQ(r("www")->uid, 33u);
  EXPECT_EQ(r("www")->gid, 34u);
  EXPECT_EQ(r("33")->gid, 34u);
  EXPECT_EQ(r("1000")->uid, 1000u);
  EXPECT_EQ(r("www:staff")->gid, 50u);
  EXPECT_EQ(r("1000:7")->gid, 7u);
  EXPECT_EQ(r("nobody").error().code, ErrorCode::kInvalid);
  EXPECT_EQ(r("www:nogroup").error().code, ErrorCode::kInvalid);
  fs::remove_all(root);
}

}  // namespace
}  // namespace wharf::local
