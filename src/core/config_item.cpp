#include "core/config_item.h"

#include <array>
#include <utility>

namespace wharf {
namespace {

constexpr std::array<std::pair<ConfigType, std::string_view>, 7> kTypes = {{
    {ConfigType::kString, "string"},
    {ConfigType::kInt, "int"},
    {ConfigType::kBool, "bool"},
    {ConfigType::kJson, "json"},
    {ConfigType::kYaml, "yaml"},
    {ConfigType::kProperties, "properties"},
    {ConfigType::kText, "text"},
}};

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::string_view to_string(ConfigType type) {
  for (const auto& [t, name] : kTypes)
    if (t == type) return name;
  return "string";
}

std::optional<ConfigType> parse_config_type(std::string_view text) {
  for (const auto& [t, name] : kTypes)
    if (name == text) return t;
  return std::nullopt;
}

bool is_config_file_name(std::string_view key) {
  if (key.empty() || key.size() > kMaxConfigKeyLength || key.front() == '.') return false;
  for (char c : key)
    if (!is_alpha(c) && !is_digit(c) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

bool is_env_var_name(std::string_view key) {
  if (key.empty() || (!is_alpha(key.front()) && key.front() != '_')) return false;
  for (char c : key)
    if (!is_alpha(c) && !is_digit(c) && c != '_') return false;
  return true;
}

bool is_file_item(const ConfigItem& item) {
  switch (item.type) {
    case ConfigType::kYaml:
    case ConfigType::kProperties:
    case ConfigType::kText:
      return true;
    case ConfigType::kJson:
      return item.key.size() > 5 && item.key.ends_with(".json");
    default:
      return false;
  }
}

Status validate_config_key(const ConfigItem& item, std::string_view field) {
  const std::string f(field);
  if (item.key.empty()) return fail(Error::invalid(f, "the key must not be empty"));
  if (item.key.size() > kMaxConfigKeyLength)
    return fail(Error::invalid(f, "the key must be at most " + std::to_string(kMaxConfigKeyLength) +
                                      " characters; got " + std::to_string(item.key.size())));
  if (is_file_item(item)) {
    if (!is_config_file_name(item.key))
      return fail(Error::invalid(f, "\"" + item.key + "\" is not a valid file name for a " +
                                        std::string(to_string(item.type)) +
                                        " item: use letters, digits, '.', '_' and '-', not starting with "
                                        "'.', such as \"application.yaml\""));
    return {};
  }
  bool ok = is_alpha(item.key.front()) || item.key.front() == '_';
  for (char c : item.key) ok = ok && (is_alpha(c) || is_digit(c) || c == '_' || c == '.' || c == '-');
  if (!ok)
    return fail(Error::invalid(f, "\"" + item.key + "\" is not a valid key for a " +
                                      std::string(to_string(item.type)) +
                                      " item: start with a letter or '_', then letters, digits, '_', '.' or "
                                      "'-', such as DATABASE_URL or db.pool.size"));
  return {};
}

}  // namespace wharf
