#include "runtime/kubernetes/kube_status.h"

#include <gtest/gtest.h>

#include "runtime/kubernetes/kube_mapping.h"
#include "workload_fixture.h"

namespace wharf::kube {
namespace {

using nlohmann::json;
using testing::web_workload;

json pod(const std::string& name, const std::string& hash, bool ready, const std::string& revision = "2") {
  return {{"metadata",
           {{"name", name},
            {"namespace", "shop-prod"},
            {"annotations", {{"wharf.io/template-hash", hash}, {"wharf.io/revision", revision}}}}},
          {"spec", {{"nodeName", "kwok-node-0"}}},
          {"status",
           {{"phase", "Running"},
            {"podIP", "10.244.0.7"},
            {"startTime", "2026-01-02T03:04:05Z"},
            {"containerStatuses", {{{"name", "web"}, {"ready", ready}, {"restartCount", 0}}}}}}};
}

json deployment(const Workload& w, int replicas, int updated, int available, int total) {
  json d = desired_objects(w, w.release.revision).deployment;
  d["metadata"]["generation"] = 4;
  d["status"] = {{"observedGeneration", 4},
                 {"replicas", total},
                 {"updatedReplicas", updated},
                 {"availableReplicas", available}};
  d["spec"]["replicas"] = replicas;
  return d;
}

struct Fixture {
  Workload w = web_workload();
  std::string hash = template_hash(w);
  json dep;
  std::vector<json> pods, events;
  WorkloadStatus status() {
    ObservedApp app;
    if (!dep.is_null()) app.deployment = &dep;
    for (const auto& p : pods) app.pods.push_back(&p);
    for (const auto& e : events) app.warnings.push_back(&e);
    return derive_status(w, hash, app, "k1");
  }
};

TEST(KubeStatus, MissingDeploymentIsProgressing) {
  Fixture f;
  auto s = f.status();
  EXPECT_EQ(s.rollout, ReleaseStatus::kProgressing);
  EXPECT_EQ(s.desired, 3);
  EXPECT_NE(s.reason.find("does not exist yet"), std::string::npos);
}

TEST(KubeStatus, CompleteWhenEveryReplicaIsUpdatedAndAvailable) {
  Fixture f;
  f.dep = deployment(f.w, 3, 3, 3, 3);
  for (auto n : {"web-1", "web-2", "web-0"}) f.pods.push_back(pod(n, f.hash, true));
  auto s = f.status();
  EXPECT_EQ(s.rollout, ReleaseStatus::kSucceeded) << s.reason;
  EXPECT_EQ(s.ready, 3);
  ASSERT_EQ(s.instances.size(), 3u);
  EXPECT_EQ(s.instances[0].name, "web-0");
  EXPECT_EQ(s.instances[0].state, "running");
  EXPECT_TRUE(s.instances[0].ready);
  EXPECT_EQ(s.instances[0].node, "kwok-node-0");
  EXPECT_EQ(s.instances[0].address, "10.244.0.7");
  EXPECT_EQ(s.instances[0].release, 2);
  EXPECT_EQ(s.instances[0].cluster, "k1");
}

TEST(KubeStatus, OldPodsKeepTheRolloutProgressing) {
  Fixture f;
  f.dep = deployment(f.w, 3, 3, 3, 3);
  for (auto n : {"web-0", "web-1", "web-2"}) f.pods.push_back(pod(n, f.hash, true));
  f.pods.push_back(pod("web-old", "0000", true, "1"));
  auto s = f.status();
  EXPECT_EQ(s.rollout, ReleaseStatus::kProgressing);
  EXPECT_EQ(s.ready, 3);
  EXPECT_NE(s.reason.find("1 of the previous revision still running"), std::string::npos) << s.reason;
}

TEST(KubeStatus, WaitsForTheDeploymentControllerAndTheTemplate) {
  Fixture f;
  f.dep = deployment(f.w, 3, 3, 3, 3);
  f.dep["status"]["observedGeneration"] = 3;
  EXPECT_NE(f.status().reason.find("Deployment controller"), std::string::npos);
  f.dep["spec"]["template"]["metadata"]["annotations"]["wharf.io/template-hash"] = "other";
  EXPECT_NE(f.status().reason.find("pod template"), std::string::npos);
}

TEST(KubeStatus, ProgressDeadlineExceededFailsWithConditionAndEvents) {
  Fixture f;
  f.dep = deployment(f.w, 3, 0, 0, 3);
  f.dep["status"]["conditions"] = json::parse(R"([
    {"type":"Available","status":"False","reason":"MinimumReplicasUnavailable"},
    {"type":"Progressing","status":"False","reason":"ProgressDeadlineExceeded",
     "message":"ReplicaSet \"web-5d\" has timed out progressing."}])");
  json pending = pod("web-0", f.hash, false);
  pending["spec"].erase("nodeName");
  pending["status"] = json::parse(R"({"phase":"Pending","conditions":[
    {"type":"PodScheduled","status":"False","reason":"Unschedulable"}]})");
  f.pods.push_back(pending);
  f.events.push_back(json::parse(R"({"reason":"FailedScheduling","lastTimestamp":"2026-01-02T03:00:00Z",
    "message":"0/3 nodes are available: 3 Insufficient cpu."})"));
  f.events.push_back(json::parse(R"({"reason":"FailedScheduling","lastTimestamp":"2026-01-02T03:01:00Z",
    "message":"0/3 nodes are available: 3 Insufficient cpu."})"));
  auto s = f.status();
  EXPECT_EQ(s.rollout, ReleaseStatus::kFailed);
  EXPECT_EQ(
      s.reason,
      "ProgressDeadlineExceeded: ReplicaSet \"web-5d\" has timed out progressing.; web-0: Unschedulable; "
      "FailedScheduling: 0/3 nodes are available: 3 Insufficient cpu.");
  ASSERT_EQ(s.instances.size(), 1u);
  EXPECT_EQ(s.instances[0].state, "creating");
}

