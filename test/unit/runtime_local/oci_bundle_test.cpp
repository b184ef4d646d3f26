#include "runtime/local/oci_bundle.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace wharf::local {
namespace {

using json = nlohmann::json;

BundleInputs inputs() {
  BundleInputs in;
  in.instance = "web-1-abcde";
  in.rootfs = "/var/lib/wharf/rootfs/x";
  in.image.entrypoint = {"/bin/httpd"};
  in.image.cmd = {"-f", "-p", "8080"};
  in.image.env = {"PATH=/bin", "LANG=C"};
  in.image.working_dir = "/www";
  in.netns_path = "/run/wharf/netns/web-1-abcde";
  return in;
}

json config(const BundleInputs& in) {
  auto text = oci_config_json(in);
  EXPECT_TRUE(text.has_value()) << (text ? "" : text.error().message);
  return json::parse(*text);
}

TEST(OciBundle, ArgsFollowKubernetesOverrideRules) {
  ImageProcess img{{"/ep"}, {"c1", "c2"}, {}, ""};
  EXPECT_EQ(process_args(img, {}, {}), (std::vector<std::string>{"/ep", "c1", "c2"}));
  EXPECT_EQ(process_args(img, {}, {"a"}), (std::vector<std::string>{"/ep", "a"}));
  EXPECT_EQ(process_args(img, {"/cmd"}, {}), (std::vector<std::string>{"/cmd"}));  // image cmd ignored
  EXPECT_EQ(process_args(img, {"/cmd"}, {"a", "b"}), (std::vector<std::string>{"/cmd", "a", "b"}));
  EXPECT_EQ(process_args({{}, {"/only-cmd"}, {}, ""}, {}, {}), (std::vector<std::string>{"/only-cmd"}));
}

TEST(OciBundle, NothingToRunIsInvalid) {
  auto in = inputs();
  in.image = {};
  auto r = oci_config_json(in);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(r.error().field, "command");
}

TEST(OciBundle, RelativeRootfsAndEmptyNameAreInvalid) {
  auto in = inputs();
  in.rootfs = "rootfs";
  EXPECT_FALSE(oci_config_json(in).has_value());
  in = inputs();
  in.instance.clear();
  EXPECT_FALSE(oci_config_json(in).has_value());
}

TEST(OciBundle, EnvLayersImageAppIdentity) {
  auto in = inputs();
  in.env = {{"LANG", "en_US.UTF-8"}, {"MODE", "prod"}, {"WHARF_APP", "spoofed"}};
  in.identity = {"shop", "web", "prod", 7, ""};
  const auto env = process_env(in);
  EXPECT_EQ(env, (std::vector<std::string>{"PATH=/bin", "LANG=en_US.UTF-8", "MODE=prod", "WHARF_APP=web",
                                           "WHARF_PROJECT=shop", "WHARF_ENV=prod", "WHARF_REVISION=7",
                                           "WHARF_INSTANCE=web-1-abcde"}));
}

TEST(OciBundle, ConfigEnvOverridesTheImageAndTheAppSpecOverridesConfig) {
  auto in = inputs();
  in.image.env = {"PATH=/bin", "LANG=C", "MODE=image"};
  in.config_env = {{"LANG", "de_DE"}, {"MODE", "config"}, {"DB_URL", "pg://db"}};
  in.env = {{"MODE", "app"}};
  in.identity.instance = "web-1-abcde";
  EXPECT_EQ(process_env(in), (std::vector<std::string>{"PATH=/bin", "LANG=de_DE", "MODE=app",
                                                       "DB_URL=pg://db", "WHARF_INSTANCE=web-1-abcde"}));
}

TEST(OciBundle, ConfigFilesAreMountedReadOnly) {
  auto in = inputs();
  EXPECT_EQ(config(in)["mounts"].size(), 7u);  // no config: no mount
  in.config_dir = "/var/lib/wharf/runtime/configs/shop_web_dev_3/files";
  in.config_mount = "/srv/conf";  // the app's configPath
  const auto mounts = config(in)["mounts"];
  ASSERT_EQ(mounts.size(), 8u);
  EXPECT_EQ(mounts.back()["destination"], "/srv/conf");
  EXPECT_EQ(mounts.back()["type"], "bind");
  EXPECT_EQ(mounts.back()["source"], in.config_dir);
  EXPECT_EQ(mounts.back()["options"], json({"rbind", "ro", "nosuid", "nodev"}));
  in.config_dir = "relative/files";
  EXPECT_FALSE(oci_config_json(in).has_value());
  in.config_dir = "/var/lib/wharf/runtime/configs/shop_web_dev_3/files";
  in.config_mount = "";
  EXPECT_FALSE(oci_config_json(in).has_value());
}

TEST(OciBundle, PathDefaultedWhenNobodySetsIt) {
  auto in = inputs();
  in.image.env = {"NOEQUALS", "=bad", "A=1"};
  const auto env = process_env(in);
  ASSERT_FALSE(env.empty());
  EXPECT_TRUE(env.front().starts_with("PATH=/usr/local/sbin:"));
  EXPECT_EQ(env[1], "A=1");
}

TEST(OciBundle, ProcessUserCwdAndSecurity) {
  auto in = inputs();
  in.uid = 1000;
  in.gid = 100;
  const json c = config(in);
  EXPECT_EQ(c["ociVersion"], "1.0.2");
  const json& p = c["process"];
  EXPECT_EQ(p["terminal"], false);
  EXPECT_EQ(p["user"]["uid"], 1000);
  EXPECT_EQ(p["user"]["gid"], 100);
  EXPECT_EQ(p["cwd"], "/www");
  EXPECT_EQ(p["args"], json({"/bin/httpd", "-f", "-p", "8080"}));
  EXPECT_EQ(p["noNewPrivileges"], true);
  const json caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};  // `runc spec` 1.1
  for (const char* set : {"bounding", "effective", "permitted", "ambient"})
    EXPECT_EQ(p["capabilities"][set], caps);
  EXPECT_FALSE(p["capabilities"].contains("inheritable"));
  ASSERT_EQ(p["rlimits"].size(), 1u);
  EXPECT_EQ(p["rlimits"][0]["type"], "RLIMIT_NOFILE");
  EXPECT_EQ(p["rlimits"][0]["soft"], 1024);
  EXPECT_EQ(p["rlimits"][0]["hard"], 1024);
  in.image.working_dir.clear();
  EXPECT_EQ(config(in)["process"]["cwd"], "/");
}

