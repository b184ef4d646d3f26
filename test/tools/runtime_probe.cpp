// wharf-runtime-probe: drives the local runtime's pieces (oci_bundle, runc, cni, cgroups) for the
// integration tests, one verb per call, printing one JSON object on stdout. Exit 1 with {"error": ...}.
//
//   run   --state DIR --name N --rootfs DIR [--memory Q] [--cpu Q] [--qos TIER] [--subnet CIDR]
//         [--netns-dir DIR] [--no-masq] -- ARGS...          -> {"ip","pid","netns","create_ms","start_ms"}
//   exec  --state DIR --name N [--timeout-ms T] -- ARGS...  -> {"exit_code","out","err","timed_out"}
//   state --state DIR --name N                              -> {"status","pid","oom_kills","oom"}
//   stop  --state DIR --name N [--netns-dir DIR]            -> {"ok":true}
//   bench --state DIR --rootfs DIR [--count K] -- ARGS...   -> {"median_ms","samples_ms"} (create+start)
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/quantity.h"
#include "runtime/local/cgroups.h"
#include "runtime/local/cni.h"
#include "runtime/local/oci_bundle.h"
#include "runtime/local/runc.h"

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace wharf;
using namespace wharf::local;

namespace {

struct Args {
  std::string verb;
  std::map<std::string, std::string> opts;
  std::vector<std::string> rest;
  std::string get(const std::string& k, const std::string& def = "") const {
    auto it = opts.find(k);
    return it == opts.end() ? def : it->second;
  }
};

Args parse(int argc, char** argv) {
  Args a;
  if (argc > 1) a.verb = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--") {
      a.rest.assign(argv + i + 1, argv + argc);
      break;
    }
    if (s == "--no-masq") {
      a.opts[s] = "1";
    } else if (s.starts_with("--") && i + 1 < argc) {
      a.opts[s] = argv[++i];
    }
  }
  return a;
}

// Unwinds to main (running cleanup guards on the way), which prints {"error": msg} and exits 1.
[[noreturn]] void die(const std::string& msg) {
  throw std::runtime_error(msg);
}

template <class T>
T must(Result<T> r) {
  if (!r) die(r.error().message);
  return std::move(*r);
}
void must(Status s) {
  if (!s) die(s.error().message);
}

