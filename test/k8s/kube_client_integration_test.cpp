// The Kubernetes client against the real control plane of test/k8s (kube-apiserver, etcd, controller
// manager, scheduler, kwok): started once for the whole run into a temporary directory and stopped at the
// end. WHARF_K8S_DIR=<dir of a running plane> reuses one started by hand instead (not stopped).
// Skips every test, saying why, only when the control plane cannot be built.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "control_plane_fixture.h"
#include "runtime/kubernetes/kube_client.h"
#include "runtime/kubernetes/kube_cluster_check.h"
#include "runtime/kubernetes/kube_errors.h"
#include "runtime/kubernetes/kube_path.h"
#include "runtime/kubernetes/kubeconfig.h"

namespace wharf::kube {
namespace {

using json = nlohmann::json;

class KubeClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!plane->skip_.empty()) GTEST_SKIP() << plane->skip_;
    ASSERT_TRUE(plane->failure_.empty()) << plane->failure_;
    auto kc = load_kubeconfig_file((plane->dir_ / "kubeconfig").string());
    ASSERT_TRUE(kc) << kc.error().message;
    auto client = KubeClient::create(*kc);
    ASSERT_TRUE(client) << client.error().message;
    client_ = std::move(*client);
  }

  std::string var(const std::string& name) { return plane->vars_.at(name); }
  const fs::path& dir() { return plane->dir_; }

  // kubectl with the admin kubeconfig; returns stdout (asserting exit 0 is the caller's job via .first).
  std::pair<int, std::string> kubectl(const std::string& args) {
    return sh(var("KUBECTL") + " --kubeconfig " + var("KUBECONFIG") + " " + args + " 2>&1");
  }

  // A kubeconfig text for this cluster with the given user lines (file references are allowed).
  std::string kubeconfig_text(const std::string& server, const std::string& ca_file,
                              const std::string& user_lines) {
    return "apiVersion: v1\nkind: Config\ncurrent-context: t\nclusters:\n- name: c\n  cluster:\n    "
           "server: " +
           server + "\n    certificate-authority: " + ca_file +
           "\ncontexts:\n- name: t\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user:\n" +
           user_lines;
  }

  // Namespace deletion finishes in the background: a name per run keeps runs from seeing each other.
  static std::string unique_namespace(const std::string& what) {
    return "wharf-it-" + what + "-" + std::to_string(::getpid());
  }

  void apply_namespace(const std::string& ns) {
    json obj = {{"apiVersion", "v1"},
                {"kind", "Namespace"},
                {"metadata", {{"name", ns}, {"labels", {{"wharf.io/test", "1"}}}}}};
    auto r = client_->apply(resource_path("", "v1", "", "namespaces", ns), obj);
    ASSERT_TRUE(r) << r.error().message;
  }

  void delete_namespace(const std::string& ns) {
    (void)client_->del(resource_path("", "v1", "", "namespaces", ns));
  }

  static json deployment(const std::string& ns, const std::string& name, int replicas) {
    return {
        {"apiVersion", "apps/v1"},
        {"kind", "Deployment"},
        {"metadata",
         {{"name", name}, {"namespace", ns}, {"labels", {{"app.kubernetes.io/managed-by", "wharf"}}}}},
        {"spec",
         {{"replicas", replicas},
          {"selector", {{"matchLabels", {{"app", name}}}}},
          {"template",
           {{"metadata", {{"labels", {{"app", name}}}}},
            {"spec",
             {{"containers",
               json::array({{{"name", "main"}, {"image", "registry.invalid/wharf/" + name + ":1"}}})}}}}}}}};
  }

  // Polls (bounded) until `count` pods with app=<name> are Running and Ready; returns the ms it took.
  double wait_pods_ready(const std::string& ns, const std::string& name, size_t count,
                         double deadline_ms = 60'000) {
    auto t = Clock::now();
    std::string path = with_query(resource_path("", "v1", ns, "pods"), {{"labelSelector", "app=" + name}});
    size_t ready = 0, total = 0;
    while (ms_since(t) < deadline_ms) {
      auto pods = client_->list(path);
      EXPECT_TRUE(pods) << pods.error().message;
      if (!pods) return -1;
      ready = 0;
      total = (*pods)["items"].size();
      for (const auto& pod : (*pods)["items"]) {
        bool is_ready = false;
        for (const auto& c : pod.value("/status/conditions"_json_pointer, json::array()))
          if (c.value("type", "") == "Ready" && c.value("status", "") == "True") is_ready = true;
        if (pod.value("/status/phase"_json_pointer, std::string()) == "Running" && is_ready &&
            !pod["metadata"].contains("deletionTimestamp"))
          ++ready;
      }
      if (ready == count && total == count) return ms_since(t);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // poll interval, not synchronisation
    }
    ADD_FAILURE() << "pods app=" << name << ": " << ready << " ready of " << total << ", wanted " << count;
    return -1;
  }

  std::unique_ptr<KubeClient> client_;
};

