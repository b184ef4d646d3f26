#include "runtime/kubernetes/kube_config_mapping.h"

#include "runtime/kubernetes/kube_mapping.h"

namespace wharf::kube {
namespace {

using json = nlohmann::json;

std::string base64(std::string_view data) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t n =
        (uint32_t(uint8_t(data[i])) << 16) | (uint32_t(uint8_t(data[i + 1])) << 8) | uint8_t(data[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i < data.size()) {
    uint32_t n = uint32_t(uint8_t(data[i])) << 16;
    if (i + 1 < data.size()) n |= uint32_t(uint8_t(data[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// ConfigMap `data` holds UTF-8 text; anything else goes to `binaryData` (base64).
// (As strict as the JSON encoder that sends it, which refuses what is not UTF-8.)
bool is_utf8(const std::string& s) {
  try {
    (void)json(s).dump();
    return true;
  } catch (const json::type_error&) {
    return false;
  }
}

// Where each item lives: its part's name, and whether that part is a Secret.
const ConfigPart* part_of(const ConfigLayout& layout, size_t item) {
  for (const auto& p : layout.parts)
    for (size_t i : p.items)
      if (i == item) return &p;
  return nullptr;
}

}  // namespace

std::string config_object_name(std::string_view app, int64_t version, bool secret, size_t part,
                               size_t parts) {
  std::string name = std::string(app) + (secret ? "-secret-v" : "-config-v") + std::to_string(version);
  if (parts > 1) name += "-" + std::to_string(part);
  return name;
}

Result<ConfigLayout> config_layout(const ConfigVersion& config, std::string_view app) {
  ConfigLayout layout;
  layout.version = config.version;
  for (bool secret : {false, true}) {
    std::vector<ConfigPart> parts;
    for (size_t i = 0; i < config.items.size(); ++i) {
      const ConfigItem& item = config.items[i];
      if (item.secret != secret) continue;
      const size_t bytes = config_item_size(item);
      if (bytes > kConfigPartBytes)
        return fail(Error::invalid("config", "config item \"" + item.key + "\" of version " +
                                                 std::to_string(config.version) + " is " +
                                                 std::to_string(bytes) + " bytes; a Kubernetes " +
                                                 (secret ? "Secret" : "ConfigMap") + " holds at most " +
                                                 std::to_string(kConfigPartBytes) +
                                                 " bytes, so it cannot be delivered to a cluster"));
      if (parts.empty() || parts.back().bytes + bytes > kConfigPartBytes)
        parts.push_back({{}, secret, {}, 0});
      parts.back().items.push_back(i);
      parts.back().bytes += bytes;
    }
    for (size_t p = 0; p < parts.size(); ++p) {
      parts[p].name = config_object_name(app, config.version, secret, p, parts.size());
      layout.parts.push_back(std::move(parts[p]));
    }
  }
  return layout;
}

json config_object(const Workload& w, const ConfigLayout& layout, const ConfigPart& part) {
  json labels = {{kNameLabel, w.key.app},
                 {kManagedByLabel, kManagedByValue},
                 {kProjectLabel, w.key.project},
                 {kEnvironmentLabel, w.key.environment},
                 {kConfigVersionLabel, std::to_string(layout.version)}};
  json data = json::object(), binary = json::object();
  for (size_t i : part.items) {
    const ConfigItem& item = w.config->items[i];
    if (part.secret)
      data[item.key] = base64(item.value);
    else if (is_utf8(item.value))
      data[item.key] = item.value;
    else
      binary[item.key] = base64(item.value);
  }
  json object = {{"apiVersion", "v1"},
                 {"kind", part.secret ? "Secret" : "ConfigMap"},
                 {"metadata", {{"name", part.name}, {"namespace", w.ns}, {"labels", std::move(labels)}}},
                 {"immutable", true},
                 {"data", std::move(data)}};
  if (!binary.empty()) object["binaryData"] = std::move(binary);
  if (part.secret) object["type"] = "Opaque";
  return object;
}

json config_env(const ConfigVersion& config, const ConfigLayout& layout, const std::set<std::string>& taken) {
  json env = json::array();
  for (size_t i = 0; i < config.items.size(); ++i) {
    const ConfigItem& item = config.items[i];
    if (is_file_item(item) || !is_env_var_name(item.key) || taken.count(item.key)) continue;
    const ConfigPart* part = part_of(layout, i);
    if (!part) continue;
    json ref = {{"name", part->name}, {"key", item.key}};
    env.push_back({{"name", item.key},
                   {"valueFrom", {{part->secret ? "secretKeyRef" : "configMapKeyRef", std::move(ref)}}}});
  }
  return env;
}

json config_volume(const ConfigVersion& config, const ConfigLayout& layout) {
  json sources = json::array();
  for (const auto& part : layout.parts) {
    json items = json::array();
    for (size_t i : part.items)
      if (is_file_item(config.items[i]))
        items.push_back({{"key", config.items[i].key}, {"path", config.items[i].key}});
    if (items.empty()) continue;
    sources.push_back(
        {{part.secret ? "secret" : "configMap", {{"name", part.name}, {"items", std::move(items)}}}});
  }
  if (sources.empty()) return nullptr;
  return {{"name", kConfigVolumeName}, {"projected", {{"sources", std::move(sources)}}}};
}

std::string config_selector(const ReleaseKey& key) {
  return managed_selector() + "," + std::string(kNameLabel) + "=" + key.app + "," +
         std::string(kProjectLabel) + "=" + key.project + "," + std::string(kEnvironmentLabel) + "=" +
         key.environment + "," + std::string(kConfigVersionLabel);
}

int64_t template_config_version(const json& pod_template) {
  return annotation_number(pod_template, kConfigVersionAnnotation);
}

}  // namespace wharf::kube
