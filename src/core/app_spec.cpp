#include "core/app_spec.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>

#include "core/names.h"
#include "core/quantity.h"

namespace wharf {

namespace {

constexpr size_t kMaxImageNameLength = 255;  // Docker's NameTotalLengthMax
constexpr size_t kMaxTagLength = 128;
constexpr int kMaxPort = 65535;
constexpr int kMaxProgressDeadlineSeconds = 86400;

std::string quoted(std::string_view s) {
  constexpr size_t kShown = 80;
  if (s.size() <= kShown) return "\"" + std::string(s) + "\"";
  return "\"" + std::string(s.substr(0, kShown)) + "...\"";
}

std::string index_path(std::string_view base, size_t i) {
  return std::string(base) + "[" + std::to_string(i) + "]";
}

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}
bool is_word(char c) {
  return is_alnum(c) || c == '_';
}
bool is_hex_lower(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

// Docker's path-component: [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*
bool valid_path_component(std::string_view c) {
  size_t i = 0;
  while (true) {
    size_t start = i;
    while (i < c.size() && is_lower_alnum(c[i])) ++i;
    if (i == start) return false;
    if (i == c.size()) return true;
    size_t sep = i;
    while (i < c.size() && !is_lower_alnum(c[i])) ++i;
    std::string_view s = c.substr(sep, i - sep);
    bool dashes = s.find_first_not_of('-') == std::string_view::npos;
    if (s != "." && s != "_" && s != "__" && !dashes) return false;
  }
}

// Docker's domain-component: [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?
bool valid_domain_component(std::string_view c) {
  if (c.empty() || !is_alnum(c.front()) || !is_alnum(c.back())) return false;
  for (char ch : c) {
    if (!is_alnum(ch) && ch != '-') return false;
  }
  return true;
}

// host[:port], host a dotted name or a bracketed IPv6 address.
bool valid_domain(std::string_view d) {
  std::string_view host = d, port;
  if (!d.empty() && d.front() == '[') {
    size_t close = d.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : d.substr(1, close - 1)) {
      if (!(is_alnum(c) || c == ':' || c == '.')) return false;
    }
    host = {};
    std::string_view rest = d.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
      if (port.empty()) return false;
    }
  } else if (size_t colon = d.find(':'); colon != std::string_view::npos) {
    host = d.substr(0, colon);
    port = d.substr(colon + 1);
    if (port.empty()) return false;
  }
  if (!port.empty()) {
    if (port.size() > 5) return false;
    int n = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return false;
      n = n * 10 + (c - '0');
    }
    if (n < 1 || n > kMaxPort) return false;
  }
  if (!d.empty() && d.front() == '[') return true;
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    if (!valid_domain_component(host.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

Status validate_image(std::string_view image, const std::string& field) {
  auto bad = [&](const std::string& why) {
    return fail(
        Error::invalid(field, field + " " + quoted(image) + " is not a valid image reference: " + why));
  };
  for (char c : image) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      return bad(
          "remove spaces and control characters; write it as registry/path:tag, such as "
          "127.0.0.1:5000/team/web:1.0");
    }
  }
  std::string_view rest = image;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    std::string_view digest = rest.substr(at + 1);
    constexpr std::string_view kAlgo = "sha256:";
    bool ok = digest.size() == kAlgo.size() + 64 && digest.substr(0, kAlgo.size()) == kAlgo;
    for (size_t i = kAlgo.size(); ok && i < digest.size(); ++i) ok = is_hex_lower(digest[i]);
    if (!ok) return bad("a digest is written @sha256: followed by 64 lower-case hex digits");
    rest = rest.substr(0, at);
  }
  std::string_view name = rest;
  size_t last_slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (last_slash == std::string_view::npos || colon > last_slash)) {
    std::string_view tag = rest.substr(colon + 1);
    name = rest.substr(0, colon);
    bool ok = !tag.empty() && tag.size() <= kMaxTagLength && is_word(tag.front());
    for (char c : tag) ok = ok && (is_word(c) || c == '.' || c == '-');
    if (!ok) {
      return bad(
          "the tag after ':' must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' "
          "or '-'");
    }
  }
  if (name.empty()) return bad("it needs a repository name, such as 127.0.0.1:5000/team/web:1.0");
  if (name.size() > kMaxImageNameLength) {
    return bad("the repository name is longer than " + std::to_string(kMaxImageNameLength) + " characters");
  }

  // Like Docker: the first component is a registry host when it looks like one.
  std::string_view path = name;
  if (size_t slash = name.find('/'); slash != std::string_view::npos) {
    std::string_view first = name.substr(0, slash);
    bool has_upper = false;
    for (char c : first) has_upper = has_upper || (c >= 'A' && c <= 'Z');
    if (!first.empty() && (first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
                           has_upper || first.front() == '[')) {
      if (!valid_domain(first)) {
        return bad("the registry " + quoted(first) +
                   " must be a host name or address with an optional port "
                   "between 1 and 65535, such as 127.0.0.1:5000");
      }
      path = name.substr(slash + 1);
    }
  }
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    std::string_view comp = path.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (!valid_path_component(comp)) {
      bool upper = false;
      for (char c : comp) upper = upper || (c >= 'A' && c <= 'Z');
      if (upper) {
        std::string lower(name);
        for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        return bad("repository paths must be lower-case (\"" + lower + "\")");
      }
      if (comp.empty()) return bad("the repository path has an empty part; remove the extra '/'");
      return bad("the repository part " + quoted(comp) +
                 " must use lower-case letters and digits, separated by '.', '_', '__' or '-'");
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return {};
}

