// ConfigItem: one entry of an app's configuration in one environment, and the rules for its key.
//
// Items come in two kinds, decided by their type:
// - scalars (string, int, bool, and json under a key that is not a file name) are delivered as
//   environment variables when the key is a valid variable name, and always to the config API;
// - files (yaml, properties, text, and json under a file name such as "settings.json") are delivered as
//   files named by the key under the app's config mount.
// A secret item's value is sealed at rest and masked in every API response unless revealed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace wharf {

enum class ConfigType { kString, kInt, kBool, kJson, kYaml, kProperties, kText };

// "string", "int", "bool", "json", "yaml", "properties", "text".
std::string_view to_string(ConfigType type);
std::optional<ConfigType> parse_config_type(std::string_view text);

// Optional checks of a value beyond its type's own well-formedness (json and yaml values must parse,
// int values must be integers, bool values "true" or "false").
struct ConfigValidation {
  std::string regex;           // ECMAScript; the whole value must match. Scalars only.
  std::optional<int64_t> min;  // inclusive bounds; int items only
  std::optional<int64_t> max;

  bool empty() const { return regex.empty() && !min && !max; }
  bool operator==(const ConfigValidation&) const = default;
};

struct ConfigItem {
  std::string key;
  std::string value;  // plaintext in the domain; sealed by the API before it reaches the store
  ConfigType type = ConfigType::kString;
  std::string comment;
  ConfigValidation validation;
  bool secret = false;

  bool operator==(const ConfigItem&) const = default;
};

// What secret values look like in responses and exports; sending it back means "keep the stored value".
inline constexpr std::string_view kMaskedValue = "******";

// Limits. A version (every item's key and value together) may hold up to 4 MiB: well over Kubernetes'
// 1 MiB object limit, so that driver splits a version across several ConfigMaps, but one item must fit
// in one object there (a larger file item fails the release on Kubernetes; the local runtime takes it).
// Scalars stay small: they become environment variables, which Linux limits to 128 KiB each.
inline constexpr size_t kMaxConfigScalarBytes = 64 * 1024;
inline constexpr size_t kMaxConfigFileBytes = 3 * 1024 * 1024;
inline constexpr size_t kMaxConfigVersionBytes = 4 * 1024 * 1024;
inline constexpr size_t kMaxConfigItems = 2000;
inline constexpr size_t kMaxConfigKeyLength = 253;
inline constexpr size_t kMaxConfigCommentLength = 1000;
inline constexpr size_t kMaxConfigRegexLength = 1000;

// True when the item is delivered as a file (see the kinds above).
bool is_file_item(const ConfigItem& item);

// A file name: [A-Za-z0-9._-], at most 253 characters, not "." or "..", not starting with a '.'.
bool is_config_file_name(std::string_view key);
// An environment variable name: [A-Za-z_][A-Za-z0-9_]*.
bool is_env_var_name(std::string_view key);

// Checks the key for the item's kind: a file item needs a file name; a scalar needs
// [A-Za-z_][A-Za-z0-9_.-]* (dots for Apollo-style "db.pool.size"; only plain variable names also become
// environment variables). The error names `field`.
Status validate_config_key(const ConfigItem& item, std::string_view field);

// The bytes an item counts against the version limit: key plus value.
inline size_t config_item_size(const ConfigItem& item) {
  return item.key.size() + item.value.size();
}

}  // namespace wharf
