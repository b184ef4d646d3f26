#include "core/json_codec.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/quantity.h"

namespace wharf::json_codec {

namespace {

using Keys = std::initializer_list<std::string_view>;

// ---- paths and messages ----

std::string join(std::string_view base, std::string_view key) {
  if (base.empty()) return std::string(key);
  return std::string(base) + "." + std::string(key);
}

std::string at_index(std::string_view base, size_t i) {
  return std::string(base) + "[" + std::to_string(i) + "]";
}

std::string describe(const json& v) {
  switch (v.type()) {
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "true or false";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "a list";
    case json::value_t::null:
      return "null";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "a number";
    default:
      return "something else";
  }
}

Error wrong_type(const std::string& field, std::string_view expected, const json& got) {
  const std::string noun = field.empty() ? "the body" : field;
  return Error::invalid(field, noun + " must be " + std::string(expected) + ", not " + describe(got));
}

std::string fold(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '_' || c == '-') continue;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

// Optimal string alignment distance: edits plus adjacent transpositions ("nmae" -> "name" is one).
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] =
          std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// Whether `abbrev` could abbreviate `word`: same first letter, letters in order ("cmd" -> "command").
bool abbreviates(std::string_view abbrev, std::string_view word) {
  if (abbrev.size() < 3 || word.empty() || abbrev.front() != word.front()) return false;
  size_t j = 0;
  for (char c : word) {
    if (j < abbrev.size() && abbrev[j] == c) ++j;
  }
  return j == abbrev.size();
}

// The known field a typo most likely meant ("replica" -> "replicas", "max_surge" -> "maxSurge",
// "revision" -> "toRevision"); empty when none is close.
std::string_view near_miss(std::string_view unknown, Keys known) {
  const std::string u = fold(unknown);
  std::string_view best;
  size_t best_d = std::numeric_limits<size_t>::max();
  for (std::string_view k : known) {
    const std::string f = fold(k);
    if (f == u) return k;
    // Far longer than any field name: not a typo, and the distance table would be large.
    if (u.size() > 2 * f.size() + 2) continue;
    // Short names get no slack: "gpu" is not a typo of "cpu".
    const size_t allowed = f.size() >= 6 ? 2 : f.size() >= 4 ? 1 : 0;
    size_t d = edit_distance(u, f);
    if (d > allowed) {
      const bool part = u.size() >= 3 && (f.find(u) != std::string::npos || u.find(f) != std::string::npos);
      if (!part && !abbreviates(u, f)) continue;
      d = allowed + 1;  // weaker evidence than a small typo
    }
    if (d < best_d) {
      best = k;
      best_d = d;
    }
  }
  return best;
}

// Rejects fields outside `known` and `ignored`: a typo silently dropped is a setting silently lost.
Status check_fields(const json& obj, std::string_view path, Keys known, Keys ignored = {}) {
  for (const auto& [key, value] : obj.items()) {
    auto in = [&](Keys keys) { return std::find(keys.begin(), keys.end(), key) != keys.end(); };
    if (in(known) || in(ignored)) continue;
    const std::string shown = key.size() <= 60 ? key : key.substr(0, 60) + "...";
    std::string msg = "unknown field \"" + shown + "\"" + (path.empty() ? "" : " in " + std::string(path));
    if (std::string_view guess = near_miss(key, known); !guess.empty()) {
      msg += "; did you mean \"" + std::string(guess) + "\"?";
    } else {
      msg += "; remove it (known fields: ";
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      msg += list + ")";
    }
    return fail(Error::invalid(join(path, key), std::move(msg)));
  }
  return {};
}

// ---- typed readers: an absent or null member leaves `out` as it is ----

const json* member(const json& obj, std::string_view key) {
  auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

Status expect_object(const json& v, const std::string& field) {
  if (v.is_object()) return {};
  return fail(wrong_type(field, "an object", v));
}

Result<int64_t> as_int64(const json& v, const std::string& field) {
  if (v.is_number_unsigned()) {
    auto u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return fail(Error::invalid(field, field + " is too large; got " + std::to_string(u)));
    }
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    // 3.0 is what some clients send for 3; 2.5 is a mistake.
    double d = v.get<double>();
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9e15) return static_cast<int64_t>(d);
    return fail(Error::invalid(field, field + " must be a whole number; got " + v.dump()));
  }
  return fail(wrong_type(field, "an integer", v));
}

