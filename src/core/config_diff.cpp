#include "core/config_diff.h"

#include <map>

namespace wharf {

std::string_view to_string(ConfigChangeKind kind) {
  switch (kind) {
    case ConfigChangeKind::kAdded:
      return "added";
    case ConfigChangeKind::kRemoved:
      return "removed";
    case ConfigChangeKind::kChanged:
      return "changed";
  }
  return "";
}

std::vector<ConfigChange> diff_config(std::span<const ConfigItem> from, std::span<const ConfigItem> to) {
  std::map<std::string_view, std::pair<const ConfigItem*, const ConfigItem*>> keys;
  for (const auto& i : from) keys[i.key].first = &i;
  for (const auto& i : to) keys[i.key].second = &i;
  std::vector<ConfigChange> out;
  for (const auto& [key, pair] : keys) {
    const auto [a, b] = pair;
    ConfigChange c;
    c.key = std::string(key);
    if (!a) {
      c.kind = ConfigChangeKind::kAdded;
      c.secret = b->secret;
      if (!c.secret) c.new_value = b->value;
    } else if (!b) {
      c.kind = ConfigChangeKind::kRemoved;
      c.secret = a->secret;
      if (!c.secret) c.old_value = a->value;
    } else {
      if (a->value != b->value) c.fields.emplace_back("value");
      if (a->type != b->type) c.fields.emplace_back("type");
      if (a->comment != b->comment) c.fields.emplace_back("comment");
      if (a->validation != b->validation) c.fields.emplace_back("validation");
      if (a->secret != b->secret) c.fields.emplace_back("secret");
      if (c.fields.empty()) continue;
      c.kind = ConfigChangeKind::kChanged;
      c.secret = a->secret || b->secret;
      if (!c.secret && a->value != b->value) {
        c.old_value = a->value;
        c.new_value = b->value;
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace wharf