Status validate_strings(const std::vector<std::string>& list, const std::string& field, bool first_nonempty) {
  for (size_t i = 0; i < list.size(); ++i) {
    // A process's argv cannot hold NUL; the kernel would cut the string short.
    if (list[i].find('\0') != std::string::npos) {
      return fail(Error::invalid(index_path(field, i), index_path(field, i) + " contains a NUL character; "
                                                                              "remove it"));
    }
  }
  if (first_nonempty && !list.empty() && list[0].empty()) {
    return fail(Error::invalid(index_path(field, 0), index_path(field, 0) + " is empty; give the program to "
                                                                            "run, such as \"/bin/server\""));
  }
  return {};
}

Status validate_ports(const std::vector<PortSpec>& ports) {
  std::map<std::string, size_t> name_at;
  std::map<std::pair<int, std::string>, size_t> number_at;
  for (size_t i = 0; i < ports.size(); ++i) {
    const PortSpec& p = ports[i];
    const std::string at = index_path("ports", i);
    if (p.name.empty()) {
      // Kubernetes Services need a name on every port once there are several.
      if (ports.size() > 1) {
        return fail(Error::invalid(at + ".name", at + ".name is required when an app has more than one port; "
                                                      "name each port, such as \"http\""));
      }
    } else if (auto s = validate_port_name(p.name, at + ".name"); !s) {
      return s;
    }
    if (p.port < 1 || p.port > kMaxPort) {
      return fail(Error::invalid(at + ".port",
                                 at + ".port must be between 1 and 65535; got " + std::to_string(p.port)));
    }
    if (p.protocol != "TCP" && p.protocol != "UDP" && p.protocol != "SCTP") {
      return fail(Error::invalid(at + ".protocol", at + ".protocol " + quoted(p.protocol) +
                                                       " is not supported; use TCP, UDP or SCTP"));
    }
    // Maps, not a nested loop: a request body with thousands of ports must not cost quadratic time.
    if (!p.name.empty()) {
      if (auto [it, fresh] = name_at.emplace(p.name, i); !fresh) {
        return fail(
            Error::invalid(at + ".name", at + ".name " + quoted(p.name) + " is already used by ports[" +
                                             std::to_string(it->second) + "]; give each port its own name"));
      }
    }
    // As in Kubernetes, the same number may be declared once per protocol (DNS on 53/TCP and 53/UDP).
    if (auto [it, fresh] = number_at.emplace(std::pair{p.port, p.protocol}, i); !fresh) {
      return fail(Error::invalid(at + ".port", at + ".port " + std::to_string(p.port) + "/" + p.protocol +
                                                   " is already declared by ports[" +
                                                   std::to_string(it->second) + "]; declare each port once"));
    }
  }
  return {};
}

