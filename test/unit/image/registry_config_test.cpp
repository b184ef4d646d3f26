#include "image/registry_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace wharf {
namespace {

class RegistryConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("wharf-regcfg-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& text) {
    auto path = (dir_ / "registries.json").string();
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(RegistryConfigTest, MissingFileIsEmpty) {
  auto c = load_registry_config((dir_ / "none.json").string());
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->auths.empty());
  EXPECT_EQ(c->credentials("r.example.com"), nullptr);
}

TEST_F(RegistryConfigTest, DockerAuthsAndInsecure) {
  // "dXNlcjpwYTpzcw==" is base64 of "user:pa:ss" (a password may contain ':').
  auto c = load_registry_config(write(R"({"auths":{
      "https://index.docker.io/v1/":{"auth":"dXNlcjpwYTpzcw=="},
      "10.0.0.5:5000":{"username":"ci","password":"p"}},
    "insecure-registries":["10.0.0.5:5000"]})"));
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_NE(c->credentials("docker.io"), nullptr);
  EXPECT_EQ(c->credentials("docker.io")->username, "user");
  EXPECT_EQ(c->credentials("docker.io")->password, "pa:ss");
  EXPECT_EQ(c->credentials("10.0.0.5:5000")->username, "ci");
  EXPECT_TRUE(c->plain_http("10.0.0.5:5000"));
  EXPECT_TRUE(c->plain_http("127.0.0.1:5000"));
  EXPECT_TRUE(c->plain_http("localhost:5000"));
  EXPECT_FALSE(c->plain_http("registry.example.com"));
  EXPECT_FALSE(c->plain_http("10.0.0.5:6000"));
}

TEST_F(RegistryConfigTest, MalformedNamesTheEntryNotTheSecret) {
  auto c = load_registry_config(write(R"({"auths":{"r.example.com":{"auth":"bm9jb2xvbg=="}}})"));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("auths.r.example.com.auth"), std::string::npos);
  EXPECT_EQ(c.error().message.find("nocolon"), std::string::npos);
  EXPECT_FALSE(load_registry_config(write("[1]")));
}

}  // namespace
}  // namespace wharf
