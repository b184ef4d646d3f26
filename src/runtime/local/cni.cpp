#include "runtime/local/cni.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "runtime/local/subprocess.h"

namespace wharf::local {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* kCniVersion = "1.0.0";

json conflist(const CniNetwork& net) {
  json bridge = {
      {"type", "bridge"},
      {"bridge", net.bridge},
      {"isGateway", true},
      {"ipMasq", net.ip_masq},
      {"hairpinMode", true},
      {"ipam",
       {{"type", "host-local"},
        {"ranges", json::array({json::array({{{"subnet", net.subnet}}})})},
        {"routes", json::array({{{"dst", "0.0.0.0/0"}}})},
        {"dataDir", net.state_dir + "/ipam"}}},
  };
  json plugins = json::array({bridge});
  if (net.port_map) plugins.push_back({{"type", "portmap"}, {"capabilities", {{"portMappings", true}}}});
  return {{"cniVersion", kCniVersion}, {"name", net.name}, {"plugins", plugins}};
}

std::string cache_path(const CniNetwork& net, const std::string& container_id) {
  return net.state_dir + "/results/" + net.name + "-" + container_id + "-eth0.json";
}

// The plugin's error: a JSON object {"code","msg","details"} on stdout (spec section 2, "Errors").
Error plugin_error(const std::string& type, const std::string& command, const SpawnResult& r) {
  if (r.timed_out) return Error::unavailable("CNI plugin " + type + " " + command + " timed out");
  std::string msg;
  try {
    auto j = json::parse(r.out);
    msg = j.value("msg", "");
    const std::string details = j.value("details", "");
    if (!details.empty()) msg += ": " + details;
  } catch (const json::exception&) {
    msg = r.out;
  }
  if (msg.empty()) msg = r.err;
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  return Error::unavailable("CNI plugin " + type + " " + command + " failed (exit " +
                            std::to_string(r.exit_code) + "): " + (msg.empty() ? "no message" : msg));
}

// Runs one plugin with the spec's environment and `config` on stdin; returns its stdout.
Result<std::string> invoke(const CniNetwork& net, const std::string& command, const json& config,
                           const std::string& container_id, const std::string& netns,
                           const std::string& ifname) {
  const std::string type = config.value("type", "");
  SpawnOptions o;
  o.timeout = net.timeout;
  o.stdin_data = config.dump();
  o.env = {"CNI_COMMAND=" + command, "CNI_CONTAINERID=" + container_id, "CNI_NETNS=" + netns,
           "CNI_IFNAME=" + ifname, "CNI_PATH=" + net.plugin_dir, "CNI_ARGS=",
           // iptables lives in /usr/sbin; the plugins find it through PATH.
           "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  auto r = run_process({net.plugin_dir + "/" + type}, o);
  if (!r) return fail(r.error());
  if (r->exit_code != 0 || r->timed_out) return fail(plugin_error(type, command, *r));
  return std::move(r->out);
}

// The config one plugin of the list receives: its own object plus the list's name and version, the previous
// result, and runtimeConfig for the capabilities it declares (spec section 3, "Deriving execution config").
json plugin_config(const json& list, const json& plugin, const json* prev,
                   const std::vector<PortMapping>& ports) {
  json c = plugin;
  c["name"] = list["name"];
  c["cniVersion"] = list["cniVersion"];
  if (prev != nullptr && !prev->is_null()) c["prevResult"] = *prev;
  if (plugin.contains("capabilities") && plugin["capabilities"].value("portMappings", false)) {
    json maps = json::array();
    for (const auto& p : ports) {
      maps.push_back(
          {{"hostPort", p.host_port}, {"containerPort", p.container_port}, {"protocol", p.protocol}});
    }
    c["runtimeConfig"] = {{"portMappings", maps}};
  }
  return c;
}

json loopback_config() {
  return {{"cniVersion", kCniVersion}, {"name", "lo"}, {"type", "loopback"}};
}

}  // namespace

std::string cni_conflist_json(const CniNetwork& net) {
  return conflist(net).dump(2);
}

Result<CniAttachment> cni_add(const CniNetwork& net, const std::string& container_id,
                              const std::string& netns_path, const std::vector<PortMapping>& ports) {
  if (auto lo = invoke(net, "ADD", loopback_config(), container_id, netns_path, "lo"); !lo) {
    return fail(lo.error());
  }
  const json list = conflist(net);
  json prev;
  for (const auto& plugin : list["plugins"]) {
    auto out =
        invoke(net, "ADD", plugin_config(list, plugin, &prev, ports), container_id, netns_path, "eth0");
    if (!out) {
      (void)cni_del(net, container_id, netns_path, ports);  // leave no half-made attachment (or lease) behind
      return fail(out.error());
    }
    try {
      prev = json::parse(*out);
    } catch (const json::exception& e) {
      (void)cni_del(net, container_id, netns_path, ports);
      return fail(Error::unavailable("CNI plugin " + plugin.value("type", "") +
                                     " printed no JSON result: " + e.what()));
    }
  }

  CniAttachment a;
  a.result = prev.dump();
  // The first IPv4 address of the result: "10.213.0.5/16" -> "10.213.0.5".
  for (const auto& ip : prev.value("ips", json::array())) {
    const std::string addr = ip.value("address", "");
    if (addr.find('.') == std::string::npos) continue;
    a.ip = addr.substr(0, addr.find('/'));
    a.gateway = ip.value("gateway", "");
    break;
  }
  if (a.ip.empty()) {
    (void)cni_del(net, container_id, netns_path, ports);
    return fail(Error::unavailable("the CNI result has no IPv4 address: " + a.result));
  }
  std::error_code ec;
  fs::create_directories(net.state_dir + "/results", ec);
  std::ofstream(cache_path(net, container_id)) << a.result;
  return a;
}

Status cni_del(const CniNetwork& net, const std::string& container_id, const std::string& netns_path,
               const std::vector<PortMapping>& ports) {
  const json list = conflist(net);
  json prev;
  {
    std::ifstream f(cache_path(net, container_id));
    std::stringstream ss;
    ss << f.rdbuf();
    try {
      if (!ss.str().empty()) prev = json::parse(ss.str());
    } catch (const json::exception&) {
      // A torn cache file: DEL without prevResult, which the plugins accept.
    }
  }
  // A namespace that is gone is passed as empty: the plugins then only release what lives on the host.
  std::error_code ec;
  const std::string netns = fs::exists(netns_path, ec) ? netns_path : "";
  const auto& plugins = list["plugins"];
  Status first_error;
  for (auto it = plugins.rbegin(); it != plugins.rend(); ++it) {
    auto out = invoke(net, "DEL", plugin_config(list, *it, &prev, ports), container_id, netns, "eth0");
    if (!out && first_error) first_error = fail(out.error());
  }
  if (!netns.empty()) {
    if (auto lo = invoke(net, "DEL", loopback_config(), container_id, netns, "lo"); !lo && first_error) {
      first_error = fail(lo.error());
    }
  }
  if (first_error) fs::remove(cache_path(net, container_id), ec);
  return first_error;
}

Status netns_create(const std::string& path) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  if (fd < 0) {
    if (errno == EEXIST) return fail(Error::conflict("network namespace " + path + " already exists"));
    return fail(Error::unavailable("cannot create " + path + ": " + std::strerror(errno)));
  }
  ::close(fd);
  // unshare() moves only the calling thread: do it on a thread of its own, which then ends, so no other
  // thread of the server ever runs in the new namespace.
  int err = 0;
  std::string step;
  std::thread([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      err = errno;
      step = "unshare(CLONE_NEWNET)";
      return;
    }
    if (::mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) != 0) {
      err = errno;
      step = "bind mount";
    }
  }).join();
  if (err != 0) {
    fs::remove(path, ec);
    return fail(Error::unavailable("cannot create network namespace " + path + ": " + step + ": " +
                                   std::strerror(err)));
  }
  return {};
}

Status netns_remove(const std::string& path) {
  if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
    return fail(Error::unavailable("cannot unmount network namespace " + path + ": " + std::strerror(errno)));
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return fail(Error::unavailable("cannot remove " + path + ": " + std::strerror(errno)));
  }
  return {};
}

}  // namespace wharf::local