// Kubernetes' IsEnvVarName: [-._a-zA-Z][-._a-zA-Z0-9]*, and not ".", ".." or "..*".
Status validate_env(const std::map<std::string, std::string>& env) {
  for (const auto& [key, value] : env) {
    const std::string f = "env." + key;
    if (key.empty()) return fail(Error::invalid("env", "env has a variable with an empty name; name it"));
    bool ok = !(key.front() >= '0' && key.front() <= '9');
    for (char c : key) ok = ok && (is_alnum(c) || c == '_' || c == '-' || c == '.');
    if (!ok) {
      return fail(
          Error::invalid(f, "env variable name " + quoted(key) +
                                " is not valid: start with a letter, '_', '-' or '.', then use letters, "
                                "digits, '_', '-' or '.' (such as JAVA_OPTS)"));
    }
    if (key == "." || key.starts_with("..")) {
      return fail(
          Error::invalid(f, "env variable name " + quoted(key) + " must not be '.' or start with '..'"));
    }
    if (value.find('\0') != std::string::npos) {
      return fail(Error::invalid(f, f + " contains a NUL character, which an environment cannot hold; remove "
                                        "it"));
    }
  }
  return {};
}

Status validate_resources(const Resources& r) {
  if (!r.cpu.empty()) {
    auto cpu = parse_cpu_millis(r.cpu, "resources.cpu");
    if (!cpu) return fail(cpu.error());
    if (*cpu == 0) {
      return fail(Error::invalid(
          "resources.cpu",
          "cpu " + quoted(r.cpu) + " must be greater than zero; leave it out to set no limit"));
    }
  }
  if (!r.memory.empty()) {
    auto mem = parse_memory_bytes(r.memory, "resources.memory");
    if (!mem) return fail(mem.error());
    if (*mem == 0) {
      return fail(Error::invalid("resources.memory", "memory " + quoted(r.memory) +
                                                         " must be greater than zero; leave it out to set no "
                                                         "limit"));
    }
  }
  return {};
}

Status validate_port_ref(const PortRef& ref, const std::vector<PortSpec>& ports, const std::string& field) {
  if (!ref.name.empty()) {
    for (const PortSpec& p : ports) {
      if (p.name == ref.name) return {};
    }
    std::string names;
    for (const PortSpec& p : ports) {
      if (p.name.empty()) continue;
      names += (names.empty() ? "" : ", ") + quoted(p.name);
    }
    return fail(Error::invalid(field, field + " " + quoted(ref.name) +
                                          " is not the name of one of the app's ports" +
                                          (names.empty() ? "; declare it under ports or give a port number"
                                                         : "; use one of " + names + " or a port number")));
  }
  if (ref.number == 0) {
    return fail(Error::invalid(field, field + " is required; give a port number or the name of one of the "
                                              "app's ports"));
  }
  if (ref.number < 1 || ref.number > kMaxPort) {
    return fail(
        Error::invalid(field, field + " must be between 1 and 65535; got " + std::to_string(ref.number)));
  }
  return {};
}

Status at_least(int value, int min, const std::string& field) {
  if (value >= min) return {};
  return fail(Error::invalid(
      field, field + " must be at least " + std::to_string(min) + "; got " + std::to_string(value)));
}