Result<int> as_int(const json& v, const std::string& field) {
  auto n = as_int64(v, field);
  if (!n) return fail(n.error());
  if (*n > std::numeric_limits<int>::max()) {
    return fail(Error::invalid(field, field + " is too large; got " + std::to_string(*n)));
  }
  if (*n < std::numeric_limits<int>::min()) {
    return fail(Error::invalid(field, field + " is too small; got " + std::to_string(*n)));
  }
  return static_cast<int>(*n);
}

Status read_string(const json& obj, std::string_view path, std::string_view key, std::string& out) {
  const json* v = member(obj, key);
  if (!v) return {};
  if (!v->is_string()) return fail(wrong_type(join(path, key), "a string", *v));
  out = v->get<std::string>();
  return {};
}

Status read_int(const json& obj, std::string_view path, std::string_view key, int& out) {
  const json* v = member(obj, key);
  if (!v) return {};
  auto n = as_int(*v, join(path, key));
  if (!n) return fail(n.error());
  out = *n;
  return {};
}

Status read_int64(const json& obj, std::string_view path, std::string_view key, std::optional<int64_t>& out) {
  const json* v = member(obj, key);
  if (!v) return {};
  auto n = as_int64(*v, join(path, key));
  if (!n) return fail(n.error());
  out = *n;
  return {};
}

Status read_bool(const json& obj, std::string_view path, std::string_view key, bool& out) {
  const json* v = member(obj, key);
  if (!v) return {};
  if (!v->is_boolean()) return fail(wrong_type(join(path, key), "true or false", *v));
  out = v->get<bool>();
  return {};
}

Status read_string_list(const json& obj, std::string_view path, std::string_view key,
                        std::vector<std::string>& out) {
  const json* v = member(obj, key);
  if (!v) return {};
  const std::string field = join(path, key);
  if (!v->is_array()) return fail(wrong_type(field, "a list of strings", *v));
  out.clear();
  for (size_t i = 0; i < v->size(); ++i) {
    const json& e = (*v)[i];
    if (!e.is_string()) return fail(wrong_type(at_index(field, i), "a string", e));
    out.push_back(e.get<std::string>());
  }
  return {};
}

// ---- app spec ----

Status decode_port_ref(const json& v, const std::string& field, PortRef& out) {
  out = {};
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    // "8080" in quotes is a number to a person; Kubernetes would take it for a name and fail.
    if (!s.empty() && s.size() <= 5 && s.find_first_not_of("0123456789") == std::string::npos) {
      out.number = std::stoi(s);
    } else {
      out.name = std::move(s);
    }
    return {};
  }
  if (v.is_number()) {
    auto n = as_int(v, field);
    if (!n) return fail(n.error());
    out.number = *n;
    return {};
  }
  return fail(wrong_type(field, "a port number or the name of one of the app's ports", v));
}

