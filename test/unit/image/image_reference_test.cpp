#include "image/image_reference.h"

#include <gtest/gtest.h>

namespace wharf {
namespace {

ImageReference parse_ok(const std::string& text) {
  auto r = parse_image_reference(text);
  EXPECT_TRUE(r.has_value()) << text << ": " << (r ? "" : r.error().message);
  return r ? *r : ImageReference{};
}

std::string error_of(const std::string& text) {
  auto r = parse_image_reference(text);
  EXPECT_FALSE(r.has_value()) << text;
  return r ? "" : r.error().message;
}

TEST(ImageReference, RegistryWithPortRepositoryAndTag) {
  auto r = parse_ok("127.0.0.1:5000/shop/web:1.4.2");
  EXPECT_EQ(r.registry, "127.0.0.1:5000");
  EXPECT_EQ(r.repository, "shop/web");
  EXPECT_EQ(r.tag, "1.4.2");
  EXPECT_EQ(r.digest, "");
  EXPECT_EQ(r.str(), "127.0.0.1:5000/shop/web:1.4.2");
  EXPECT_EQ(r.manifest_reference(), "1.4.2");
}

TEST(ImageReference, DockerHubDefaults) {
  auto r = parse_ok("busybox");
  EXPECT_EQ(r.str(), "docker.io/library/busybox:latest");
  EXPECT_EQ(parse_ok("team/app").str(), "docker.io/team/app:latest");
  EXPECT_EQ(parse_ok("localhost/app").registry, "localhost");
  EXPECT_EQ(parse_ok("registry.example.com/a/b/c").str(), "registry.example.com/a/b/c:latest");
}

TEST(ImageReference, Digest) {
  std::string digest = "sha256:" + std::string(64, 'a');
  auto r = parse_ok("127.0.0.1:5000/shop/web@" + digest);
  EXPECT_EQ(r.tag, "");
  EXPECT_EQ(r.digest, digest);
  EXPECT_EQ(r.manifest_reference(), digest);
  auto both = parse_ok("127.0.0.1:5000/shop/web:1@" + digest);
  EXPECT_EQ(both.tag, "1");
  EXPECT_EQ(both.manifest_reference(), digest);
  EXPECT_EQ(both.str(), "127.0.0.1:5000/shop/web:1@" + digest);
}

TEST(ImageReference, ComponentSeparators) {
  parse_ok("a/b__c/d-e/f.g/h---i:t");
  EXPECT_NE(error_of("a/b..c").find("component \"b..c\""), std::string::npos);
  EXPECT_NE(error_of("a/-b").find("component \"-b\""), std::string::npos);
}

TEST(ImageReference, ErrorsNameThePart) {
  EXPECT_EQ(error_of(""), "image reference is empty");
  EXPECT_NE(error_of("127.0.0.1:5000/Shop/web:1").find("\"Shop\" must be lower case"), std::string::npos);
  EXPECT_NE(error_of("127.0.0.1:5000/shop/web:bad!tag").find("the tag \"bad!tag\""), std::string::npos);
  EXPECT_NE(error_of("shop/web@sha256:abc").find("the digest \"sha256:abc\""), std::string::npos);
  EXPECT_NE(error_of("shop/web@md5:" + std::string(32, 'a')).find("must be sha256:"), std::string::npos);
  EXPECT_NE(error_of("127.0.0.1:5000/").find("repository name is missing"), std::string::npos);
  EXPECT_NE(error_of("a//b").find("component \"\""), std::string::npos);
  EXPECT_NE(error_of("shop/web :1").find("white space"), std::string::npos);
  auto r = parse_image_reference("Bad");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(r.error().field, "image");
}

TEST(ImageReference, IsSha256Digest) {
  EXPECT_TRUE(is_sha256_digest("sha256:" + std::string(64, '0')));
  EXPECT_FALSE(is_sha256_digest("sha256:" + std::string(64, 'A')));
  EXPECT_FALSE(is_sha256_digest("sha256:" + std::string(63, '0')));
  EXPECT_FALSE(is_sha256_digest("sha512:" + std::string(64, '0')));
}

}  // namespace
}  // namespace wharf