Status validate_probe(const Probe& p, const std::vector<PortSpec>& ports, const std::string& at,
                      bool liveness) {
  switch (p.kind) {
    case Probe::Kind::kHttp:
      if (p.path.empty() || p.path.front() != '/') {
        return fail(Error::invalid(at + ".http.path", at + ".http.path " + quoted(p.path) +
                                                          " must start with '/', such as \"/healthz\""));
      }
      for (char c : p.path) {
        if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
          return fail(Error::invalid(at + ".http.path", at + ".http.path must not contain spaces or control "
                                                             "characters; percent-encode them (%20)"));
        }
      }
      if (auto s = validate_port_ref(p.port, ports, at + ".http.port"); !s) return s;
      break;
    case Probe::Kind::kTcp:
      if (auto s = validate_port_ref(p.port, ports, at + ".tcp.port"); !s) return s;
      break;
    case Probe::Kind::kExec:
      if (p.command.empty()) {
        return fail(
            Error::invalid(at + ".exec.command", at + ".exec.command is empty; give the program to run, "
                                                      "such as [\"/bin/check\"]"));
      }
      if (auto s = validate_strings(p.command, at + ".exec.command", true); !s) return s;
      break;
  }
  if (auto s = at_least(p.initial_delay_seconds, 0, at + ".initialDelaySeconds"); !s) return s;
  if (auto s = at_least(p.period_seconds, 1, at + ".periodSeconds"); !s) return s;
  if (auto s = at_least(p.timeout_seconds, 1, at + ".timeoutSeconds"); !s) return s;
  if (auto s = at_least(p.success_threshold, 1, at + ".successThreshold"); !s) return s;
  if (auto s = at_least(p.failure_threshold, 1, at + ".failureThreshold"); !s) return s;
  // Kubernetes: a liveness probe restarts on the first failure streak, so more successes mean nothing.
  if (liveness && p.success_threshold != 1) {
    return fail(Error::invalid(at + ".successThreshold", at +
                                                             ".successThreshold must be 1 for a liveness "
                                                             "check; got " +
                                                             std::to_string(p.success_threshold)));
  }
  return {};
}

Status validate_int_or_percent(const IntOrPercent& v, const std::string& field) {
  if (v.value < 0) {
    return fail(Error::invalid(
        field, field + " must not be negative; got " + std::to_string(v.value) + (v.percent ? "%" : "")));
  }
  if (v.percent && v.value > 100) {
    return fail(Error::invalid(
        field, field + " must be a percentage between 0% and 100%; got " + std::to_string(v.value) + "%"));
  }
  return {};
}

Status validate_strategy(const Strategy& s) {
  if (auto r = validate_int_or_percent(s.max_surge, "strategy.maxSurge"); !r) return r;
  if (auto r = validate_int_or_percent(s.max_unavailable, "strategy.maxUnavailable"); !r) return r;
  if (s.max_surge.value == 0 && s.max_unavailable.value == 0) {
    // Kubernetes reports this on maxUnavailable too: with neither, no instance could ever be replaced.
    return fail(
        Error::invalid("strategy.maxUnavailable",
                       "strategy.maxUnavailable and strategy.maxSurge must not both be 0, or a rollout "
                       "could never replace an instance; set maxSurge to 1"));
  }
  if (s.progress_deadline_seconds < 1 || s.progress_deadline_seconds > kMaxProgressDeadlineSeconds) {
    return fail(
        Error::invalid("strategy.progressDeadlineSeconds",
                       "strategy.progressDeadlineSeconds must be between 1 and 86400 (one day); got " +
                           std::to_string(s.progress_deadline_seconds)));
  }
  return {};
}

// Kubernetes' GetScaledValueFromIntOrPercent.
int scaled(const IntOrPercent& v, int replicas, bool round_up) {
  if (!v.percent) return v.value;
  const int64_t product = static_cast<int64_t>(v.value) * replicas;
  return static_cast<int>(round_up ? (product + 99) / 100 : product / 100);
}

[[noreturn]] void die(const std::string& what) {
  std::fputs(("wharf: broken invariant: " + what + "\n").c_str(), stderr);
  std::abort();
}

}  // namespace