Status decode_probe(const json& v, const std::string& path, Probe& out) {
  if (auto s = expect_object(v, path); !s) return s;
  if (auto s = check_fields(v, path,
                            {"http", "tcp", "exec", "initialDelaySeconds", "periodSeconds", "timeoutSeconds",
                             "successThreshold", "failureThreshold"});
      !s) {
    return s;
  }
  out = Probe{};
  std::vector<std::string_view> ways;
  for (std::string_view k : {"http", "tcp", "exec"}) {
    if (member(v, k)) ways.push_back(k);
  }
  if (ways.empty()) {
    return fail(Error::invalid(path, path + " needs one way to check the app: http, tcp or exec, such as "
                                            "{\"http\": {\"path\": \"/healthz\", \"port\": \"http\"}}"));
  }
  if (ways.size() > 1) {
    return fail(Error::invalid(join(path, ways[1]), path + " has both " + std::string(ways[0]) + " and " +
                                                        std::string(ways[1]) +
                                                        "; a check uses exactly one of http, tcp or exec"));
  }
  const std::string way_path = join(path, ways[0]);
  const json& way = *member(v, ways[0]);
  if (auto s = expect_object(way, way_path); !s) return s;
  if (ways[0] == "http") {
    out.kind = Probe::Kind::kHttp;
    if (auto s = check_fields(way, way_path, {"path", "port"}); !s) return s;
    if (auto s = read_string(way, way_path, "path", out.path); !s) return s;
  } else if (ways[0] == "tcp") {
    out.kind = Probe::Kind::kTcp;
    if (auto s = check_fields(way, way_path, {"port"}); !s) return s;
  } else {
    out.kind = Probe::Kind::kExec;
    if (auto s = check_fields(way, way_path, {"command"}); !s) return s;
    if (auto s = read_string_list(way, way_path, "command", out.command); !s) return s;
  }
  if (out.kind != Probe::Kind::kExec) {
    if (const json* port = member(way, "port")) {
      if (auto s = decode_port_ref(*port, join(way_path, "port"), out.port); !s) return s;
    }
  }
  if (auto s = read_int(v, path, "initialDelaySeconds", out.initial_delay_seconds); !s) return s;
  if (auto s = read_int(v, path, "periodSeconds", out.period_seconds); !s) return s;
  if (auto s = read_int(v, path, "timeoutSeconds", out.timeout_seconds); !s) return s;
  if (auto s = read_int(v, path, "successThreshold", out.success_threshold); !s) return s;
  return read_int(v, path, "failureThreshold", out.failure_threshold);
}

Status decode_int_or_percent(const json& obj, std::string_view path, std::string_view key,
                             IntOrPercent& out) {
  const json* v = member(obj, key);
  if (!v) return {};
  const std::string field = join(path, key);
  if (v->is_string()) {
    const std::string s = v->get<std::string>();
    // Kubernetes' form: digits and a '%'; a sign is let through so range checks can explain it.
    size_t start = (!s.empty() && s[0] == '-') ? 1 : 0;
    bool ok = s.size() >= start + 2 && s.back() == '%' && s.size() - start - 1 <= 9;
    for (size_t i = start; ok && i + 1 < s.size(); ++i) ok = s[i] >= '0' && s[i] <= '9';
    if (!ok) {
      return fail(Error::invalid(field, field + " must be a number or a percentage such as \"25%\"; got \"" +
                                            s.substr(0, 40) + "\""));
    }
    int n = std::stoi(s.substr(start, s.size() - start - 1));
    out = {start ? -n : n, true};
    return {};
  }
  if (v->is_number()) {
    auto n = as_int(*v, field);
    if (!n) return fail(n.error());
    out = {*n, false};
    return {};
  }
  return fail(wrong_type(field, "a number or a percentage such as \"25%\"", *v));
}

// A quantity as text; JSON numbers are accepted as Kubernetes does ("cpu": 2).
Status read_quantity(const json& obj, std::string_view key, std::string& out) {
  const json* v = member(obj, key);
  if (!v) return {};
  const std::string field = join("resources", key);
  if (v->is_string()) {
    out = v->get<std::string>();
  } else if (v->is_number()) {
    out = v->dump();
  } else {
    return fail(
        wrong_type(field, key == "cpu" ? "a quantity such as \"500m\"" : "a quantity such as \"512Mi\"", *v));
  }
  return {};
}

