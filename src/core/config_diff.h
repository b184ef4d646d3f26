// The difference between two config snapshots (versions or a draft), key by key. Pure.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config_item.h"

namespace wharf {

enum class ConfigChangeKind { kAdded, kRemoved, kChanged };

// "added", "removed", "changed".
std::string_view to_string(ConfigChangeKind kind);

struct ConfigChange {
  std::string key;
  ConfigChangeKind kind = ConfigChangeKind::kChanged;
  std::vector<std::string> fields;       // what changed: "value", "type", "comment", "validation", "secret"
  bool secret = false;                   // either side is secret: no values below
  std::optional<std::string> old_value;  // set for removed and changed non-secret items
  std::optional<std::string> new_value;  // set for added and changed non-secret items

  bool operator==(const ConfigChange&) const = default;
};

// Changes that turn `from` into `to`, sorted by key. Values are compared as given (so secrets must be
// compared in plaintext, or both sides sealed identically), but a secret value never appears in a change:
// a changed secret says "value" in `fields` and nothing more.
std::vector<ConfigChange> diff_config(std::span<const ConfigItem> from, std::span<const ConfigItem> to);

}  // namespace wharf
