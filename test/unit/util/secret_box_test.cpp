#include "util/secret_box.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace wharf {
namespace {

std::filesystem::path temp_dir() {
  auto dir = std::filesystem::temp_directory_path() / ("wharf-secret-box-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(SecretBox, SealsAndUnseals) {
  auto box = SecretBox::from_key(std::string(32, 'k'));
  ASSERT_TRUE(box);
  auto sealed = box->seal("token: s3cret");
  EXPECT_TRUE(sealed.starts_with("wsb1:"));
  EXPECT_EQ(sealed.find("s3cret"), std::string::npos);
  EXPECT_NE(box->seal("token: s3cret"), sealed) << "every seal uses a fresh nonce";
  auto plain = box->unseal(sealed);
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(*plain, "token: s3cret");
  auto empty = box->unseal(box->seal(""));
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, "");
}

TEST(SecretBox, RefusesTamperedDataAndOtherKeys) {
  auto box = SecretBox::from_key(std::string(32, 'k'));
  auto other = SecretBox::from_key(std::string(32, 'o'));
  ASSERT_TRUE(box && other);
  auto sealed = box->seal("credentials");
  EXPECT_FALSE(other->unseal(sealed));
  std::string tampered = sealed;
  tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
  auto bad = box->unseal(tampered);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.find("credentials"), std::string::npos);
  EXPECT_FALSE(box->unseal("plain text"));
  EXPECT_FALSE(box->unseal("wsb1:"));
  EXPECT_FALSE(SecretBox::from_key("short"));
}

TEST(SecretBox, CreatesThePrivateKeyFileOnceAndReusesIt) {
  auto dir = temp_dir();
  auto path = (dir / "secret.key").string();
  auto first = SecretBox::open(path);
  ASSERT_TRUE(first) << first.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  auto second = SecretBox::open(path);
  ASSERT_TRUE(second);
  auto plain = second->unseal(first->seal("same key"));
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain, "same key");

  ::chmod(path.c_str(), 0644);
  auto exposed = SecretBox::open(path);
  ASSERT_FALSE(exposed);
  EXPECT_NE(exposed.error().message.find("chmod 600"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace wharf