// The spec's shape and types, without semantic checks (see spec_from_text for why those are separate).
Result<AppSpec> decode_spec_shape(const json& j) {
  if (!j.is_object()) return fail(wrong_type("", "a JSON object with the app spec", j));
  if (auto s = check_fields(j, "",
                            {"name", "image", "command", "args", "ports", "env", "resources", "qos",
                             "replicas", "healthCheck", "strategy", "configPath"},
                            // Read-only fields of an app, so a GET -> edit -> PUT round trip works.
                            {"project", "resourceVersion", "createdAt", "updatedAt", "status"});
      !s) {
    return fail(s.error());
  }
  AppSpec spec;
  if (auto s = read_string(j, "", "name", spec.name); !s) return fail(s.error());
  if (auto s = read_string(j, "", "image", spec.image); !s) return fail(s.error());
  if (auto s = read_string(j, "", "configPath", spec.config_path); !s) return fail(s.error());
  if (auto s = read_string_list(j, "", "command", spec.command); !s) return fail(s.error());
  if (auto s = read_string_list(j, "", "args", spec.args); !s) return fail(s.error());

  if (const json* ports = member(j, "ports")) {
    if (!ports->is_array()) return fail(wrong_type("ports", "a list", *ports));
    for (size_t i = 0; i < ports->size(); ++i) {
      const json& p = (*ports)[i];
      const std::string path = at_index("ports", i);
      if (auto s = expect_object(p, path); !s) return fail(s.error());
      if (auto s = check_fields(p, path, {"name", "port", "protocol"}); !s) return fail(s.error());
      PortSpec port;
      if (auto s = read_string(p, path, "name", port.name); !s) return fail(s.error());
      if (auto s = read_int(p, path, "port", port.port); !s) return fail(s.error());
      if (auto s = read_string(p, path, "protocol", port.protocol); !s) return fail(s.error());
      spec.ports.push_back(std::move(port));
    }
  }

  if (const json* env = member(j, "env")) {
    if (!env->is_object()) return fail(wrong_type("env", "an object of names to values", *env));
    for (const auto& [key, value] : env->items()) {
      if (!value.is_string()) {
        return fail(Error::invalid("env." + key, "env." + key + " must be a string, not " + describe(value) +
                                                     "; put the value in quotes, such as \"8080\""));
      }
      spec.env[key] = value.get<std::string>();
    }
  }

  if (const json* res = member(j, "resources")) {
    if (auto s = expect_object(*res, "resources"); !s) return fail(s.error());
    if (auto s = check_fields(*res, "resources", {"cpu", "memory"}); !s) return fail(s.error());
    if (auto s = read_quantity(*res, "cpu", spec.resources.cpu); !s) return fail(s.error());
    if (auto s = read_quantity(*res, "memory", spec.resources.memory); !s) return fail(s.error());
  }

  if (const json* qos = member(j, "qos")) {
    if (!qos->is_string())
      return fail(wrong_type("qos", "one of \"critical\", \"standard\", \"elastic\", \"batch\"", *qos));
    auto tier = parse_qos_tier(qos->get<std::string>(), "qos");
    if (!tier) return fail(tier.error());
    spec.qos = *tier;
  }

  if (auto s = read_int(j, "", "replicas", spec.replicas); !s) return fail(s.error());

  if (const json* hc = member(j, "healthCheck")) {
    if (auto s = expect_object(*hc, "healthCheck"); !s) return fail(s.error());
    if (auto s = check_fields(*hc, "healthCheck", {"readiness", "liveness"}); !s) return fail(s.error());
    for (auto [key, slot] : {std::pair{"readiness", &spec.health_check.readiness},
                             std::pair{"liveness", &spec.health_check.liveness}}) {
      if (const json* p = member(*hc, key)) {
        Probe probe;
        if (auto s = decode_probe(*p, join("healthCheck", key), probe); !s) return fail(s.error());
        *slot = std::move(probe);
      }
    }
  }

  if (const json* st = member(j, "strategy")) {
    if (auto s = expect_object(*st, "strategy"); !s) return fail(s.error());
    if (auto s = check_fields(*st, "strategy", {"maxSurge", "maxUnavailable", "progressDeadlineSeconds"});
        !s) {
      return fail(s.error());
    }
    if (auto s = decode_int_or_percent(*st, "strategy", "maxSurge", spec.strategy.max_surge); !s) {
      return fail(s.error());
    }
    if (auto s = decode_int_or_percent(*st, "strategy", "maxUnavailable", spec.strategy.max_unavailable);
        !s) {
      return fail(s.error());
    }
    if (auto s =
            read_int(*st, "strategy", "progressDeadlineSeconds", spec.strategy.progress_deadline_seconds);
        !s) {
      return fail(s.error());
    }
  }
  return spec;
}

