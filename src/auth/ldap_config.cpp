#include "auth/ldap_config.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace wharf {
namespace {

const std::set<std::string> kFields = {
    "url",         "bindDN",      "bindPasswordFile",  "userBase",          "userFilter",
    "groupBase",   "groupFilter", "groupAttribute",    "startTLS",          "caFile",
    "timeout",     "poolSize",    "groupCacheSeconds", "userNameAttribute", "displayNameAttribute",
    "groupPrefix", "groupMap",    "memberOfAttribute"};

struct Reader {
  std::string path;
  std::filesystem::path dir;

  Error bad(const std::string& field, const std::string& message) const {
    return Error::invalid(field, "LDAP config " + path + ": " + field + ": " + message);
  }

  Result<std::string> text(const YAML::Node& root, const std::string& field, std::string value) const {
    const YAML::Node node = root[field];
    if (!node.IsDefined() || node.IsNull()) return value;
    if (!node.IsScalar()) return fail(bad(field, "must be a string"));
    return node.Scalar();
  }

  Result<double> number(const YAML::Node& root, const std::string& field, double value, double min,
                        double max) const {
    const YAML::Node node = root[field];
    if (!node.IsDefined() || node.IsNull()) return value;
    double out = 0;
    if (!node.IsScalar() || !YAML::convert<double>::decode(node, out) || !std::isfinite(out))
      return fail(bad(field, "must be a number"));
    if (out < min || out > max) {
      std::ostringstream range;
      range << "must be between " << min << " and " << max << ", not " << node.Scalar();
      return fail(bad(field, range.str()));
    }
    return out;
  }

  Result<bool> boolean(const YAML::Node& root, const std::string& field) const {
    const YAML::Node node = root[field];
    if (!node.IsDefined() || node.IsNull()) return false;
    bool out = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, out))
      return fail(bad(field, "must be true or false"));
    return out;
  }

  std::filesystem::path resolve(const std::string& file) const {
    std::filesystem::path p(file);
    return p.is_absolute() ? p : dir / p;
  }
};

bool valid_group_name(const std::string& name) {
  return !name.empty() && name.size() <= 128 && name.find_first_of(" \t\r\n/") == std::string::npos;
}

bool looks_like_filter(const std::string& filter) {
  if (filter.size() < 3 || filter.front() != '(' || filter.back() != ')') return false;
  int depth = 0;
  for (char c : filter) {
    if (c == '(') ++depth;
    if (c == ')' && --depth < 0) return false;
  }
  return depth == 0;
}

