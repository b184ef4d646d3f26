#include "runtime/kubernetes/kube_config_mapping.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>

#include "runtime/kubernetes/kube_mapping.h"
#include "workload_fixture.h"

namespace wharf::kube {
namespace {

using nlohmann::json;
using testing::config_item;
using testing::config_version;
using testing::web_workload;

std::shared_ptr<ConfigVersion> typical(int64_t number = 3) {
  return config_version(
      number, {config_item("application.yaml", "server:\n  port: 8080\n", ConfigType::kYaml),
               config_item("LOG_LEVEL", "debug"), config_item("db.pool.size", "10", ConfigType::kInt),
               config_item("DB_PASSWORD", "s3cr3t!", ConfigType::kString, true),
               config_item("tls.key", "-----BEGIN KEY-----", ConfigType::kText, true)});
}

Workload with_config(std::shared_ptr<ConfigVersion> v) {
  Workload w = web_workload();
  w.release.config_version = v->version;
  w.config = std::move(v);
  return w;
}

TEST(KubeConfigMapping, NamesCarryAppVersionAndPart) {
  EXPECT_EQ(config_object_name("web", 3, false, 0, 1), "web-config-v3");
  EXPECT_EQ(config_object_name("web", 3, true, 0, 1), "web-secret-v3");
  EXPECT_EQ(config_object_name("web", 3, false, 0, 2), "web-config-v3-0");
  EXPECT_EQ(config_object_name("web", 3, false, 1, 2), "web-config-v3-1");
}

TEST(KubeConfigMapping, PlainItemsInAConfigMapSecretsInASecret) {
  auto v = typical();
  auto layout = config_layout(*v, "web");
  ASSERT_TRUE(layout) << layout.error().message;
  ASSERT_EQ(layout->parts.size(), 2u);
  EXPECT_EQ(layout->parts[0].name, "web-config-v3");
  EXPECT_FALSE(layout->parts[0].secret);
  EXPECT_EQ(layout->parts[0].items.size(), 3u);
  EXPECT_EQ(layout->parts[1].name, "web-secret-v3");
  EXPECT_TRUE(layout->parts[1].secret);
  EXPECT_EQ(layout->parts[1].items.size(), 2u);

  Workload w = with_config(v);
  json cm = config_object(w, *layout, layout->parts[0]);
  EXPECT_EQ(cm["kind"], "ConfigMap");
  EXPECT_EQ(cm["immutable"], true);
  EXPECT_EQ(cm["metadata"]["namespace"], "shop-prod");
  EXPECT_EQ(cm["metadata"]["labels"], json({{"app.kubernetes.io/name", "web"},
                                            {"app.kubernetes.io/managed-by", "wharf"},
                                            {"wharf.io/project", "shop"},
                                            {"wharf.io/environment", "prod"},
                                            {"wharf.io/config-version", "3"}}));
  EXPECT_EQ(cm["data"], json({{"LOG_LEVEL", "debug"},
                              {"application.yaml", "server:\n  port: 8080\n"},
                              {"db.pool.size", "10"}}));
  json secret = config_object(w, *layout, layout->parts[1]);
  EXPECT_EQ(secret["kind"], "Secret");
  EXPECT_EQ(secret["type"], "Opaque");
  EXPECT_EQ(secret["immutable"], true);
  EXPECT_EQ(secret["data"]["DB_PASSWORD"], "czNjcjN0IQ==");  // base64("s3cr3t!")
  EXPECT_EQ(secret["data"]["tls.key"], "LS0tLS1CRUdJTiBLRVktLS0tLQ==");
}

TEST(KubeConfigMapping, SplitsDataOverOneObjectsLimit) {
  auto v = config_version(
      7, {config_item("a.txt", std::string(600'000, 'a'), ConfigType::kText),
          config_item("b.txt", std::string(600'000, 'b'), ConfigType::kText),
          config_item("c.txt", std::string(300'000, 'c'), ConfigType::kText), config_item("MODE", "x")});
  auto layout = config_layout(*v, "web");
  ASSERT_TRUE(layout) << layout.error().message;
  ASSERT_EQ(layout->parts.size(), 2u);
  EXPECT_EQ(layout->parts[0].name, "web-config-v7-0");
  EXPECT_EQ(layout->parts[1].name, "web-config-v7-1");
  size_t items = 0;
  for (const auto& p : layout->parts) {
    EXPECT_LE(p.bytes, kConfigPartBytes);
    items += p.items.size();
  }
  EXPECT_EQ(items, 4u);

  // Every file is projected from the part holding it.
  json volume = config_volume(*v, *layout);
  ASSERT_EQ(volume["projected"]["sources"].size(), 2u);
  std::map<std::string, std::string> where;
  for (const auto& s : volume["projected"]["sources"])
    for (const auto& i : s["configMap"]["items"]) {
      EXPECT_EQ(i["key"], i["path"]);
      where[i["key"]] = s["configMap"]["name"];
    }
  EXPECT_EQ(where.size(), 3u);
  EXPECT_NE(where["a.txt"], where["b.txt"]);
}

TEST(KubeConfigMapping, AnItemLargerThanAnObjectIsInvalid) {
  auto v = config_version(
      4, {config_item("huge.txt", std::string(1'500'000, 'h'), ConfigType::kText), config_item("MODE", "x")});
  auto layout = config_layout(*v, "web");
  ASSERT_FALSE(layout);
  EXPECT_EQ(layout.error().code, ErrorCode::kInvalid);
  EXPECT_NE(layout.error().message.find("huge.txt"), std::string::npos) << layout.error().message;

  auto d = desired_objects(with_config(v), 2);
  ASSERT_TRUE(d.config_error);
  EXPECT_EQ(d.config_error->code, ErrorCode::kInvalid);
  EXPECT_FALSE(d.deployment["spec"]["template"]["spec"].contains("volumes"));
}

TEST(KubeConfigMapping, DeploymentMountsFilesAndExportsScalars) {
  Workload w = with_config(typical());
  w.release.spec.env["LOG_LEVEL"] = "info";  // the spec's own env wins over the config's
  auto d = desired_objects(w, 2);
  ASSERT_FALSE(d.config_error);
  EXPECT_EQ(d.config.parts.size(), 2u);
  const json& pod = d.deployment["spec"]["template"]["spec"];
  EXPECT_EQ(pod["volumes"], json::parse(R"([{"name":"wharf-config","projected":{"sources":[
      {"configMap":{"name":"web-config-v3","items":[{"key":"application.yaml","path":"application.yaml"}]}},
      {"secret":{"name":"web-secret-v3","items":[{"key":"tls.key","path":"tls.key"}]}}]}}])"));
  const json& c = pod["containers"][0];
  EXPECT_EQ(c["volumeMounts"],
            json::parse(R"([{"name":"wharf-config","mountPath":"/etc/wharf/config","readOnly":true}])"));
  Workload elsewhere = w;
  elsewhere.release.spec.config_path = "/srv/app/conf";
  EXPECT_EQ(
      desired_objects(elsewhere, 2).deployment["spec"]["template"]["spec"]["containers"][0]["volumeMounts"],
      json::parse(R"([{"name":"wharf-config","mountPath":"/srv/app/conf","readOnly":true}])"));
  EXPECT_EQ(c["env"], json::parse(R"([{"name":"A","value":"1"},{"name":"JAVA_OPTS","value":"-Xmx512m"},
      {"name":"LOG_LEVEL","value":"info"},
      {"name":"DB_PASSWORD","valueFrom":{"secretKeyRef":{"name":"web-secret-v3","key":"DB_PASSWORD"}}}])"));

  w.release.spec.env.erase("LOG_LEVEL");
  const json env = desired_objects(w, 2).deployment["spec"]["template"]["spec"]["containers"][0]["env"];
  EXPECT_EQ(env.size(), 4u);
  EXPECT_EQ(env[3], json::parse(R"({"name":"LOG_LEVEL",
      "valueFrom":{"configMapKeyRef":{"name":"web-config-v3","key":"LOG_LEVEL"}}})"));
}

TEST(KubeConfigMapping, ANewConfigVersionChangesThePodTemplate) {
  Workload v3 = with_config(typical(3));
  Workload v4 = with_config(typical(4));
  EXPECT_NE(template_hash(v3), template_hash(v4));
  EXPECT_EQ(template_hash(v3), template_hash(with_config(typical(3))));
  auto d = desired_objects(v4, 5);
  EXPECT_EQ(template_config_version(d.deployment["spec"]["template"]), 4);
  EXPECT_EQ(
      d.deployment["spec"]["template"]["spec"]["volumes"][0]["projected"]["sources"][0]["configMap"]["name"],
      "web-config-v4");
  EXPECT_EQ(desired_objects(v4, 5).template_hash, template_hash(v4));
}

TEST(KubeConfigMapping, BytesThatAreNotUtf8GoToBinaryData) {
  auto v = config_version(
      5, {config_item("blob.txt", std::string("a\xff\xfe", 3), ConfigType::kText), config_item("MODE", "x")});
  auto layout = config_layout(*v, "web");
  ASSERT_TRUE(layout);
  json cm = config_object(with_config(v), *layout, layout->parts[0]);
  EXPECT_EQ(cm["data"], json({{"MODE", "x"}}));
  EXPECT_EQ(cm["binaryData"], json({{"blob.txt", "Yf/+"}}));
  EXPECT_NO_THROW((void)cm.dump());
}

TEST(KubeConfigMapping, NoConfigNoObjects) {
  auto d = desired_objects(web_workload(), 2);
  EXPECT_TRUE(d.config.parts.empty());
  EXPECT_FALSE(d.config_error);
  EXPECT_FALSE(d.deployment["spec"]["template"]["spec"].contains("volumes"));
  EXPECT_EQ(config_selector({"shop", "web", "prod"}),
            "app.kubernetes.io/managed-by=wharf,app.kubernetes.io/name=web,wharf.io/project=shop,"
            "wharf.io/environment=prod,wharf.io/config-version");
}

}  // namespace
}  // namespace wharf::kube
