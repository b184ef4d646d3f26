#include "runtime/kubernetes/kube_mapping.h"

#include <gtest/gtest.h>

#include "workload_fixture.h"

namespace wharf::kube {
namespace {

using nlohmann::json;
using testing::web_workload;

TEST(KubeMapping, DeploymentCarriesLabelsAnnotationsAndStrategy) {
  auto d = desired_objects(web_workload(), 2).deployment;
  EXPECT_EQ(d["apiVersion"], "apps/v1");
  EXPECT_EQ(d["kind"], "Deployment");
  EXPECT_EQ(d["metadata"]["name"], "web");
  EXPECT_EQ(d["metadata"]["namespace"], "shop-prod");
  json labels = {{"app.kubernetes.io/name", "web"},
                 {"app.kubernetes.io/managed-by", "wharf"},
                 {"wharf.io/project", "shop"},
                 {"wharf.io/environment", "prod"}};
  EXPECT_EQ(d["metadata"]["labels"], labels);
  EXPECT_EQ(d["spec"]["template"]["metadata"]["labels"], labels);
  EXPECT_EQ(d["metadata"]["annotations"]["wharf.io/revision"], "2");
  EXPECT_EQ(d["metadata"]["annotations"]["wharf.io/config-version"], "12");
  EXPECT_EQ(d["spec"]["replicas"], 3);
  EXPECT_EQ(d["spec"]["revisionHistoryLimit"], 10);
  EXPECT_EQ(d["spec"]["progressDeadlineSeconds"], 120);
  EXPECT_EQ(d["spec"]["selector"]["matchLabels"], json({{"app.kubernetes.io/name", "web"},
                                                        {"wharf.io/project", "shop"},
                                                        {"wharf.io/environment", "prod"}}));
  EXPECT_EQ(d["spec"]["strategy"], json({{"type", "RollingUpdate"},
                                         {"rollingUpdate", {{"maxSurge", "25%"}, {"maxUnavailable", 0}}}}));
  const json& t = d["spec"]["template"]["metadata"]["annotations"];
  EXPECT_EQ(t["wharf.io/revision"], "2");
  EXPECT_EQ(t["wharf.io/config-version"], "12");
  EXPECT_EQ(t["wharf.io/template-hash"], template_hash(web_workload()));
  EXPECT_EQ(annotated_revision(d), 2);
  EXPECT_EQ(annotated_revision(d["spec"]["template"]), 2);
}

TEST(KubeMapping, ContainerFromTheSpec) {
  auto c = desired_objects(web_workload(), 2).deployment["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["name"], "web");
  EXPECT_EQ(c["image"], "registry.local/shop/web:1.4.2");
  EXPECT_EQ(c["command"], json({"/bin/server"}));
  EXPECT_EQ(c["args"], json({"--port", "8080"}));
  EXPECT_EQ(c["env"], json::parse(R"([{"name":"A","value":"1"},{"name":"JAVA_OPTS","value":"-Xmx512m"}])"));
  EXPECT_EQ(c["ports"], json::parse(R"([{"containerPort":8080,"name":"http","protocol":"TCP"}])"));
  EXPECT_EQ(c["readinessProbe"],
            json::parse(R"({"httpGet":{"path":"/healthz","port":"http"},"initialDelaySeconds":0,
      "periodSeconds":5,"timeoutSeconds":1,"successThreshold":1,"failureThreshold":3})"));
  EXPECT_EQ(c["livenessProbe"], json::parse(R"({"tcpSocket":{"port":"http"},"initialDelaySeconds":10,
      "periodSeconds":10,"timeoutSeconds":1,"successThreshold":1,"failureThreshold":3})"));
}

TEST(KubeMapping, RequestsFollowTheQosTier) {
  auto w = web_workload();
  auto resources = [&] {
    return desired_objects(w, 2).deployment["spec"]["template"]["spec"]["containers"][0]["resources"];
  };
  // standard: cpu limit / 2, memory limit / 1.5
  EXPECT_EQ(resources(), json::parse(R"({"limits":{"cpu":"500m","memory":"512Mi"},
                                         "requests":{"cpu":"250m","memory":"357913941"}})"));
  w.release.spec.qos = QosTier::kCritical;
  EXPECT_EQ(resources()["requests"], resources()["limits"]);
  w.release.spec.resources = {};
  EXPECT_TRUE(
      desired_objects(w, 2).deployment["spec"]["template"]["spec"]["containers"][0].count("resources") == 0);
}

TEST(KubeMapping, ExecProbeAndNumericPort) {
  auto w = web_workload();
  Probe exec;
  exec.kind = Probe::Kind::kExec;
  exec.command = {"/bin/check", "--quick"};
  w.release.spec.health_check.readiness = exec;
  w.release.spec.health_check.liveness->port = {"", 8080};
  auto c = desired_objects(w, 2).deployment["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["readinessProbe"]["exec"], json({{"command", {"/bin/check", "--quick"}}}));
  EXPECT_EQ(c["livenessProbe"]["tcpSocket"]["port"], 8080);
}

TEST(KubeMapping, ImageIsPinnedToTheDigestWhenKnown) {
  auto w = web_workload();
  w.release.image_digest = "sha256:abc";
  EXPECT_EQ(pinned_image(w.release), "registry.local/shop/web:1.4.2@sha256:abc");
  w.release.image = "registry.local/shop/web@sha256:def";
  EXPECT_EQ(pinned_image(w.release), "registry.local/shop/web@sha256:def");
}

TEST(KubeMapping, ServiceForThePortsAndNamespaceLabels) {
  auto objects = desired_objects(web_workload(), 2);
  EXPECT_EQ(objects.service["kind"], "Service");
  EXPECT_EQ(objects.service["metadata"]["name"], "web");
  EXPECT_EQ(objects.service["spec"]["selector"], objects.deployment["spec"]["selector"]["matchLabels"]);
  EXPECT_EQ(objects.service["spec"]["ports"],
            json::parse(R"([{"name":"http","port":8080,"targetPort":8080,"protocol":"TCP"}])"));
  EXPECT_EQ(objects.ns["metadata"]["name"], "shop-prod");
  EXPECT_EQ(objects.ns["metadata"]["labels"]["app.kubernetes.io/managed-by"], "wharf");

  auto no_ports = web_workload();
  no_ports.release.spec.ports.clear();
  no_ports.release.spec.health_check = {};
  EXPECT_TRUE(desired_objects(no_ports, 2).service.is_null());
}

TEST(KubeMapping, TemplateHashIgnoresReplicasAndRevisionButNotImageOrConfig) {
  auto base = web_workload(2, 3);
  auto scaled = web_workload(3, 5);
  EXPECT_EQ(template_hash(base), template_hash(scaled));
  auto upgraded = base;
  upgraded.release.image = "registry.local/shop/web:1.5.0";
  EXPECT_NE(template_hash(base), template_hash(upgraded));
  auto reconfigured = base;
  reconfigured.release.config_version = 13;
  EXPECT_NE(template_hash(base), template_hash(reconfigured));
  // A scale keeps the running template's revision: nothing in the pod template changes.
  EXPECT_EQ(desired_objects(scaled, 2).deployment["spec"]["template"],
            desired_objects(base, 2).deployment["spec"]["template"]);
}

}  // namespace
}  // namespace wharf::kube
