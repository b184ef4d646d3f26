#include "runtime/kubernetes/kube_drift.h"

#include <gtest/gtest.h>

#include "runtime/kubernetes/kube_mapping.h"
#include "workload_fixture.h"

namespace wharf::kube {
namespace {

using nlohmann::json;

// What the API server returns for what Wharf applied: defaults added, no apiVersion/kind in lists.
json as_stored(json object) {
  object.erase("apiVersion");
  object.erase("kind");
  object["metadata"]["uid"] = "u-1";
  object["metadata"]["resourceVersion"] = "42";
  auto& c = object["spec"]["template"]["spec"]["containers"][0];
  c["terminationMessagePath"] = "/dev/termination-log";
  c["imagePullPolicy"] = "IfNotPresent";
  object["spec"]["template"]["spec"]["restartPolicy"] = "Always";
  object["status"] = {{"replicas", 3}};
  return object;
}

json desired() {
  json d = desired_objects(testing::web_workload(), 2).deployment;
  d.erase("apiVersion");
  d.erase("kind");
  return d;
}

TEST(KubeDrift, NoneWhenTheClusterHasEverythingWharfSent) {
  EXPECT_TRUE(drift_between(desired(), as_stored(desired())).empty());
}

TEST(KubeDrift, ReplicasImageAndLabelsChangedByKubectl) {
  json observed = as_stored(desired());
  observed["spec"]["replicas"] = 5;
  observed["spec"]["template"]["spec"]["containers"][0]["image"] = "registry.local/shop/web:hotfix";
  observed["metadata"]["labels"].erase("wharf.io/project");
  observed["metadata"]["labels"]["team"] = "a";  // added by someone else: not drift
  auto d = drift_between(desired(), observed);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0], "metadata.labels.wharf.io/project: shop -> (removed)");
  EXPECT_EQ(d[1], "spec.replicas: 3 -> 5");
  EXPECT_EQ(d[2],
            "spec.template.spec.containers[web].image: registry.local/shop/web:1.4.2 -> "
            "registry.local/shop/web:hotfix");
  EXPECT_EQ(describe_drift(d, 2),
            "metadata.labels.wharf.io/project: shop -> (removed); spec.replicas: 3 -> 5; and 1 more");
}

TEST(KubeDrift, OmittedZeroValuesAreNotDrift) {
  json observed = as_stored(desired());
  auto& probe = observed["spec"]["template"]["spec"]["containers"][0]["readinessProbe"];
  ASSERT_EQ(probe["initialDelaySeconds"], 0);
  probe.erase("initialDelaySeconds");  // what the API server returns for 0
  EXPECT_TRUE(drift_between(desired(), observed).empty());
  probe.erase("periodSeconds");
  EXPECT_EQ(drift_between(desired(), observed),
            std::vector<std::string>{
                "spec.template.spec.containers[web].readinessProbe.periodSeconds: 5 -> (removed)"});
}

TEST(KubeDrift, ListsOfNamedItemsMatchByName) {
  json observed = as_stored(desired());
  auto& env = observed["spec"]["template"]["spec"]["containers"][0]["env"];
  std::swap(env[0], env[1]);  // order is not drift
  EXPECT_TRUE(drift_between(desired(), observed).empty());
  env.erase(0);
  auto d = drift_between(desired(), observed);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0], "spec.template.spec.containers[web].env[JAVA_OPTS]: present -> (removed)");
}

TEST(KubeDrift, QuantitiesCompareByValue) {
  json observed = as_stored(desired());
  auto& limits = observed["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"];
  limits["cpu"] = "0.5";
  limits["memory"] = "524288Ki";
  EXPECT_TRUE(drift_between(desired(), observed).empty());
  limits["cpu"] = "1";
  EXPECT_EQ(drift_between(desired(), observed),
            std::vector<std::string>{"spec.template.spec.containers[web].resources.limits.cpu: 500m -> 1"});
}

}  // namespace
}  // namespace wharf::kube
