#include "image/registry_config.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "util/crypto.h"

namespace wharf {
namespace {

using nlohmann::json;

// Standard base64 (what Docker writes in "auth") through the URL-safe decoder.
bool base64_decode(std::string text, std::string& out) {
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return base64url_decode(text, out);
}

std::string host_of(const std::string& registry) {
  if (registry.starts_with('[')) return registry.substr(1, registry.find(']') - 1);
  return registry.substr(0, registry.rfind(':') == std::string::npos ? registry.size() : registry.rfind(':'));
}

}  // namespace

const RegistryCredentials* RegistryConfig::credentials(const std::string& registry) const {
  auto it = auths.find(registry);
  if (it == auths.end() && registry == "docker.io") it = auths.find("index.docker.io");
  return it == auths.end() ? nullptr : &it->second;
}

bool RegistryConfig::plain_http(const std::string& registry) const {
  if (insecure.contains(registry)) return true;
  std::string host = host_of(registry);
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

Result<RegistryConfig> load_registry_config(const std::string& path) {
  RegistryConfig config;
  if (path.empty()) return config;
  std::ifstream in(path);
  if (!in) return config;
  config.source = path;
  std::stringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str(), nullptr, false);
  auto bad = [&](const std::string& why) { return fail(Error::invalid("registries", path + ": " + why)); };
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  if (auto auths = j.find("auths"); auths != j.end()) {
    if (!auths->is_object()) return bad("\"auths\" must be an object of registry host -> credentials");
    for (const auto& [host, entry] : auths->items()) {
      if (!entry.is_object()) return bad("auths." + host + " must be an object");
      RegistryCredentials c;
      if (auto auth = entry.find("auth"); auth != entry.end() && auth->is_string()) {
        std::string decoded;
        auto colon = std::string::npos;
        if (base64_decode(auth->get<std::string>(), decoded)) colon = decoded.find(':');
        if (colon == std::string::npos)
          return bad("auths." + host + ".auth must be base64 of \"username:password\"");
        c.username = decoded.substr(0, colon);
        c.password = decoded.substr(colon + 1);
      } else {
        c.username = entry.value("username", "");
        c.password = entry.value("password", "");
        if (c.username.empty())
          return bad("auths." + host + " needs \"auth\" or \"username\" and \"password\"");
      }
      std::string key = host;
      if (key.starts_with("https://") || key.starts_with("http://")) key = key.substr(key.find("://") + 3);
      key = key.substr(0, key.find('/'));  // "https://index.docker.io/v1/" -> "index.docker.io"
      config.auths[key] = std::move(c);
    }
  }
  for (const char* key : {"insecure", "insecure-registries"}) {
    auto list = j.find(key);
    if (list == j.end()) continue;
    if (!list->is_array()) return bad(std::string("\"") + key + "\" must be a list of registry hosts");
    for (const auto& h : *list)
      if (h.is_string()) config.insecure.insert(h.get<std::string>());
  }
  return config;
}

}  // namespace wharf