// An absolute, normalised directory that does not hide what a container needs from the system.
Status validate_config_path(const std::string& path) {
  auto bad = [&](std::string why) {
    return fail(Error::invalid("configPath", "configPath must be an absolute directory such as \"" +
                                                 std::string(kDefaultConfigPath) + "\"; \"" + path + "\" " +
                                                 why));
  };
  if (path.empty() || path.front() != '/') return bad("is not absolute");
  if (path.size() > 255) return bad("is longer than 255 characters");
  if (path == "/") return bad("would hide the whole image");
  if (path.back() == '/' || path.find("//") != std::string::npos)
    return bad("is not normalised (a trailing or double /)");
  for (std::string_view part : {"/./", "/../"})
    if ((path + "/").find(part) != std::string::npos) return bad("contains . or ..");
  for (char c : path)
    if (static_cast<unsigned char>(c) < 0x20 || c == ':' || c == ',' || c == '\\')
      return bad("contains a control character, ':', ',' or '\\'");
  for (std::string_view system :
       {"/proc", "/sys", "/dev", "/etc", "/bin", "/sbin", "/lib", "/lib64", "/usr", "/tmp", "/run", "/var"})
    if (path == system)
      return bad("would hide the image's " + std::string(system) + "; use a directory below it");
  return {};
}

Status validate_app_spec(const AppSpec& spec) {
  if (auto s = validate_name(spec.name, "name"); !s) return s;
  // No image yet is allowed: the first deploy (or a build) supplies it.
  if (!spec.image.empty()) {
    if (auto s = validate_image(spec.image, "image"); !s) return s;
  }
  if (auto s = validate_strings(spec.command, "command", true); !s) return s;
  if (auto s = validate_strings(spec.args, "args", false); !s) return s;
  if (auto s = validate_ports(spec.ports); !s) return s;
  if (auto s = validate_env(spec.env); !s) return s;
  if (auto s = validate_resources(spec.resources); !s) return s;
  if (spec.replicas < 0 || spec.replicas > kMaxReplicas) {
    return fail(Error::invalid("replicas", "replicas must be between 0 and " + std::to_string(kMaxReplicas) +
                                               "; got " + std::to_string(spec.replicas)));
  }
  if (spec.health_check.readiness) {
    if (auto s = validate_probe(*spec.health_check.readiness, spec.ports, "healthCheck.readiness", false);
        !s) {
      return s;
    }
  }
  if (spec.health_check.liveness) {
    if (auto s = validate_probe(*spec.health_check.liveness, spec.ports, "healthCheck.liveness", true); !s) {
      return s;
    }
  }
  if (auto s = validate_config_path(spec.config_path); !s) return s;
  return validate_strategy(spec.strategy);
}

ResourceLimits limits_of(const AppSpec& spec) {
  ResourceLimits limits;
  if (!spec.resources.cpu.empty()) {
    auto cpu = parse_cpu_millis(spec.resources.cpu, "resources.cpu");
    if (!cpu) die("limits_of called on an unvalidated spec: " + cpu.error().message);
    limits.cpu_millis = *cpu;
  }
  if (!spec.resources.memory.empty()) {
    auto mem = parse_memory_bytes(spec.resources.memory, "resources.memory");
    if (!mem) die("limits_of called on an unvalidated spec: " + mem.error().message);
    limits.memory_bytes = *mem;
  }
  return limits;
}

RolloutBudget rollout_budget(const Strategy& strategy, int replicas) {
  // Kubernetes' ResolveFenceposts.
  replicas = replicas < 0 ? 0 : replicas;
  RolloutBudget b;
  b.max_surge = scaled(strategy.max_surge, replicas, true);
  b.max_unavailable = scaled(strategy.max_unavailable, replicas, false);
  if (b.max_surge == 0 && b.max_unavailable == 0) {
    // Rounding can zero both; Kubernetes then lets one instance go down (surge might be blocked by quota).
    b.max_unavailable = 1;
  }
  return b;
}

}  // namespace wharf
