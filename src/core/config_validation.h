// Validation of a set of config items (a draft about to be published): every problem at once, each
// tied to the item and field at fault, so that an editor can mark them all.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/config_item.h"
#include "core/error.h"

namespace wharf {

struct ConfigItemError {
  std::string field;    // "items[3].value": the index is the item's position in the span validated
  std::string key;      // the item's key, "" for a problem of the whole set
  std::string message;  // what is wrong and how to fix it

  bool operator==(const ConfigItemError&) const = default;
};

// Checks keys (rules of config_item.h, unique), comments, sizes (per item and in total), each value
// against its type (int, bool, JSON, YAML and .properties well-formed) and its validation (regex, int
// range), and the validation rules themselves (a regex compiles and applies to a scalar; min/max to an
// int item). Empty when every item is fine. Values are checked as given, so secrets must be plaintext.
std::vector<ConfigItemError> validate_config_items(std::span<const ConfigItem> items);

// The limits alone (item count, per-item and total size, key and comment length), cheap enough for every
// edit of a draft: drafts may hold unfinished values, but not unbounded ones. The error names the field.
Status check_config_limits(std::span<const ConfigItem> items);

}  // namespace wharf
