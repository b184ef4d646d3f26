#include "runtime/kubernetes/kubeconfig.h"

#include <yaml-cpp/yaml.h>

#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace wharf::kube {
namespace {

Error bad(std::string field, std::string message) {
  return Error::invalid(std::move(field), "kubeconfig: " + std::move(message));
}

std::string quote(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

// The value of a scalar key, or empty when absent or not a scalar.
std::string scalar(const YAML::Node& node, const char* key) {
  YAML::Node v = node[key];
  if (!v || !v.IsScalar()) return {};
  return v.as<std::string>();
}

// Finds the entry named `name` in a list of {name, <kind>: {...}} (clusters, users, contexts).
std::optional<YAML::Node> find_named(const YAML::Node& list, std::string_view name, const char* kind) {
  if (!list || !list.IsSequence()) return std::nullopt;
  for (const auto& entry : list) {
    if (entry.IsMap() && scalar(entry, "name") == name) {
      YAML::Node body = entry[kind];
      return body ? body : YAML::Node(YAML::NodeType::Map);
    }
  }
  return std::nullopt;
}

Result<std::string> read_file(const std::string& base, const std::string& ref, const std::string& field,
                              const std::string& owner) {
  if (base.empty())
    return fail(bad(field, owner + " refers to the file " + quote(ref) + "; embed it as " + field +
                               "-data (files are not read for a registered cluster)"));
  std::filesystem::path p(ref);
  if (p.is_relative()) p = std::filesystem::path(base) / p;
  std::ifstream in(p, std::ios::binary);
  if (!in) return fail(bad(field, owner + ": cannot read " + field + " file " + quote(p.string())));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `<field>-data` (base64) or `<field>` (a file); empty when neither is set.
Result<std::string> data_or_file(const YAML::Node& node, const std::string& field, const std::string& owner,
                                 const std::string& base) {
  std::string data = scalar(node, (field + "-data").c_str());
  if (!data.empty()) {
    std::string out;
    if (!base64_decode(data, out))
      return fail(bad(field + "-data", owner + ": " + field + "-data is not base64"));
    return out;
  }
  std::string ref = scalar(node, field.c_str());
  if (ref.empty()) return std::string();
  return read_file(base, ref, field, owner);
}

Result<Kubeconfig> parse(const YAML::Node& root, const KubeconfigOptions& options) {
  if (!root.IsMap()) return fail(bad("", "the text is not a YAML mapping (is this a kubeconfig?)"));
  Kubeconfig kc;
  kc.context = options.context.empty() ? scalar(root, "current-context") : options.context;
  if (kc.context.empty()) return fail(bad("current-context", "current-context is not set"));

  auto found_context = find_named(root["contexts"], kc.context, "context");
  if (!found_context) return fail(bad("contexts", "context " + quote(kc.context) + " is not in contexts"));
  const YAML::Node& context = *found_context;
  kc.cluster = scalar(context, "cluster");
  kc.user = scalar(context, "user");
  if (kc.cluster.empty()) return fail(bad("contexts", "context " + quote(kc.context) + " names no cluster"));

  const std::string cluster_owner = "cluster " + quote(kc.cluster);
  auto found_cluster = find_named(root["clusters"], kc.cluster, "cluster");
  if (!found_cluster)
    return fail(bad("clusters", cluster_owner + " (context " + quote(kc.context) + ") is not in clusters"));
  const YAML::Node& cluster = *found_cluster;
  kc.server = scalar(cluster, "server");
  if (kc.server.empty()) return fail(bad("server", cluster_owner + " has no server"));
  if (!kc.server.starts_with("https://"))
    return fail(bad("server", cluster_owner + ": server " + quote(kc.server) + " must be an https:// URL"));
  while (kc.server.ends_with('/')) kc.server.pop_back();
  std::string skip = scalar(cluster, "insecure-skip-tls-verify");
  kc.insecure_skip_tls_verify = skip == "true";
  auto ca = data_or_file(cluster, "certificate-authority", cluster_owner, options.file_base);
  if (!ca) return fail(ca.error());
  kc.ca_pem = std::move(*ca);

  if (kc.user.empty()) return fail(bad("contexts", "context " + quote(kc.context) + " names no user"));
  const std::string user_owner = "user " + quote(kc.user);
  auto found_user = find_named(root["users"], kc.user, "user");
  if (!found_user)
    return fail(bad("users", user_owner + " (context " + quote(kc.context) + ") is not in users"));
  const YAML::Node& user = *found_user;
  kc.token = scalar(user, "token");
  if (kc.token.empty()) {
    std::string token_file = scalar(user, "tokenFile");
    if (!token_file.empty()) {
      auto t = read_file(options.file_base, token_file, "tokenFile", user_owner);
      if (!t) return fail(t.error());
      kc.token = std::move(*t);
      while (!kc.token.empty() && std::isspace(static_cast<unsigned char>(kc.token.back())))
        kc.token.pop_back();
    }
  }
  auto cert = data_or_file(user, "client-certificate", user_owner, options.file_base);
  if (!cert) return fail(cert.error());
  auto key = data_or_file(user, "client-key", user_owner, options.file_base);
  if (!key) return fail(key.error());
  kc.client_cert_pem = std::move(*cert);
  kc.client_key_pem = std::move(*key);
  if (kc.client_cert_pem.empty() != kc.client_key_pem.empty())
    return fail(
        bad(kc.client_key_pem.empty() ? "client-key-data" : "client-certificate-data",
            user_owner + " has a client certificate without its key, or a key without its certificate"));
  if (kc.token.empty() && kc.client_cert_pem.empty()) {
    if (user["exec"] || user["auth-provider"])
      return fail(bad("users", user_owner +
                                   " uses an exec or auth-provider plugin, which Wharf does not run; "
                                   "use a token or a client certificate"));
    return fail(bad("users", user_owner + " has neither a token nor a client certificate"));
  }
  return kc;
}

}  // namespace

Result<Kubeconfig> parse_kubeconfig(std::string_view yaml_text, const KubeconfigOptions& options) {
  try {
    return parse(YAML::Load(std::string(yaml_text)), options);
  } catch (const YAML::Exception& e) {
    return fail(bad("", "not valid YAML: " + std::string(e.what())));
  }
}

Result<Kubeconfig> load_kubeconfig_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Error::invalid("kubeconfig", "kubeconfig: cannot read " + quote(path)));
  std::ostringstream ss;
  ss << in.rdbuf();
  KubeconfigOptions options;
  options.file_base = std::filesystem::absolute(path).parent_path().string();
  return parse_kubeconfig(ss.str(), options);
}

bool base64_decode(std::string_view text, std::string& out) {
  static constexpr auto kTable = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
    return t;
  }();
  out.clear();
  uint32_t acc = 0;
  int bits = 0, chars = 0, padding = 0;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    ++chars;
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return false;  // data after padding
    int v = kTable[static_cast<unsigned char>(c)];
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return chars % 4 == 0 && padding <= 2;
}

}  // namespace wharf::kube
