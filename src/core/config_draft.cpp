#include "core/config_draft.h"

#include <algorithm>

namespace wharf {

void sort_config_items(std::vector<ConfigItem>& items) {
  std::stable_sort(items.begin(), items.end(),
                   [](const ConfigItem& a, const ConfigItem& b) { return a.key < b.key; });
}

}  // namespace wharf
