// The Kubernetes driver (KubernetesRuntime) against the real control plane: apply, observation from the
// watches, drift detection and repair, scale through the subresource, logs, and removal that deletes only
// what Wharf created. The end-to-end test through the wharf server is test_kubernetes_driver.py.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "../unit/kubernetes/workload_fixture.h"
#include "control_plane_fixture.h"
#include "runtime/kubernetes/kube_client.h"
#include "runtime/kubernetes/kube_path.h"
#include "runtime/kubernetes/kubeconfig.h"
#include "runtime/kubernetes/kubernetes_runtime.h"

namespace wharf::kube {
namespace {

constexpr double kRollout = 120'000;  // ms; the machine is shared with compilers

class KubernetesRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!plane->skip_.empty()) GTEST_SKIP() << plane->skip_;
    ASSERT_TRUE(plane->failure_.empty()) << plane->failure_;
    runtime_.add_cluster("k1", client());
    runtime_.set_change_listener([this] { ++changes_; });
  }

  std::unique_ptr<KubeClient> client() {
    auto kc = load_kubeconfig_file((plane->dir_ / "kubeconfig").string());
    EXPECT_TRUE(kc) << kc.error().message;
    auto c = KubeClient::create(*kc);
    EXPECT_TRUE(c) << c.error().message;
    return std::move(*c);
  }

  std::pair<int, std::string> kubectl(const std::string& args) {
    return sh(plane->vars_.at("KUBECTL") + " --kubeconfig " + plane->vars_.at("KUBECONFIG") + " " + args +
              " 2>&1");
  }

  Workload workload(const std::string& ns, int64_t revision, int replicas) {
    Workload w = testing::web_workload(revision, replicas);
    w.ns = ns;
    return w;
  }

  // Polls observe() until `done` holds; returns the last status.
  WorkloadStatus observe_until(const Workload& w, const std::function<bool(const WorkloadStatus&)>& done,
                               double deadline_ms = kRollout) {
    auto t = Clock::now();
    WorkloadStatus last;
    while (ms_since(t) < deadline_ms) {
      auto s = runtime_.observe(w);
      if (s) {
        last = *s;
        if (done(last)) return last;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // poll interval
    }
    ADD_FAILURE() << "observe: still " << to_string(last.rollout) << " (" << last.reason << "), drift \""
                  << last.drift << "\"";
    return last;
  }

  int64_t writes(const std::string& verb) {
    std::string text;
    runtime_.render_metrics(text);
    auto at = text.find("wharf_kubernetes_writes_total{verb=\"" + verb + "\"} ");
    return at == std::string::npos ? -1 : std::stoll(text.substr(text.find("} ", at) + 2));
  }

  static std::string unique_namespace(const std::string& what) {
    return "wharf-rt-" + what + "-" + std::to_string(::getpid());
  }

  KubernetesRuntime runtime_;
  std::atomic<int> changes_{0};
};

auto succeeded(int ready) {
  return
      [ready](const WorkloadStatus& s) { return s.rollout == ReleaseStatus::kSucceeded && s.ready == ready; };
}

