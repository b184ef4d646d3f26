#include "core/environment.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "core/names.h"

namespace wharf {
namespace {

using ::testing::HasSubstr;

Environment env(std::string project, std::string name) {
  Environment e;
  e.project = std::move(project);
  e.name = std::move(name);
  e.clusters = {"local"};
  return e;
}

TEST(NormalizeEnvironment, DefaultsTheNamespace) {
  auto r = normalize_environment(env("shop", "prod"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->ns, "shop-prod");
  EXPECT_EQ(r->clusters, std::vector<std::string>{"local"});
}

TEST(NormalizeEnvironment, KeepsAGivenNamespace) {
  Environment e = env("shop", "prod");
  e.ns = "legacy-shop";
  auto r = normalize_environment(e);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->ns, "legacy-shop");
}

TEST(NormalizeEnvironment, LongDefaultNamespaceIsCutToAValidUniqueLabel) {
  const std::string project(40, 'p');
  auto a = normalize_environment(env(project, std::string(39, 'e') + "a"));
  auto b = normalize_environment(env(project, std::string(39, 'e') + "b"));
  ASSERT_TRUE(a) << a.error().message;
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_LE(a->ns.size(), 63u);
  EXPECT_LE(b->ns.size(), 63u);
  EXPECT_NE(a->ns, b->ns) << "environments that differ only after the cut must not share a namespace";
  EXPECT_TRUE(a->ns.starts_with(project + "-eee"));
  // Deterministic: the same environment always gets the same namespace.
  EXPECT_EQ(normalize_environment(env(project, std::string(39, 'e') + "a"))->ns, a->ns);
}

TEST(NormalizeEnvironment, CutDoesNotLeaveAHyphenBeforeTheHash) {
  // 57 characters are kept before the hash; make the 57th a hyphen.
  const std::string project(40, 'p');
  const std::string name = std::string(15, 'e') + "-" + std::string(24, 'f');
  auto r = normalize_environment(env(project, name));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->ns.find("--"), std::string::npos) << r->ns;
  EXPECT_LE(r->ns.size(), 63u);
}

TEST(NormalizeEnvironment, ExactlySixtyThreeIsNotCut) {
  auto r = normalize_environment(env(std::string(40, 'p'), std::string(22, 'e')));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->ns, std::string(40, 'p') + "-" + std::string(22, 'e'));
}

TEST(NormalizeEnvironment, RejectsBadNames) {
  auto r = normalize_environment(env("shop", "Prod"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "name");
  r = normalize_environment(env("Shop", "prod"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "project");
}

TEST(NormalizeEnvironment, RejectsEmptyAndDuplicateClusters) {
  Environment e = env("shop", "prod");
  e.clusters = {};
  auto r = normalize_environment(e);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "clusters");
  EXPECT_THAT(r.error().message, HasSubstr("at least one"));

  e.clusters = {"local", "dc-2", "local"};
  r = normalize_environment(e);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "clusters[2]");
  EXPECT_THAT(r.error().message, HasSubstr("clusters[0]"));

  e.clusters = {"local", "DC 2"};
  r = normalize_environment(e);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "clusters[1]");
}

TEST(NormalizeEnvironment, ValidatesAGivenNamespace) {
  for (const char* ns : {"Shop", "shop_prod", "-shop", "shop-", "shop.prod"}) {
    Environment e = env("shop", "prod");
    e.ns = ns;
    auto r = normalize_environment(e);
    ASSERT_FALSE(r) << ns;
    EXPECT_EQ(r.error().field, "namespace") << ns;
  }
  Environment e = env("shop", "prod");
  e.ns = std::string(63, 'n');
  EXPECT_TRUE(normalize_environment(e));
  e.ns = std::string(64, 'n');
  auto r = normalize_environment(e);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("at most 63"));
  e.ns = "kube-system";
  r = normalize_environment(e);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("Kubernetes itself"));
}

TEST(NormalizeEnvironment, SeveralClustersAreActiveActive) {
  Environment e = env("shop", "prod");
  e.clusters = {"local", "dc-1", "dc-2"};
  e.policy.production = true;
  auto r = normalize_environment(e);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->clusters.size(), 3u);
  EXPECT_TRUE(r->policy.production);
}

}  // namespace
}  // namespace wharf