TEST_F(KubeClientTest, ServerVersion) {
  auto v = client_->server_version();
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(*v, "v1.34.4");
}

TEST_F(KubeClientTest, CheckClusterWithCertificateAndToken) {
  for (const char* file : {"kubeconfig", "kubeconfig-token"}) {
    auto t = Clock::now();
    ClusterCheck check = check_cluster(read_text(dir() / file), std::chrono::seconds(10), dir().string());
    for (const auto& p : check.problems)
      ADD_FAILURE() << file << ": " << to_string(p.kind) << ": " << p.error.message;
    EXPECT_TRUE(check.ok());
    EXPECT_EQ(check.version, "v1.34.4");
    std::printf("[check_cluster %s] %.0f ms\n", file, ms_since(t));
  }
}

TEST_F(KubeClientTest, CheckClusterWithoutRbacIsForbidden) {
  ClusterCheck check =
      check_cluster(read_text(dir() / "kubeconfig-norbac"), std::chrono::seconds(10), dir().string());
  EXPECT_EQ(check.version, "v1.34.4");  // /version is public to authenticated users
  ASSERT_FALSE(check.ok());
  for (const auto& p : check.problems) {
    EXPECT_EQ(p.kind, ProblemKind::kForbidden) << p.error.message;
    EXPECT_EQ(p.error.code, ErrorCode::kForbidden);
  }
  EXPECT_NE(check.problems[0].error.message.find("user \"wharf-norbac\" may not create namespaces"),
            std::string::npos)
      << check.problems[0].error.message;
  std::printf("[no RBAC] %s\n", check.problems[0].error.message.c_str());

  // The same user writing a deployment gets the apiserver's 403 with its Status message.
  auto kc = load_kubeconfig_file((dir() / "kubeconfig-norbac").string());
  ASSERT_TRUE(kc);
  auto norbac = KubeClient::create(*kc);
  ASSERT_TRUE(norbac);
  auto r = (*norbac)->apply(resource_path("apps", "v1", "default", "deployments", "x"),
                            deployment("default", "x", 1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
  EXPECT_NE(r.error().message.find("403 Forbidden"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("cannot patch resource \"deployments\""), std::string::npos)
      << r.error().message;
}

TEST_F(KubeClientTest, WrongTokenIsUnauthorized) {
  std::string text =
      kubeconfig_text(var("APISERVER_URL"), var("APISERVER_CA"), "    token: not-a-valid-token\n");
  ClusterCheck check = check_cluster(text, std::chrono::seconds(10), "/");
  ASSERT_EQ(check.problems.size(), 1u);
  EXPECT_EQ(check.problems[0].kind, ProblemKind::kUnauthorized);
  EXPECT_EQ(check.problems[0].error.message,
            "the cluster refused the credentials (401 Unauthorized): Unauthorized");
}

TEST_F(KubeClientTest, OtherCaIsATlsError) {
  // The front-proxy CA is a real CA of this cluster, but not the one that signed the serving certificate.
  std::string text = kubeconfig_text(var("APISERVER_URL"), (dir() / "pki/front-proxy-ca.crt").string(),
                                     "    token: " + var("ADMIN_TOKEN") + "\n");
  ClusterCheck check = check_cluster(text, std::chrono::seconds(10), "/");
  ASSERT_EQ(check.problems.size(), 1u);
  EXPECT_EQ(check.problems[0].kind, ProblemKind::kTls);
  EXPECT_EQ(check.problems[0].error.field, "certificate-authority-data");
  EXPECT_NE(check.problems[0].error.message.find("does not verify"), std::string::npos)
      << check.problems[0].error.message;
  std::printf("[wrong CA] %s\n", check.problems[0].error.message.c_str());

  // The right CA but a host name the certificate does not name: the hostname check refuses it.
  text = kubeconfig_text("https://127.0.0.2:" + var("APISERVER_PORT"), var("APISERVER_CA"),
                         "    token: " + var("ADMIN_TOKEN") + "\n");
  check = check_cluster(text, std::chrono::seconds(5), "/");
  ASSERT_EQ(check.problems.size(), 1u);
  EXPECT_TRUE(check.problems[0].kind == ProblemKind::kTls ||
              check.problems[0].kind == ProblemKind::kUnreachable)
      << check.problems[0].error.message;  // the apiserver binds 127.0.0.1 only
}

TEST_F(KubeClientTest, UnreachablePortIsUnavailable) {
  std::string text = kubeconfig_text("https://127.0.0.1:1", var("APISERVER_CA"), "    token: x\n");
  ClusterCheck check = check_cluster(text, std::chrono::seconds(5), "/");
  ASSERT_EQ(check.problems.size(), 1u);
  EXPECT_EQ(check.problems[0].kind, ProblemKind::kUnreachable);
  EXPECT_EQ(check.problems[0].error.code, ErrorCode::kUnavailable);
  EXPECT_NE(check.problems[0].error.message.find("Connection refused"), std::string::npos)
      << check.problems[0].error.message;
}

TEST_F(KubeClientTest, BadKubeconfigIsInvalid) {
  ClusterCheck check = check_cluster("current-context: x\n");
  ASSERT_EQ(check.problems.size(), 1u);
  EXPECT_EQ(check.problems[0].kind, ProblemKind::kKubeconfig);
}

TEST_F(KubeClientTest, ApplyScaleAndDeleteDeployment) {
  const std::string ns = unique_namespace("apply");
  apply_namespace(ns);
  const std::string path = resource_path("apps", "v1", ns, "deployments", "web");
  auto t = Clock::now();
  auto applied = client_->apply(path, deployment(ns, "web", 3));
  ASSERT_TRUE(applied) << applied.error().message;
  double ready_ms = wait_pods_ready(ns, "web", 3);
  std::printf("[apply -> 3 pods Running+Ready] %.0f ms (pods seen ready after %.0f ms of polling)\n",
              ms_since(t), ready_ms);

  // Unchanged apply changes no spec: same generation. (resourceVersion may still move: the
  // controller-manager writes the Deployment's status concurrently.)
  auto before = client_->get(path);
  ASSERT_TRUE(before);
  auto again = client_->apply(path, deployment(ns, "web", 3));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ((*again)["metadata"]["generation"], (*before)["metadata"]["generation"]);
  bool managed_by_wharf = false;
  for (const auto& f : (*again)["metadata"]["managedFields"])
    if (f.value("manager", "") == "wharf" && f.value("operation", "") == "Apply") managed_by_wharf = true;
  EXPECT_TRUE(managed_by_wharf);
  auto k = kubectl("get deployment web -n " + ns +
                   " -o 'jsonpath={.spec.replicas}/{.metadata.labels.app\\.kubernetes\\.io/managed-by}'");
  EXPECT_EQ(k, std::make_pair(0, std::string("3/wharf")));

  // Scale subresource.
  auto scaled = client_->patch_scale(path, 5);
  ASSERT_TRUE(scaled) << scaled.error().message;
  EXPECT_EQ((*scaled)["kind"], "Scale");
  EXPECT_EQ((*scaled)["spec"]["replicas"], 5);
  wait_pods_ready(ns, "web", 5);
  EXPECT_EQ(kubectl("get deployment web -n " + ns + " -o jsonpath={.spec.replicas}"),
            std::make_pair(0, std::string("5")));

  // Invalid object: 422 with the field.
  auto bad = client_->apply(path, deployment(ns, "web", -1));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(bad.error().field, "spec.replicas");
  EXPECT_NE(bad.error().message.find("422"), std::string::npos) << bad.error().message;

  // Foreground deletion: the Deployment stays (with a finalizer) until its ReplicaSets and pods are gone.
  auto deleted = client_->del(path, Propagation::kForeground);
  ASSERT_TRUE(deleted) << deleted.error().message;
  auto td = Clock::now();
  bool gone = false;
  while (!gone && ms_since(td) < 60'000) {
    auto g = client_->get(path);
    if (!g) {
      EXPECT_EQ(g.error().code, ErrorCode::kNotFound) << g.error().message;
      gone = true;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  EXPECT_TRUE(gone);
  auto pods = client_->list(with_query(resource_path("", "v1", ns, "pods"), {{"labelSelector", "app=web"}}));
  ASSERT_TRUE(pods);
  EXPECT_EQ((*pods)["items"].size(), 0u) << "foreground deletion returns once dependents are gone";
  std::printf("[foreground delete -> gone] %.0f ms\n", ms_since(td));
  auto missing = client_->del(path);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("deployments.apps \"web\" not found"), std::string::npos)
      << missing.error().message;
  delete_namespace(ns);
}

TEST_F(KubeClientTest, ListPaginates) {
  const std::string ns = unique_namespace("list");
  apply_namespace(ns);
  for (int i = 0; i < 7; ++i) {
    std::string name = "cm-" + std::to_string(i);
    json cm = {{"apiVersion", "v1"},
               {"kind", "ConfigMap"},
               {"metadata", {{"name", name}, {"labels", {{"set", "a"}}}}},
               {"data", {{"i", std::to_string(i)}}}};
    auto r = client_->apply(resource_path("", "v1", ns, "configmaps", name), cm);
    ASSERT_TRUE(r) << r.error().message;
  }
  auto paged =
      client_->list(with_query(resource_path("", "v1", ns, "configmaps"), {{"labelSelector", "set=a"}}), 2);
  ASSERT_TRUE(paged) << paged.error().message;
  EXPECT_EQ((*paged)["kind"], "ConfigMapList");
  ASSERT_EQ((*paged)["items"].size(), 7u);
  for (int i = 0; i < 7; ++i) EXPECT_EQ((*paged)["items"][i]["metadata"]["name"], "cm-" + std::to_string(i));
  EXPECT_FALSE((*paged)["metadata"]["resourceVersion"].get<std::string>().empty());
  auto whole = client_->list(resource_path("", "v1", ns, "configmaps"), 0);
  ASSERT_TRUE(whole);
  auto k = kubectl("get configmaps -n " + ns + " --no-headers -o name");
  EXPECT_EQ(static_cast<size_t>(std::count(k.second.begin(), k.second.end(), '\n')),
            (*whole)["items"].size());
  delete_namespace(ns);
}

TEST_F(KubeClientTest, WatchSeesEventsAndBookmarksAndStops) {
  const std::string ns = unique_namespace("watch");
  apply_namespace(ns);
  const std::string collection = resource_path("", "v1", ns, "configmaps");

  std::vector<std::string> types;
  std::mutex mu;
  json existing = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "before"}}}};
  ASSERT_TRUE(client_->apply(resource_path("", "v1", ns, "configmaps", "before"), existing));
  WatchOptions options;
  // No resourceVersion: the current objects come first as ADDED, then a BOOKMARK marks the end of them
  // (periodic bookmarks come only about once a minute, too slow for a test).
  options.resource_version = "";
  options.timeout_seconds = 3;
  Result<WatchEnd> end;
  std::promise<void> initial_done;  // the BOOKMARK after the initial events: changes now arrive live
  std::thread watcher([&] {
    end = client_->watch(collection, options, [&](std::string_view type, const json& object) {
      std::lock_guard lock(mu);
      types.push_back(std::string(type) +
                      (type == "BOOKMARK" ? "" : ":" + object["metadata"].value("name", "")));
      if (type == "BOOKMARK" && std::count(types.begin(), types.end(), "BOOKMARK") == 1)
        initial_done.set_value();
      return true;
    });
  });
  ASSERT_EQ(initial_done.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  json cm = {
      {"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "w"}}}, {"data", {{"v", "1"}}}};
  ASSERT_TRUE(client_->apply(resource_path("", "v1", ns, "configmaps", "w"), cm));
  cm["data"]["v"] = "2";
  auto modified = client_->apply(resource_path("", "v1", ns, "configmaps", "w"), cm);
  ASSERT_TRUE(modified);
  watcher.join();
  ASSERT_TRUE(end) << end.error().message;
  EXPECT_FALSE(end->stopped);
  auto at = [&](const char* t) { return std::find(types.begin(), types.end(), t) - types.begin(); };
  EXPECT_LT(at("ADDED:before"), at("BOOKMARK")) << json(types).dump();
  EXPECT_LT(at("BOOKMARK"), at("ADDED:w")) << json(types).dump();
  EXPECT_GE(std::count(types.begin(), types.end(), "ADDED:w"), 1);
  EXPECT_GE(std::count(types.begin(), types.end(), "MODIFIED:w"), 1);
  EXPECT_GE(std::stoll(end->resource_version),
            std::stoll((*modified)["metadata"]["resourceVersion"].get<std::string>()));

  // Cancelled from another thread while nothing happens.
  std::stop_source stop;
  auto t = Clock::now();
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the watch block first
    stop.request_stop();
  });
  options.timeout_seconds = 0;
  options.resource_version = end->resource_version;
  auto cancelled = client_->watch(
      collection, options, [](std::string_view, const json&) { return true; }, stop.get_token());
  canceller.join();
  ASSERT_TRUE(cancelled) << cancelled.error().message;
  EXPECT_TRUE(cancelled->stopped);
  EXPECT_LT(ms_since(t), 5000);

  delete_namespace(ns);
}

TEST_F(KubeClientTest, WatchSurvivesApiserverRestart) {
  const std::string ns = unique_namespace("restart");
  apply_namespace(ns);
  const std::string collection = resource_path("", "v1", ns, "configmaps");
  const std::string object = resource_path("", "v1", ns, "configmaps", "r");
  json cm = {
      {"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "r"}}}, {"data", {{"v", "0"}}}};
  auto created = client_->apply(object, cm);
  ASSERT_TRUE(created);

  WatchOptions options;
  options.resource_version = (*created)["metadata"]["resourceVersion"];
  Result<WatchEnd> first;
  std::thread watcher([&] {
    first = client_->watch(collection, options, [](std::string_view, const json&) { return true; });
  });
  auto t = Clock::now();
  auto restart = sh(kScripts + "/restart-apiserver.sh " + dir().string() + " 2>&1");
  ASSERT_EQ(restart.first, 0) << restart.second;
  double restart_ms = ms_since(t);
  watcher.join();
  // Either a clean end or a broken connection; both mean "watch again from the last resourceVersion".
  std::string resume = first ? first->resource_version : options.resource_version;
  std::printf("[apiserver restart] %.0f ms; the watch ended with %s\n", restart_ms,
              first ? "a clean end of stream" : first.error().message.c_str());

  // The same client (its pooled connections died with the old apiserver) keeps working.
  cm["data"]["v"] = "1";
  auto changed = client_->apply(object, cm);
  ASSERT_TRUE(changed) << changed.error().message;
  options.resource_version = resume;
  std::string seen;
  auto second = client_->watch(collection, options, [&](std::string_view type, const json& o) {
    if (type == "MODIFIED" && o["data"].value("v", "") == "1") {
      seen = o["metadata"]["resourceVersion"];
      return false;
    }
    return true;
  });
  if (!second && is_expired(second.error())) {
    // The restarted apiserver's watch cache starts at etcd's current revision, so a watch from before the
    // restart is usually 410 Gone: re-list. The namespace also holds kube-root-ca.crt (published by the
    // controller manager, and first by name), so look the ConfigMap up by name.
    auto relisted = client_->list(collection);
    ASSERT_TRUE(relisted);
    for (const auto& item : (*relisted)["items"])
      if (item["metadata"]["name"] == "r" && item["data"].value("v", "") == "1")
        seen = item["metadata"]["resourceVersion"];
    std::printf("[apiserver restart] resuming the watch was 410 Gone; re-listed\n");
  } else {
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_TRUE(second->stopped);
  }
  EXPECT_EQ(seen, (*changed)["metadata"]["resourceVersion"]);
  // 410 Gone on a real answer (after the restart the watch cache starts past revision 2, so the request
  // reaches etcd): compact etcd (its HTTP gateway) past an old resourceVersion, then ask for it.
  auto compact = sh("rev=$(curl -sf -X POST " + var("ETCD") +
                    "/v3/kv/range -d '{\"key\":\"AA==\"}' | "
                    "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"header\"][\"revision\"])') && "
                    "curl -sf -X POST " +
                    var("ETCD") + "/v3/kv/compaction -d \"{\\\"revision\\\": $rev}\"");
  ASSERT_EQ(compact.first, 0) << compact.second;
  // Bounded poll: the apiserver may answer from its watch cache for a moment.
  const std::string old_rv =
      with_query(collection, {{"resourceVersion", "2"}, {"resourceVersionMatch", "Exact"}});
  auto gone = client_->list(old_rv);
  for (auto t0 = Clock::now(); gone && ms_since(t0) < 10'000; gone = client_->list(old_rv))
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_FALSE(gone) << gone->dump().substr(0, 300);
  EXPECT_TRUE(is_expired(gone.error())) << gone.error().message;
  EXPECT_NE(gone.error().message.find("410 Gone"), std::string::npos) << gone.error().message;
  delete_namespace(ns);
}

}  // namespace
}  // namespace wharf::kube

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  wharf::kube::plane = new wharf::kube::ControlPlane;
  ::testing::AddGlobalTestEnvironment(wharf::kube::plane);  // gtest owns it
  return RUN_ALL_TESTS();
}