json encode_port_ref(const PortRef& p) {
  if (!p.name.empty()) return p.name;
  return p.number;
}

json encode_probe(const Probe& p) {
  json j = json::object();
  switch (p.kind) {
    case Probe::Kind::kHttp:
      j["http"] = {{"path", p.path}, {"port", encode_port_ref(p.port)}};
      break;
    case Probe::Kind::kTcp:
      j["tcp"] = {{"port", encode_port_ref(p.port)}};
      break;
    case Probe::Kind::kExec:
      j["exec"] = {{"command", p.command}};
      break;
  }
  j["initialDelaySeconds"] = p.initial_delay_seconds;
  j["periodSeconds"] = p.period_seconds;
  j["timeoutSeconds"] = p.timeout_seconds;
  j["successThreshold"] = p.success_threshold;
  j["failureThreshold"] = p.failure_threshold;
  return j;
}

json encode_int_or_percent(const IntOrPercent& v) {
  if (v.percent) return std::to_string(v.value) + "%";
  return v.value;
}

// Decoders may meet JSON built by code rather than by parse(); nothing thrown by nlohmann may escape.
template <class F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const nlohmann::json::exception& e) {
    return fail(Error::invalid("", std::string("the JSON could not be read: ") + e.what()));
  }
}

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

// ---- encoders ----

json encode(const Project& p) {
  return {{"name", p.name},
          {"displayName", p.display_name},
          {"description", p.description},
          {"resourceVersion", p.resource_version},
          {"createdAt", p.created_at},
          {"updatedAt", p.updated_at}};
}

json encode(const Environment& e) {
  return {{"project", e.project},
          {"name", e.name},
          {"clusters", e.clusters},
          {"namespace", e.ns},
          {"policy", {{"production", e.policy.production}}},
          {"resourceVersion", e.resource_version},
          {"createdAt", e.created_at},
          {"updatedAt", e.updated_at}};
}

json encode(const Cluster& c) {
  json j = {{"name", c.name},
            {"type", c.type},
            {"resourceVersion", c.resource_version},
            {"createdAt", c.created_at}};
  if (!c.server.empty()) j["server"] = c.server;
  return j;
}

json encode(const AppSpec& s) {
  json ports = json::array();
  for (const PortSpec& p : s.ports) {
    json pj = {{"port", p.port}, {"protocol", p.protocol}};
    if (!p.name.empty()) pj["name"] = p.name;
    ports.push_back(std::move(pj));
  }
  json resources = json::object();
  if (!s.resources.cpu.empty()) resources["cpu"] = s.resources.cpu;
  if (!s.resources.memory.empty()) resources["memory"] = s.resources.memory;
  json health = json::object();
  if (s.health_check.readiness) health["readiness"] = encode_probe(*s.health_check.readiness);
  if (s.health_check.liveness) health["liveness"] = encode_probe(*s.health_check.liveness);
  json env = json::object();
  for (const auto& [k, v] : s.env) env[k] = v;
  return {{"name", s.name},
          {"image", s.image},
          {"command", s.command},
          {"args", s.args},
          {"ports", std::move(ports)},
          {"env", std::move(env)},
          {"resources", std::move(resources)},
          {"qos", std::string(to_string(s.qos))},
          {"replicas", s.replicas},
          {"healthCheck", std::move(health)},
          {"strategy",
           {{"maxSurge", encode_int_or_percent(s.strategy.max_surge)},
            {"maxUnavailable", encode_int_or_percent(s.strategy.max_unavailable)},
            {"progressDeadlineSeconds", s.strategy.progress_deadline_seconds}}},
          {"configPath", s.config_path}};
}

json encode(const App& a) {
  json j = encode(a.spec);
  j["project"] = a.project;
  j["resourceVersion"] = a.resource_version;
  j["createdAt"] = a.created_at;
  j["updatedAt"] = a.updated_at;
  return j;
}

