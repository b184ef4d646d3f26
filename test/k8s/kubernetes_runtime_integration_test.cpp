// The Kubernetes driver (KubernetesRuntime) against the real control plane: apply, observation from the
// watches, drift detection and repair, scale through the subresource, logs, and removal that deletes only
// what Wharf created. The end-to-end test through the wharf server is test_kubernetes_driver.py.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "../unit/kubernetes/workload_fixture.h"
#include "control_plane_fixture.h"
#include "runtime/kubernetes/kube_client.h"
#include "runtime/kubernetes/kube_config_mapping.h"
#include "runtime/kubernetes/kube_mapping.h"
#include "runtime/kubernetes/kube_path.h"
#include "runtime/kubernetes/kubeconfig.h"
#include "runtime/kubernetes/kubernetes_runtime.h"

namespace wharf::kube {
namespace {

using testing::config_item;
using testing::config_version;

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

// A file of `n` bytes whose every line says where it is, so a reordering or truncation shows.
std::string numbered_text(size_t n, char tag) {
  std::string out;
  for (size_t line = 0; out.size() < n; ++line) out += tag + std::to_string(line) + " 0123456789abcdef\n";
  out.resize(n);
  return out;
}

// Per config version: immutable ConfigMaps and a Secret in the real API server, split over 1 MiB, mounted
// and exported by the Deployment; a new version rolls the pods; versions no ReplicaSet refers to any more
// are collected; a rollback brings its version back; an item no object can hold is refused.
TEST_F(KubernetesRuntimeTest, ConfigVersionsAsImmutableConfigMapsAndSecrets) {
  const std::string ns = unique_namespace("config");
  auto kc = client();
  const std::string big_a = numbered_text(800'000, 'a'), big_b = numbered_text(700'000, 'b');
  auto v1 = config_version(1, {config_item("application.yaml", "server:\n  port: 8080\n", ConfigType::kYaml),
                               config_item("LOG_LEVEL", "debug", ConfigType::kString),
                               config_item("DB_PASSWORD", "s3cr3t!", ConfigType::kString, true),
                               config_item("big-a.txt", big_a, ConfigType::kText),
                               config_item("big-b.txt", big_b, ConfigType::kText)});
  Workload w1 = workload(ns, 1, 2);
  w1.release.config_version = 1;
  w1.config = v1;
  ASSERT_TRUE(runtime_.apply(w1));

  auto objects = [&](const char* resource) {
    std::map<std::string, nlohmann::json> out;
    auto listed = kc->list(
        with_query(resource_path("", "v1", ns, resource), {{"labelSelector", config_selector(w1.key)}}));
    EXPECT_TRUE(listed) << listed.error().message;
    if (listed)
      for (const auto& item : (*listed)["items"]) out[item["metadata"]["name"].get<std::string>()] = item;
    return out;
  };
  auto names = [](const std::map<std::string, nlohmann::json>& m) {
    std::vector<std::string> out;
    for (const auto& [name, o] : m) out.push_back(name);
    return out;
  };

  // 1.5 MiB of files: two ConfigMaps, each file intact in one of them.
  auto maps = objects("configmaps");
  ASSERT_EQ(names(maps), (std::vector<std::string>{"web-config-v1-0", "web-config-v1-1"}));
  std::map<std::string, std::string> data;
  for (const auto& [name, cm] : maps) {
    EXPECT_EQ(cm["immutable"], true) << name;
    EXPECT_EQ(cm["metadata"]["labels"]["wharf.io/config-version"], "1");
    EXPECT_EQ(cm["metadata"]["labels"]["app.kubernetes.io/managed-by"], "wharf");
    EXPECT_EQ(cm["metadata"]["labels"]["wharf.io/environment"], "prod");
    for (const auto& [k, v] : cm["data"].items()) data[k] = v.get<std::string>();
  }
  EXPECT_EQ(data.size(), 4u);
  EXPECT_TRUE(data["big-a.txt"] == big_a) << "big-a.txt: " << data["big-a.txt"].size() << " bytes";
  EXPECT_TRUE(data["big-b.txt"] == big_b) << "big-b.txt: " << data["big-b.txt"].size() << " bytes";
  EXPECT_EQ(data["LOG_LEVEL"], "debug");
  EXPECT_EQ(data["application.yaml"], "server:\n  port: 8080\n");
  auto secrets = objects("secrets");
  ASSERT_EQ(names(secrets), (std::vector<std::string>{"web-secret-v1"}));
  EXPECT_EQ(secrets["web-secret-v1"]["immutable"], true);
  auto password =
      kubectl("get secret -n " + ns + " web-secret-v1 -o jsonpath={.data.DB_PASSWORD} | base64 -d");
  EXPECT_EQ(password.second, "s3cr3t!");

  // The Deployment mounts every part and exports the scalars.
  auto deployment = kc->get(resource_path("apps", "v1", ns, "deployments", "web"));
  ASSERT_TRUE(deployment) << deployment.error().message;
  const auto& pod = (*deployment)["spec"]["template"]["spec"];
  std::set<std::string> projected;
  for (const auto& s : pod["volumes"][0]["projected"]["sources"])
    projected.insert(s.contains("configMap") ? s["configMap"]["name"].get<std::string>()
                                             : s["secret"]["name"].get<std::string>());
  EXPECT_EQ(projected, (std::set<std::string>{"web-config-v1-0", "web-config-v1-1"}));
  EXPECT_EQ(pod["containers"][0]["volumeMounts"][0]["mountPath"], "/etc/wharf/config");
  EXPECT_EQ(pod["containers"][0]["volumeMounts"][0]["readOnly"], true);
  auto env = kubectl("get deployment -n " + ns + " web -o jsonpath={.spec.template.spec.containers[0].env}");
  EXPECT_NE(env.second.find(R"("secretKeyRef":{"key":"DB_PASSWORD","name":"web-secret-v1"})"),
            std::string::npos)
      << env.second;
  EXPECT_NE(env.second.find(R"("configMapKeyRef":{"key":"LOG_LEVEL")"), std::string::npos) << env.second;
  observe_until(w1, succeeded(2));

  // v2: new objects, a new pod template; v1 stays while its ReplicaSet (rollback history) refers to it.
  auto v2 = config_version(2, {config_item("application.yaml", "server:\n  port: 9090\n", ConfigType::kYaml),
                               config_item("LOG_LEVEL", "info", ConfigType::kString),
                               config_item("DB_PASSWORD", "n3w!", ConfigType::kString, true)});
  Workload w2 = workload(ns, 2, 2);
  w2.release.image = "registry.local/shop/web:1.5.0";
  w2.release.config_version = 2;
  w2.config = v2;
  EXPECT_NE(template_hash(w1), template_hash(w2));
  ASSERT_TRUE(runtime_.apply(w2));
  EXPECT_EQ(names(objects("configmaps")),
            (std::vector<std::string>{"web-config-v1-0", "web-config-v1-1", "web-config-v2"}));
  EXPECT_EQ(names(objects("secrets")), (std::vector<std::string>{"web-secret-v1", "web-secret-v2"}));
  deployment = kc->get(resource_path("apps", "v1", ns, "deployments", "web"));
  ASSERT_TRUE(deployment);
  EXPECT_EQ(template_config_version((*deployment)["spec"]["template"]), 2);
  EXPECT_EQ(
      (*deployment)["spec"]["template"]["spec"]["volumes"][0]["projected"]["sources"][0]["configMap"]["name"],
      "web-config-v2");
  EXPECT_EQ(observe_until(w2, succeeded(2)).drift, "")
      << "what the API server defaults in volumes and env is no drift";
  ASSERT_TRUE(runtime_.apply(w2));
  EXPECT_EQ(objects("configmaps").size(), 3u) << "a kept ReplicaSet still refers to v1";

  // Once no ReplicaSet refers to v1 (the controller prunes beyond revisionHistoryLimit; here kubectl),
  // its objects go.
  auto rs = kc->list(with_query(resource_path("apps", "v1", ns, "replicasets"),
                                {{"labelSelector", "app.kubernetes.io/name=web"}}));
  ASSERT_TRUE(rs);
  int pruned = 0;
  for (const auto& r : (*rs)["items"])
    if (template_config_version(r["spec"]["template"]) == 1) {
      ASSERT_TRUE(
          kc->del(resource_path("apps", "v1", ns, "replicasets", r["metadata"]["name"].get<std::string>())));
      ++pruned;
    }
  EXPECT_EQ(pruned, 1);
  auto t = Clock::now();
  while (ms_since(t) < 30'000 && objects("configmaps").size() != 1) {
    ASSERT_TRUE(runtime_.apply(w2));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(names(objects("configmaps")), (std::vector<std::string>{"web-config-v2"}));
  EXPECT_EQ(names(objects("secrets")), (std::vector<std::string>{"web-secret-v2"}));

  // Rollback to release 1: its stored spec with its config version, so image and config travel together.
  Workload back = w1;
  back.release.revision = 3;
  ASSERT_TRUE(runtime_.apply(back));
  EXPECT_EQ(names(objects("configmaps")),
            (std::vector<std::string>{"web-config-v1-0", "web-config-v1-1", "web-config-v2"}));
  deployment = kc->get(resource_path("apps", "v1", ns, "deployments", "web"));
  ASSERT_TRUE(deployment);
  EXPECT_EQ(template_config_version((*deployment)["spec"]["template"]), 1);
  EXPECT_EQ((*deployment)["spec"]["template"]["spec"]["containers"][0]["image"],
            "registry.local/shop/web:1.4.2");
  observe_until(back, succeeded(2));

  // One item larger than any object can hold: invalid, and nothing written.
  Workload huge = workload(ns, 4, 2);
  huge.release.config_version = 4;
  huge.config =
      config_version(4, {config_item("huge.txt", numbered_text(1'500'000, 'h'), ConfigType::kText)});
  auto refused = runtime_.apply(huge);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalid);
  std::printf("[driver] too large: %s\n", refused.error().message.c_str());
  EXPECT_EQ(objects("configmaps").count("web-config-v4"), 0u);
  deployment = kc->get(resource_path("apps", "v1", ns, "deployments", "web"));
  ASSERT_TRUE(deployment);
  EXPECT_EQ(template_config_version((*deployment)["spec"]["template"]), 1);

  // Removing the app removes every version's objects (and then the namespace Wharf created).
  ASSERT_TRUE(runtime_.remove(w1.key, "k1", ns));
  EXPECT_TRUE(objects("configmaps").empty());
  EXPECT_TRUE(objects("secrets").empty());
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
