// Container networking through the standard CNI plugins (CNI spec 1.0.0): a `wharf0` bridge with
// host-local addresses and port mappings, one network namespace per instance.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/error.h"

namespace wharf::local {

struct CniNetwork {
  std::string plugin_dir = "/usr/lib/cni";  // where bridge, host-local, portmap and loopback live
  std::string state_dir;                    // absolute: IPAM leases and cached ADD results live below it
  std::string name = "wharf";
  std::string bridge = "wharf0";
  // A private range unlikely to collide with Docker (172.17/16), Podman (10.88/16) or Kubernetes pods.
  std::string subnet = "10.213.0.0/16";
  bool ip_masq = true;   // outbound NAT (needs iptables)
  bool port_map = true;  // the portmap plugin (needs iptables)
  std::chrono::milliseconds timeout{20000};
};

struct PortMapping {
  int host_port = 0;
  int container_port = 0;
  std::string protocol = "tcp";
};

struct CniAttachment {
  std::string ip;       // the instance's address without prefix length: "10.213.0.5"
  std::string gateway;  // the bridge's address
  std::string result;   // the final ADD result (JSON), cached for DEL
};

// The network configuration list (conflist) for `net`: bridge (isGateway, ipMasq, host-local IPAM over
// net.subnet with its data under net.state_dir) followed by portmap. Pure.
std::string cni_conflist_json(const CniNetwork& net);

// Connects the namespace at `netns_path` to the network: the loopback plugin for "lo", then each plugin of
// the list in order for "eth0", each given the previous result (spec section 3, "Adding an attachment").
// Blocks on the plugins, each bounded by net.timeout. On failure the partial attachment is deleted again and
// the error carries the plugin's "msg" and "details".
Result<CniAttachment> cni_add(const CniNetwork& net, const std::string& container_id,
                              const std::string& netns_path, const std::vector<PortMapping>& ports = {});

// Disconnects: the plugins in reverse order with the cached ADD result as prevResult. Idempotent: succeeds
// when nothing is attached or the namespace is already gone (the IP lease is still released).
Status cni_del(const CniNetwork& net, const std::string& container_id, const std::string& netns_path,
               const std::vector<PortMapping>& ports = {});

// Creates a persistent, named network namespace at `path` (as `ip netns add` does: a thread unshares
// CLONE_NEWNET and its namespace is bind-mounted onto the file). `conflict` when it exists.
Status netns_create(const std::string& path);

// Unmounts and removes a namespace created by netns_create. Succeeds when it does not exist.
Status netns_remove(const std::string& path);

}  // namespace wharf::local