json encode(const Release& r) {
  json clusters = json::array();
  for (const ClusterRollout& c : r.clusters) {
    json cj = {{"cluster", c.cluster},
               {"status", std::string(to_string(c.status))},
               {"ready", c.ready},
               {"desired", c.desired}};
    if (!c.message.empty()) cj["message"] = c.message;
    clusters.push_back(std::move(cj));
  }
  json j = {{"revision", r.revision},
            {"project", r.project},
            {"app", r.app},
            {"environment", r.environment},
            {"image", r.image},
            {"replicas", r.replicas},
            {"spec", encode(r.spec)},
            {"kind", std::string(to_string(r.kind))},
            {"status", std::string(to_string(r.status))},
            {"createdBy", r.created_by},
            {"createdAt", r.created_at},
            {"clusters", std::move(clusters)},
            {"resourceVersion", r.resource_version}};
  if (!r.image_digest.empty()) j["imageDigest"] = r.image_digest;
  if (r.config_version) j["configVersion"] = *r.config_version;
  if (r.rollback_of) j["rollbackOf"] = *r.rollback_of;
  if (!r.message.empty()) j["message"] = r.message;
  if (!r.reason.empty()) j["reason"] = r.reason;
  if (!r.finished_at.empty()) j["finishedAt"] = r.finished_at;
  return j;
}

json encode(const Instance& i) {
  json j = {{"name", i.name},         {"state", i.state},          {"ready", i.ready},
            {"restarts", i.restarts}, {"address", i.address},      {"cluster", i.cluster},
            {"node", i.node},         {"startedAt", i.started_at}, {"release", i.release}};
  if (!i.reason.empty()) j["reason"] = i.reason;
  return j;
}

// ---- decoders ----

Result<Project> decode_project(const json& j) {
  return guarded([&]() -> Result<Project> {
    if (!j.is_object()) return fail(wrong_type("", "a JSON object with the project", j));
    if (auto s = check_fields(j, "", {"name", "displayName", "description", "resourceVersion"},
                              {"createdAt", "updatedAt"});
        !s) {
      return fail(s.error());
    }
    Project p;
    if (auto s = read_string(j, "", "name", p.name); !s) return fail(s.error());
    if (auto s = read_string(j, "", "displayName", p.display_name); !s) return fail(s.error());
    if (auto s = read_string(j, "", "description", p.description); !s) return fail(s.error());
    std::optional<int64_t> rv;
    if (auto s = read_int64(j, "", "resourceVersion", rv); !s) return fail(s.error());
    p.resource_version = rv.value_or(0);
    if (auto s = validate_project(p); !s) return fail(s.error());
    return p;
  });
}

Result<Environment> decode_environment(const json& j, std::string_view project) {
  return guarded([&]() -> Result<Environment> {
    if (!j.is_object()) return fail(wrong_type("", "a JSON object with the environment", j));
    if (auto s = check_fields(j, "", {"name", "clusters", "namespace", "policy", "resourceVersion"},
                              {"project", "createdAt", "updatedAt"});
        !s) {
      return fail(s.error());
    }
    Environment e;
    e.project = std::string(project);
    // The built-in cluster is what a one-machine install has; a list given explicitly must not be empty.
    e.clusters = {"local"};
    if (auto s = read_string(j, "", "name", e.name); !s) return fail(s.error());
    if (auto s = read_string_list(j, "", "clusters", e.clusters); !s) return fail(s.error());
    if (auto s = read_string(j, "", "namespace", e.ns); !s) return fail(s.error());
    if (const json* policy = member(j, "policy")) {
      if (auto s = expect_object(*policy, "policy"); !s) return fail(s.error());
      if (auto s = check_fields(*policy, "policy", {"production"}); !s) return fail(s.error());
      if (auto s = read_bool(*policy, "policy", "production", e.policy.production); !s)
        return fail(s.error());
    }
    std::optional<int64_t> rv;
    if (auto s = read_int64(j, "", "resourceVersion", rv); !s) return fail(s.error());
    e.resource_version = rv.value_or(0);
    return normalize_environment(std::move(e));
  });
}

