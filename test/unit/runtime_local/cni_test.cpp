#include "runtime/local/cni.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace wharf::local {
namespace {

using json = nlohmann::json;

TEST(CniConflist, BridgeHostLocalPortmap) {
  CniNetwork net;
  net.state_dir = "/var/lib/wharf/cni";
  const json c = json::parse(cni_conflist_json(net));
  EXPECT_EQ(c["cniVersion"], "1.0.0");
  EXPECT_EQ(c["name"], "wharf");
  ASSERT_EQ(c["plugins"].size(), 2u);
  const json& b = c["plugins"][0];
  EXPECT_EQ(b["type"], "bridge");
  EXPECT_EQ(b["bridge"], "wharf0");
  EXPECT_EQ(b["isGateway"], true);
  EXPECT_EQ(b["ipMasq"], true);
  EXPECT_EQ(b["ipam"]["type"], "host-local");
  EXPECT_EQ(b["ipam"]["ranges"][0][0]["subnet"], "10.213.0.0/16");
  EXPECT_EQ(b["ipam"]["dataDir"], "/var/lib/wharf/cni/ipam");
  EXPECT_EQ(b["ipam"]["routes"][0]["dst"], "0.0.0.0/0");
  EXPECT_EQ(c["plugins"][1]["type"], "portmap");
  EXPECT_EQ(c["plugins"][1]["capabilities"]["portMappings"], true);
}

TEST(CniConflist, WithoutIptables) {
  CniNetwork net;
  net.state_dir = "/s";
  net.subnet = "10.214.0.0/24";
  net.ip_masq = false;
  net.port_map = false;
  const json c = json::parse(cni_conflist_json(net));
  ASSERT_EQ(c["plugins"].size(), 1u);
  EXPECT_EQ(c["plugins"][0]["ipMasq"], false);
  EXPECT_EQ(c["plugins"][0]["ipam"]["ranges"][0][0]["subnet"], "10.214.0.0/24");
}

TEST(CniPlugins, MissingPluginIsAnErrorNotACrash) {
  CniNetwork net;
  net.plugin_dir = "/nonexistent/cni";
  net.state_dir = "/tmp/wharf-cni-test";
  auto r = cni_add(net, "c1", "/nonexistent/netns");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("/nonexistent/cni/loopback"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace wharf::local