TEST(OciBundle, RootHostnameMountsNamespaces) {
  const json c = config(inputs());
  EXPECT_EQ(c["root"]["path"], "/var/lib/wharf/rootfs/x");
  EXPECT_EQ(c["root"]["readonly"], true);
  EXPECT_EQ(c["hostname"], "web-1-abcde");
  std::vector<std::string> dests;
  for (const auto& m : c["mounts"]) dests.push_back(m["destination"]);
  EXPECT_EQ(dests, (std::vector<std::string>{"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys",
                                             "/sys/fs/cgroup"}));
  auto opts = [&](size_t i) { return c["mounts"][i]["options"].get<std::vector<std::string>>(); };
  EXPECT_NE(std::find(opts(5).begin(), opts(5).end(), "ro"), opts(5).end());  // sysfs read-only
  EXPECT_NE(std::find(opts(6).begin(), opts(6).end(), "ro"), opts(6).end());  // cgroup read-only
  EXPECT_EQ(c["mounts"][6]["type"], "cgroup");

  const json& ns = c["linux"]["namespaces"];
  std::vector<std::string> types;
  for (const auto& n : ns) types.push_back(n["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"pid", "network", "ipc", "uts", "mount"}));
  EXPECT_EQ(ns[1]["path"], "/run/wharf/netns/web-1-abcde");

  auto no_netns = inputs();
  no_netns.netns_path.clear();
  EXPECT_FALSE(config(no_netns)["linux"]["namespaces"][1].contains("path"));

  EXPECT_EQ(c["linux"]["cgroupsPath"], "/wharf/web-1-abcde");
  EXPECT_EQ(c["linux"]["maskedPaths"].size(), 10u);
  EXPECT_EQ(c["linux"]["maskedPaths"][2], "/proc/kcore");
  EXPECT_EQ(c["linux"]["readonlyPaths"],
            json({"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}));
  EXPECT_EQ(c["linux"]["resources"]["devices"], json::parse(R"([{"allow":false,"access":"rwm"}])"));
}

TEST(OciBundle, NoLimitsMeansOnlyPids) {
  const json r = config(inputs())["linux"]["resources"];
  EXPECT_FALSE(r.contains("memory"));
  EXPECT_FALSE(r.contains("cpu"));
  EXPECT_EQ(r["pids"]["limit"], 4096);
}

// DESIGN.md "QoS tiers": cpu request = limit (critical), /2 (standard), /5 (elastic), /10 (batch); memory
// request = limit (critical) or limit / 1.5.
TEST(OciBundle, TierArithmetic) {
  const ResourceLimits lim{1000, 768 * 1024 * 1024};
  struct Case {
    QosTier tier;
    uint64_t shares;
    int64_t reservation;
  };
  for (const Case& k :
       {Case{QosTier::kCritical, 1024, 768LL << 20}, Case{QosTier::kStandard, 512, 512LL << 20},
        Case{QosTier::kElastic, 204, 512LL << 20}, Case{QosTier::kBatch, 102, 512LL << 20}}) {
    SCOPED_TRACE(std::string(to_string(k.tier)));
    auto in = inputs();
    in.limits = lim;
    in.ratio = default_tier_ratio(k.tier);
    in.pids_limit = 100;
    const json r = config(in)["linux"]["resources"];
    EXPECT_EQ(r["memory"]["limit"], 768LL << 20);
    EXPECT_EQ(r["memory"]["reservation"], k.reservation);
    EXPECT_EQ(r["cpu"]["quota"], 100000);
    EXPECT_EQ(r["cpu"]["period"], 100000);
    EXPECT_EQ(r["cpu"]["shares"], k.shares);
    EXPECT_EQ(r["pids"]["limit"], 100);
  }
}

TEST(OciBundle, CpuQuotaAndSharesEdges) {
  // 250m standard: quota 25000/100000, request 125m -> 128 shares.
  auto r = cgroup_resources({250, std::nullopt}, default_tier_ratio(QosTier::kStandard), 4096);
  EXPECT_EQ(r.cpu_quota, 25000);
  EXPECT_EQ(r.cpu_shares, 128u);
  EXPECT_FALSE(r.memory_limit.has_value());
  // 10m batch: request 1m -> 1 share -> raised to the kernel minimum of 2.
  r = cgroup_resources({10, std::nullopt}, default_tier_ratio(QosTier::kBatch), 4096);
  EXPECT_EQ(r.cpu_quota, 1000);
  EXPECT_EQ(r.cpu_shares, 2u);
  // 4 CPUs critical.
  r = cgroup_resources({4000, 1}, default_tier_ratio(QosTier::kCritical), 4096);
  EXPECT_EQ(r.cpu_quota, 400000);
  EXPECT_EQ(r.cpu_shares, 4096u);
  EXPECT_EQ(r.memory_limit, 1);
  EXPECT_EQ(r.memory_reservation, 1);
  // Memory only: no cpu section at all.
  r = cgroup_resources({std::nullopt, 16 << 20}, default_tier_ratio(QosTier::kStandard), 4096);
  EXPECT_FALSE(r.cpu_quota.has_value());
  EXPECT_FALSE(r.cpu_shares.has_value());
  EXPECT_EQ(r.memory_reservation, (16 << 20) * 2 / 3);
}

}  // namespace
}  // namespace wharf::local
