// ConfigDraft: the working copy of one app's config in one environment. Edits change the draft; publishing
// snapshots it as the next ConfigVersion and leaves the draft equal to that version (based on it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/config_item.h"

namespace wharf {

struct ConfigDraft {
  std::string project;
  std::string app;
  std::string environment;
  int64_t base_version = 0;       // the version the draft started from; 0 before the first publish
  std::vector<ConfigItem> items;  // sorted by key, keys unique
  std::string updated_by;
  std::string updated_at;
  int64_t resource_version = 0;  // 0: never saved (an empty draft)
};

// Sorts items by key. Keys are compared bytewise; duplicates stay (validation reports them).
void sort_config_items(std::vector<ConfigItem>& items);

}  // namespace wharf