Result<LdapOptions> load(const std::string& path, const YAML::Node& root) {
  Reader r{path, std::filesystem::path(path).parent_path()};
  if (!root.IsMap())
    return fail(Error::invalid(
        "", "LDAP config " + path + " must be a mapping of settings such as url and userBase"));
  for (const auto& entry : root) {
    auto key = entry.first.IsScalar() ? entry.first.Scalar() : std::string("?");
    if (!kFields.contains(key))
      return fail(r.bad(key,
                        "unknown setting; the settings are url, bindDN, bindPasswordFile, userBase, "
                        "userFilter, userNameAttribute, displayNameAttribute, groupBase, groupFilter, "
                        "groupAttribute, memberOfAttribute, groupPrefix, groupMap, startTLS, caFile, "
                        "timeout, poolSize, groupCacheSeconds"));
  }

  LdapOptions o;
  auto take = [&](const char* field, std::string& out) -> Status {
    auto v = r.text(root, field, out);
    if (!v) return tl::unexpected(v.error());
    out = *v;
    return {};
  };
  std::string password_file;
  for (auto [field, out] : std::initializer_list<std::pair<const char*, std::string*>>{
           {"url", &o.url},
           {"bindDN", &o.bind_dn},
           {"bindPasswordFile", &password_file},
           {"userBase", &o.user_base},
           {"userFilter", &o.user_filter},
           {"userNameAttribute", &o.user_name_attribute},
           {"displayNameAttribute", &o.display_name_attribute},
           {"groupBase", &o.group_base},
           {"groupFilter", &o.group_filter},
           {"groupAttribute", &o.group_attribute},
           {"memberOfAttribute", &o.member_of_attribute},
           {"groupPrefix", &o.group_prefix},
           {"caFile", &o.ca_file}}) {
    if (auto s = take(field, *out); !s) return tl::unexpected(s.error());
  }

  if (o.url.empty()) return fail(r.bad("url", "is required, for example ldap://ldap.example.org:389"));
  {
    std::istringstream urls(o.url);
    std::string u;
    while (urls >> u) {
      if (!u.starts_with("ldap://") && !u.starts_with("ldaps://"))
        return fail(r.bad("url", "\"" + u + "\" must start with ldap:// or ldaps://"));
      if (u == "ldap://" || u == "ldaps://")
        return fail(r.bad("url", "\"" + u + "\" names no server; write ldap://HOST:PORT"));
    }
  }
  auto start_tls = r.boolean(root, "startTLS");
  if (!start_tls) return tl::unexpected(start_tls.error());
  o.start_tls = *start_tls;
  if (o.start_tls && o.url.find("ldaps://") != std::string::npos)
    return fail(r.bad("startTLS", "is for ldap:// URLs; an ldaps:// URL is encrypted from the start"));
  if (!o.ca_file.empty()) {
    auto ca = r.resolve(o.ca_file);
    std::ifstream in(ca);
    if (!in) return fail(r.bad("caFile", ca.string() + " cannot be read"));
    o.ca_file = ca.string();
  }

  if (!o.bind_dn.empty() && password_file.empty())
    return fail(
        r.bad("bindPasswordFile", "is required with bindDN: a file holding the service account's password"));
  if (o.bind_dn.empty() && !password_file.empty())
    return fail(r.bad("bindDN", "is required with bindPasswordFile: the DN of the service account"));
  if (!password_file.empty()) {
    auto file = r.resolve(password_file);
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail(r.bad("bindPasswordFile", file.string() + " cannot be read"));
    std::ostringstream content;
    content << in.rdbuf();
    o.bind_password = content.str();
    while (!o.bind_password.empty() && (o.bind_password.back() == '\n' || o.bind_password.back() == '\r'))
      o.bind_password.pop_back();
    if (o.bind_password.empty())
      return fail(
          r.bad("bindPasswordFile", file.string() + " is empty; an empty password would bind anonymously"));
  }

  if (o.user_base.empty())
    return fail(r.bad(
        "userBase", "is required: the DN under which users are searched, e.g. ou=people,dc=example,dc=org"));
  if (!looks_like_filter(o.user_filter))
    return fail(
        r.bad("userFilter",
              "must be an LDAP filter in parentheses, e.g. (&(objectClass=inetOrgPerson)(uid={username}))"));
  if (o.user_filter.find("{username}") == std::string::npos)
    return fail(r.bad("userFilter", "must contain {username}, which is replaced by the login name"));
  if (o.user_name_attribute.empty()) return fail(r.bad("userNameAttribute", "must not be empty"));
  if (!o.group_base.empty()) {
    if (!looks_like_filter(o.group_filter))
      return fail(
          r.bad("groupFilter",
                "must be an LDAP filter in parentheses, e.g. (&(objectClass=groupOfNames)(member={dn}))"));
    if (o.group_filter.find("{dn}") == std::string::npos &&
        o.group_filter.find("{username}") == std::string::npos)
      return fail(r.bad("groupFilter", "must contain {dn} (the user's DN) or {username}"));
    if (o.group_attribute.empty()) return fail(r.bad("groupAttribute", "must not be empty"));
  } else if (root["groupFilter"].IsDefined() && !root["groupFilter"].IsNull()) {
    return fail(r.bad("groupBase", "is required with groupFilter: the DN under which groups are searched"));
  }

  if (const YAML::Node map = root["groupMap"]; map.IsDefined() && !map.IsNull()) {
    if (!map.IsMap()) return fail(r.bad("groupMap", "must map directory group names to Wharf group names"));
    for (const auto& entry : map) {
      if (!entry.first.IsScalar() || !entry.second.IsScalar())
        return fail(r.bad("groupMap", "must map directory group names to Wharf group names"));
      if (!valid_group_name(entry.second.Scalar()))
        return fail(r.bad("groupMap." + entry.first.Scalar(),
                          "\"" + entry.second.Scalar() +
                              "\" is not a Wharf group name: 1 to 128 characters, no spaces or slashes"));
      o.group_map[entry.first.Scalar()] = entry.second.Scalar();
    }
  }

  auto timeout = r.number(root, "timeout", 5, 0.1, 300);
  if (!timeout) return tl::unexpected(timeout.error());
  o.timeout = std::chrono::milliseconds(static_cast<int64_t>(std::llround(*timeout * 1000)));
  auto pool = r.number(root, "poolSize", o.pool_size, 1, 64);
  if (!pool) return tl::unexpected(pool.error());
  if (*pool != std::floor(*pool)) return fail(r.bad("poolSize", "must be a whole number"));
  o.pool_size = static_cast<int>(*pool);
  auto cache = r.number(root, "groupCacheSeconds", static_cast<double>(o.group_cache.count()), 0, 86400);
  if (!cache) return tl::unexpected(cache.error());
  if (*cache != std::floor(*cache)) return fail(r.bad("groupCacheSeconds", "must be a whole number"));
  o.group_cache = std::chrono::seconds(static_cast<int64_t>(*cache));
  return o;
}

}  // namespace

Result<LdapOptions> load_ldap_config(const std::string& path) {
  // yaml-cpp reports with exceptions; they end here.
  try {
    return load(path, YAML::LoadFile(path));
  } catch (const YAML::BadFile&) {
    return fail(
        Error::invalid("", "LDAP config " + path + " cannot be read; check the path given to --ldap-config"));
  } catch (const YAML::Exception& e) {
    return fail(Error::invalid("", "LDAP config " + path + " is not valid YAML or JSON: " + e.what()));
  }
}

}  // namespace wharf