Result<AppSpec> decode_app_spec(const json& j) {
  return guarded([&]() -> Result<AppSpec> {
    auto spec = decode_spec_shape(j);
    if (!spec) return spec;
    if (auto s = validate_app_spec(*spec); !s) return fail(s.error());
    return spec;
  });
}

Result<DeployRequest> decode_deploy_request(const json& j) {
  return guarded([&]() -> Result<DeployRequest> {
    if (!j.is_object()) return fail(wrong_type("", "a JSON object", j));
    if (auto s = check_fields(j, "", {"image", "configVersion", "replicas", "message"}); !s)
      return fail(s.error());
    DeployRequest r;
    if (const json* image = member(j, "image")) {
      if (!image->is_string()) return fail(wrong_type("image", "a string", *image));
      std::string text = image->get<std::string>();
      if (text.empty()) {
        return fail(
            Error::invalid("image", "image must not be empty; leave it out to deploy the current image"));
      }
      // The image rules live in validate_app_spec; a minimal spec lets them judge this one field.
      AppSpec probe;
      probe.name = "app";
      probe.image = text;
      if (auto s = validate_app_spec(probe); !s) return fail(s.error());
      r.image = std::move(text);
    }
    if (auto s = read_int64(j, "", "configVersion", r.config_version); !s) return fail(s.error());
    if (r.config_version && *r.config_version < 1) {
      return fail(Error::invalid(
          "configVersion", "configVersion must be 1 or more; got " + std::to_string(*r.config_version)));
    }
    if (const json* v = member(j, "replicas")) {
      auto n = as_int64(*v, "replicas");
      if (!n) return fail(n.error());
      if (*n < 0 || *n > kMaxReplicas) {
        return fail(Error::invalid("replicas", "replicas must be between 0 and " +
                                                   std::to_string(kMaxReplicas) + "; got " +
                                                   std::to_string(*n)));
      }
      r.replicas = static_cast<int>(*n);
    }
    if (auto s = read_string(j, "", "message", r.message); !s) return fail(s.error());
    return r;
  });
}

Result<RollbackRequest> decode_rollback_request(const json& j) {
  return guarded([&]() -> Result<RollbackRequest> {
    if (!j.is_object()) return fail(wrong_type("", "a JSON object", j));
    if (auto s = check_fields(j, "", {"toRevision", "message"}); !s) return fail(s.error());
    RollbackRequest r;
    if (auto s = read_int64(j, "", "toRevision", r.to_revision); !s) return fail(s.error());
    if (r.to_revision && *r.to_revision < 1) {
      return fail(Error::invalid("toRevision", "toRevision must be a revision number, 1 or more; got " +
                                                   std::to_string(*r.to_revision)));
    }
    if (auto s = read_string(j, "", "message", r.message); !s) return fail(s.error());
    return r;
  });
}

Result<json> parse(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return fail(Error::invalid("", "the body is empty; send a JSON object"));
  }
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // what() reads "[json.exception.parse_error.101] parse error at line 1, column 5: <detail>".
    std::string detail = e.what();
    if (size_t colon = detail.find(": "); colon != std::string::npos) detail = detail.substr(colon + 2);
    return fail(
        Error::invalid("", "the body is not valid JSON: at byte " + std::to_string(e.byte) + ", " + detail));
  } catch (const json::exception& e) {
    return fail(Error::invalid("", std::string("the body is not valid JSON: ") + e.what()));
  }
}

std::string spec_to_text(const AppSpec& spec) {
  return dump(encode(spec));
}

Result<AppSpec> spec_from_text(std::string_view text) {
  auto j = parse(text);
  if (!j) return fail(j.error());
  // Shape only: a spec stored under older, looser rules must stay readable after the rules tighten.
  return guarded([&]() { return decode_spec_shape(*j); });
}

}  // namespace wharf::json_codec
