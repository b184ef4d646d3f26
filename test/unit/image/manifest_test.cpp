#include "image/manifest.h"

#include <gtest/gtest.h>

namespace wharf {
namespace {

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');
const std::string kC = "sha256:" + std::string(64, 'c');

std::string image_manifest(const std::string& type) {
  return R"({"schemaVersion":2,"mediaType":")" + type + R"(","config":{"mediaType":"x","size":7,"digest":")" +
         kA +
         R"("},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":9,"digest":")" +
         kB + R"("},{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":3,"digest":")" +
         kC + R"("}]})";
}

TEST(Manifest, DockerSchema2) {
  auto m =
      parse_manifest(media_type::kDockerManifest, image_manifest(std::string(media_type::kDockerManifest)));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_FALSE(m->is_index);
  EXPECT_EQ(m->config.digest, kA);
  EXPECT_EQ(m->config.size, 7);
  ASSERT_EQ(m->layers.size(), 2u);
  EXPECT_EQ(m->layers[0].digest, kB);
  EXPECT_EQ(m->layers[1].digest, kC);
}

TEST(Manifest, OciWithoutMediaTypeAndGenericContentType) {
  std::string body = R"({"schemaVersion":2,"config":{"digest":")" + kA + R"("},"layers":[]})";
  auto m = parse_manifest("application/json", body);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->media_type, media_type::kOciManifest);
  EXPECT_TRUE(m->layers.empty());
}

TEST(Manifest, IndexAndPlatformSelection) {
  std::string body = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
    {"digest":")" + kA +
                     R"(","platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
    {"digest":")" + kC +
                     R"(","platform":{"os":"unknown","architecture":"unknown"}},
    {"digest":")" + kB +
                     R"(","platform":{"os":"linux","architecture":"amd64"}}]})";
  auto m = parse_manifest(media_type::kOciIndex, body);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_TRUE(m->is_index);
  auto amd64 = select_platform(*m, "linux", "amd64");
  ASSERT_TRUE(amd64);
  EXPECT_EQ(amd64->digest, kB);
  auto s390 = select_platform(*m, "linux", "s390x");
  ASSERT_FALSE(s390);
  EXPECT_EQ(s390.error().message,
            "the image has no linux/s390x variant (it has: linux/arm64/v8, unknown/unknown, linux/amd64)");
}

TEST(Manifest, Refusals) {
  EXPECT_FALSE(parse_manifest("", "not json"));
  auto v1 =
      parse_manifest("application/vnd.docker.distribution.manifest.v1+prettyjws", R"({"schemaVersion":1})");
  ASSERT_FALSE(v1);
  EXPECT_NE(v1.error().message.find("schema 1"), std::string::npos);
  auto bad_digest = parse_manifest(media_type::kOciManifest,
                                   R"({"schemaVersion":2,"config":{"digest":"sha512:00"},"layers":[]})");
  ASSERT_FALSE(bad_digest);
  EXPECT_NE(bad_digest.error().message.find("only sha256"), std::string::npos);
  EXPECT_FALSE(parse_manifest("application/vnd.example+json", R"({"schemaVersion":2})"));
}

TEST(Manifest, LayerCompression) {
  EXPECT_EQ(*layer_compression("application/vnd.oci.image.layer.v1.tar+gzip"), "gzip");
  EXPECT_EQ(*layer_compression("application/vnd.docker.image.rootfs.diff.tar.gzip"), "gzip");
  EXPECT_EQ(*layer_compression("application/vnd.oci.image.layer.v1.tar+zstd"), "zstd");
  EXPECT_EQ(*layer_compression("application/vnd.oci.image.layer.v1.tar"), "");
  auto foreign = layer_compression("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");
  ASSERT_FALSE(foreign);
  EXPECT_NE(foreign.error().message.find("foreign"), std::string::npos);
}

TEST(Manifest, ImageConfig) {
  auto c = parse_image_config(R"({"os":"linux","architecture":"amd64","rootfs":{"diff_ids":["d1","d2"]},
    "config":{"Entrypoint":["/init"],"Cmd":["serve","--port","80"],"Env":["A=1"],"User":"1000:1000",
              "WorkingDir":"/app","ExposedPorts":{"80/tcp":{},"53/udp":{}}}})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->os, "linux");
  EXPECT_EQ(c->architecture, "amd64");
  EXPECT_EQ(c->diff_ids, (std::vector<std::string>{"d1", "d2"}));
  EXPECT_EQ(c->config.entrypoint, std::vector<std::string>{"/init"});
  EXPECT_EQ(c->config.cmd, (std::vector<std::string>{"serve", "--port", "80"}));
  EXPECT_EQ(c->config.env, std::vector<std::string>{"A=1"});
  EXPECT_EQ(c->config.user, "1000:1000");
  EXPECT_EQ(c->config.working_dir, "/app");
  EXPECT_EQ(c->config.exposed_ports, (std::vector<std::string>{"53/udp", "80/tcp"}));
  auto empty = parse_image_config(R"({"architecture":"amd64"})");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->config.cmd.empty());
  EXPECT_FALSE(parse_image_config("[]"));
}

}  // namespace
}  // namespace wharf
