#include "core/environment.h"

#include <cstdint>
#include <map>
#include <string>

#include "core/names.h"

namespace wharf {

namespace {

constexpr size_t kMaxNamespace = 63;  // a Kubernetes namespace is a DNS label (RFC 1123)
constexpr size_t kHashChars = 5;

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

uint32_t fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

// "<project>-<env>", which can reach 81 characters. A plain cut could map two long environment names onto
// one namespace, so a cut name ends with a short hash of the full one.
std::string default_namespace(const std::string& project, const std::string& env) {
  std::string full = project + "-" + env;
  if (full.size() <= kMaxNamespace) return full;
  std::string cut = full.substr(0, kMaxNamespace - kHashChars - 1);
  while (!cut.empty() && cut.back() == '-') cut.pop_back();
  static constexpr char kHex[] = "0123456789abcdef";
  uint32_t h = fnv1a(full);
  std::string suffix;
  for (size_t i = 0; i < kHashChars; ++i, h >>= 4) suffix += kHex[h & 0xf];
  return cut + "-" + suffix;
}

Status validate_namespace(std::string_view ns) {
  const std::string shown = "\"" + std::string(ns.substr(0, 80)) + (ns.size() > 80 ? "...\"" : "\"");
  if (ns.size() > kMaxNamespace) {
    return fail(Error::invalid("namespace", "namespace " + shown + " is " + std::to_string(ns.size()) +
                                                " characters long; use at most 63"));
  }
  bool ok = !ns.empty() && is_lower_alnum(ns.front()) && is_lower_alnum(ns.back());
  for (char c : ns) ok = ok && (is_lower_alnum(c) || c == '-');
  if (!ok) {
    return fail(Error::invalid("namespace", "namespace " + shown +
                                                " is not valid: use lower-case letters, digits and hyphens, "
                                                "starting and ending with a letter or digit"));
  }
  // Sharing Kubernetes' own namespaces would let an app collide with cluster components.
  if (ns == "kube-system" || ns == "kube-public" || ns == "kube-node-lease") {
    return fail(Error::invalid(
        "namespace", "namespace " + shown + " belongs to Kubernetes itself; choose a namespace of your own"));
  }
  return {};
}

}  // namespace

Result<Environment> normalize_environment(Environment env) {
  if (auto s = validate_name(env.project, "project"); !s) return fail(s.error());
  if (auto s = validate_name(env.name, "name"); !s) return fail(s.error());
  if (env.clusters.empty()) {
    return fail(Error::invalid("clusters", "clusters must list at least one cluster, such as [\"local\"]"));
  }
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < env.clusters.size(); ++i) {
    const std::string field = "clusters[" + std::to_string(i) + "]";
    if (auto s = validate_name(env.clusters[i], field); !s) return fail(s.error());
    if (auto [it, fresh] = seen.emplace(env.clusters[i], i); !fresh) {
      return fail(Error::invalid(field, field + " \"" + env.clusters[i] +
                                            "\" is already listed as clusters[" + std::to_string(it->second) +
                                            "]; list each cluster once"));
    }
  }
  if (env.ns.empty()) env.ns = default_namespace(env.project, env.name);
  if (auto s = validate_namespace(env.ns); !s) return fail(s.error());
  return env;
}

}  // namespace wharf