TEST(KubeStatus, OfflineIsCompleteWithNoPods) {
  Fixture f;
  f.w = web_workload(2, 0);
  f.dep = deployment(f.w, 0, 0, 0, 0);
  auto s = f.status();
  EXPECT_EQ(s.rollout, ReleaseStatus::kSucceeded);
  EXPECT_EQ(s.desired, 0);
}

TEST(KubeStatus, InstanceReasons) {
  json crash = pod("web-0", "h", false);
  crash["status"]["containerStatuses"] = json::parse(R"([{"name":"web","ready":false,"restartCount":4,
    "state":{"waiting":{"reason":"CrashLoopBackOff"}},"lastState":{"terminated":{"reason":"OOMKilled"}}}])");
  auto i = instance_from_pod(crash, "k1");
  EXPECT_EQ(i.state, "failed");
  EXPECT_EQ(i.reason, "CrashLoopBackOff (OOMKilled)");
  EXPECT_EQ(i.restarts, 4);

  json pull = pod("web-1", "h", false);
  pull["status"]["phase"] = "Pending";
  pull["status"]["containerStatuses"] =
      json::parse(R"([{"name":"web","ready":false,"state":{"waiting":{"reason":"ImagePullBackOff"}}}])");
  EXPECT_EQ(instance_from_pod(pull, "k1").reason, "ImagePullBackOff");
  EXPECT_EQ(instance_from_pod(pull, "k1").state, "failed");

  json creating = pod("web-2", "h", false);
  creating["status"]["phase"] = "Pending";
  creating["status"]["containerStatuses"] =
      json::parse(R"([{"name":"web","ready":false,"state":{"waiting":{"reason":"ContainerCreating"}}}])");
  EXPECT_EQ(instance_from_pod(creating, "k1").state, "starting");

  json going = pod("web-3", "h", true);
  going["metadata"]["deletionTimestamp"] = "2026-01-02T03:04:05Z";
  EXPECT_FALSE(instance_from_pod(going, "k1").ready);
  EXPECT_EQ(instance_from_pod(going, "k1").reason, "Terminating");
}

}  // namespace
}  // namespace wharf::kube