TEST_F(KubernetesRuntimeTest, ApplyObserveDriftScaleLogsAndRemove) {
  const std::string ns = unique_namespace("life");
  Workload w = workload(ns, 1, 3);
  auto t = Clock::now();
  ASSERT_TRUE(runtime_.apply(w));
  auto s = observe_until(w, succeeded(3));
  std::printf("[driver] 3 replicas available %.0f ms after apply\n", ms_since(t));
  EXPECT_EQ(s.instances.size(), 3u);
  EXPECT_EQ(s.drift, "");
  EXPECT_GT(changes_.load(), 0) << "the watches call the change listener";
  for (const auto& i : s.instances) {
    EXPECT_EQ(i.state, "running");
    EXPECT_TRUE(i.node.starts_with("kwok-node-")) << i.node;
    EXPECT_EQ(i.release, 1);
  }

  // Applying the same state again writes nothing.
  const int64_t applies = writes("apply");
  ASSERT_TRUE(runtime_.apply(w));
  EXPECT_EQ(writes("apply"), applies);

  // kubectl changes are drift; the next apply restores them.
  ASSERT_EQ(kubectl("scale -n " + ns + " deployment/web --replicas=1").first, 0);
  ASSERT_EQ(kubectl("label -n " + ns + " deployment/web wharf.io/environment-").first, 0);
  s = observe_until(w, [](const WorkloadStatus& s) {
    return s.drift.find("spec.replicas: 3 -> 1") != std::string::npos &&
           s.drift.find("wharf.io/environment: prod -> (removed)") != std::string::npos;
  });
  std::printf("[driver] drift: %s\n", s.drift.c_str());
  ASSERT_TRUE(runtime_.apply(w));
  observe_until(w, [](const WorkloadStatus& s) { return s.drift.empty() && s.ready == 3; });
  ASSERT_EQ(kubectl("delete -n " + ns + " service/web").first, 0);
  observe_until(w, [](const WorkloadStatus& s) { return s.drift.find("Service") != std::string::npos; });
  ASSERT_TRUE(runtime_.apply(w));
  observe_until(w, [](const WorkloadStatus& s) { return s.drift.empty(); });

  // A scale release keeps the pod template: the scale subresource, no new pods for the old ones.
  const int64_t scales = writes("scale");
  Workload scaled = workload(ns, 2, 4);
  ASSERT_TRUE(runtime_.apply(scaled));
  EXPECT_EQ(writes("scale"), scales + 1);
  s = observe_until(scaled, succeeded(4));
  for (const auto& i : s.instances) EXPECT_EQ(i.release, 1) << "pods keep the revision of their template";

  // Logs: kwok runs no kubelet, so the API server cannot fetch them; the stream still ends with a reason.
  auto missing = runtime_.logs(w.key, "k1", ns, LogQuery{"no-such-pod", 10, {}, false, false});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto stream = runtime_.logs(w.key, "k1", ns, LogQuery{s.instances[0].name, 10, {}, false, true});
  ASSERT_TRUE(stream) << stream.error().message;
  (*stream)->set_notify([] {});
  std::string out;
  auto t_logs = Clock::now();
  while ((*stream)->poll(out) && ms_since(t_logs) < 30'000)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::printf("[driver] log of %s: %s", s.instances[0].name.c_str(), out.c_str());

  auto listed = runtime_.list_workloads("k1");
  ASSERT_TRUE(listed);
  EXPECT_NE(std::find(listed->begin(), listed->end(), w.key), listed->end());

  // Someone else's ConfigMap in the namespace: the namespace stays, Wharf's objects go.
  ASSERT_EQ(kubectl("create configmap -n " + ns + " theirs --from-literal=a=b").first, 0);
  ASSERT_TRUE(runtime_.remove(w.key, "k1", ns));
  EXPECT_NE(kubectl("get -n " + ns + " deployment/web").first, 0);
  EXPECT_NE(kubectl("get -n " + ns + " service/web").first, 0);
  EXPECT_EQ(kubectl("get -n " + ns + " configmap/theirs").first, 0);
  auto phase = kubectl("get namespace " + ns + " -o jsonpath={.status.phase}");
  EXPECT_EQ(phase.second, "Active");
  // Once it holds nothing else, removing deletes the namespace Wharf created.
  ASSERT_EQ(kubectl("delete -n " + ns + " configmap/theirs").first, 0);
  ASSERT_TRUE(runtime_.remove(w.key, "k1", ns));
  phase = kubectl("get namespace " + ns + " -o jsonpath={.status.phase}");
  EXPECT_TRUE(phase.first != 0 || phase.second == "Terminating") << phase.second;
}

TEST_F(KubernetesRuntimeTest, NamespaceWharfDidNotCreateIsKept) {
  const std::string ns = unique_namespace("theirs");
  ASSERT_EQ(kubectl("create namespace " + ns).first, 0);
  Workload w = workload(ns, 1, 1);
  ASSERT_TRUE(runtime_.apply(w));
  observe_until(w, succeeded(1));
  // Without the environment's namespace (the environment was deleted) the driver finds the workload.
  ASSERT_TRUE(runtime_.remove(w.key, "k1", ""));
  EXPECT_NE(kubectl("get -n " + ns + " deployment/web").first, 0);
  auto phase = kubectl("get namespace " + ns + " -o jsonpath={.status.phase}");
  EXPECT_EQ(phase.second, "Active");
  auto labels = kubectl("get namespace " + ns + " -o jsonpath={.metadata.labels}");
  EXPECT_EQ(labels.second.find("managed-by"), std::string::npos) << labels.second;
  (void)kubectl("delete namespace " + ns + " --wait=false");
}

}  // namespace
}  // namespace wharf::kube