struct Layout {
  std::string state;
  explicit Layout(std::string s) : state(fs::absolute(s).string()) {}
  Runc runc() const {
    RuncOptions o;
    o.root = state + "/runc";
    return Runc(o);
  }
  CniNetwork net(const Args& a) const {
    CniNetwork n;
    n.state_dir = state + "/cni";
    n.subnet = a.get("--subnet", n.subnet);
    n.ip_masq = n.port_map = a.opts.count("--no-masq") == 0;
    return n;
  }
  std::string bundle(const std::string& name) const { return state + "/bundles/" + name; }
};

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// Writes the bundle and runs runc create + start; returns {create_ms, start_ms}.
std::pair<double, double> create_and_start(const Layout& l, const Args& a, const std::string& name,
                                           const std::string& netns) {
  BundleInputs in;
  in.instance = name;
  in.rootfs = fs::absolute(a.get("--rootfs")).string();
  in.command = a.rest;
  in.identity = {"probe", "probe", "test", 1, name};
  in.netns_path = netns;
  if (auto m = a.get("--memory"); !m.empty()) in.limits.memory_bytes = must(parse_memory_bytes(m, "memory"));
  if (auto c = a.get("--cpu"); !c.empty()) in.limits.cpu_millis = must(parse_cpu_millis(c, "cpu"));
  in.ratio = default_tier_ratio(must(parse_qos_tier(a.get("--qos", "standard"), "qos")));
  const std::string bundle = l.bundle(name);
  fs::create_directories(bundle);
  fs::create_directories(l.state + "/logs");
  std::ofstream(bundle + "/config.json") << must(oci_config_json(in));
  const int out =
      ::open((l.state + "/logs/" + name + ".out").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const int err =
      ::open((l.state + "/logs/" + name + ".err").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0 || err < 0) die("cannot open log files under " + l.state + "/logs");
  Runc runc = l.runc();
  auto t0 = std::chrono::steady_clock::now();
  auto created = runc.create(name, bundle, bundle + "/pid", out, err);
  ::close(out);
  ::close(err);
  must(created);
  const double create_ms = ms_since(t0);
  auto t1 = std::chrono::steady_clock::now();
  must(runc.start(name));
  return {create_ms, ms_since(t1)};
}

// Every step runs even when an earlier one fails: this is the tests' cleanup. Returns the errors.
std::vector<std::string> teardown(const Layout& l, const Args& a, const std::string& name) {
  const std::string netns = a.get("--netns-dir", "/run/wharf/netns") + "/" + name;
  std::vector<std::string> errors;
  if (auto s = l.runc().remove(name); !s) errors.push_back(s.error().message);
  if (auto s = cni_del(l.net(a), name, netns); !s) errors.push_back(s.error().message);
  if (auto s = netns_remove(netns); !s) errors.push_back(s.error().message);
  std::error_code ec;
  fs::remove_all(l.bundle(name), ec);
  return errors;
}

int run(const Args& a) {
  Layout l(a.get("--state"));
  const std::string name = a.get("--name");
  const std::string netns = a.get("--netns-dir", "/run/wharf/netns") + "/" + name;
  must(netns_create(netns));
  // A failed run leaves nothing behind: the guard tears down whatever was made so far.
  struct Guard {
    std::function<void()> undo;
    ~Guard() {
      if (undo) undo();
    }
  } guard{[&] { (void)teardown(l, a, name); }};
  auto attach = must(cni_add(l.net(a), name, netns));
  auto [create_ms, start_ms] = create_and_start(l, a, name, netns);
  auto st = must(l.runc().state(name));
  guard.undo = nullptr;
  std::cout << json{{"ip", attach.ip},      {"gateway", attach.gateway},
                    {"pid", st.pid},        {"status", st.status},
                    {"netns", netns},       {"create_ms", create_ms},
                    {"start_ms", start_ms}, {"cgroup", cgroup_path_of(name)}}
                   .dump()
            << std::endl;
  return 0;
}

int exec(const Args& a) {
  const auto timeout = std::chrono::milliseconds(std::stoi(a.get("--timeout-ms", "10000")));
  auto r = must(Layout(a.get("--state")).runc().exec(a.get("--name"), a.rest, timeout));
  std::cout
      << json{{"exit_code", r.exit_code}, {"out", r.out}, {"err", r.err}, {"timed_out", r.timed_out}}.dump()
      << std::endl;
  return 0;
}

int state(const Args& a) {
  const std::string name = a.get("--name");
  auto st = must(Layout(a.get("--state")).runc().state(name));
  json j = {{"status", st.status}, {"pid", st.pid}};
  if (auto ev = read_memory_events(cgroup_path_of(name)); ev) {
    j["oom_kills"] = ev->oom_kills;
    j["oom"] = ev->oom;
  }
  std::cout << j.dump() << std::endl;
  return 0;
}

int stop(const Args& a) {
  auto errors = teardown(Layout(a.get("--state")), a, a.get("--name"));
  if (!errors.empty()) die(errors.front());
  std::cout << json{{"ok", true}}.dump() << std::endl;
  return 0;
}

int bench(const Args& a) {
  Layout l(a.get("--state"));
  const int count = std::stoi(a.get("--count", "10"));
  std::vector<double> samples;
  for (int i = 0; i < count; ++i) {
    const std::string name = "bench-" + std::to_string(::getpid()) + "-" + std::to_string(i);
    auto [c, s] = create_and_start(l, a, name, "");  // a fresh, unconnected netns: runc time only
    samples.push_back(c + s);
    must(l.runc().remove(name));
    std::error_code ec;
    fs::remove_all(l.bundle(name), ec);
  }
  auto sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted.empty()      ? 0
                        : sorted.size() % 2 ? sorted[sorted.size() / 2]
                                            : (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]) / 2;
  std::cout << json{{"median_ms", median}, {"samples_ms", samples}}.dump() << std::endl;
  return 0;
}

}  // namespace

int dispatch(const Args& a) {
  if (a.get("--state").empty()) die("--state DIR is required");
  if (a.verb == "run") return run(a);
  if (a.verb == "exec") return exec(a);
  if (a.verb == "state") return state(a);
  if (a.verb == "stop") return stop(a);
  if (a.verb == "bench") return bench(a);
  die("unknown verb \"" + a.verb + "\"; use run, exec, state, stop or bench");
}

int main(int argc, char** argv) {
  try {
    return dispatch(parse(argc, argv));
  } catch (const std::exception& e) {
    std::cout << json{{"error", e.what()}}.dump() << std::endl;
    return 1;
  }
}
