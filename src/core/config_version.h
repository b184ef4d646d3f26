// ConfigVersion: an immutable, numbered snapshot of one app's config in one environment. Versions are
// numbered 1, 2, ... per app x environment without gaps; releases refer to them by number.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/config_item.h"

namespace wharf {

struct ConfigVersion {
  std::string project;
  std::string app;
  std::string environment;
  int64_t version = 0;
  std::string message;  // the publisher's "why"
  std::string created_by;
  std::string created_at;
  int64_t item_count = 0;
  int64_t size_bytes = 0;         // keys and values together (config_item_size)
  std::vector<ConfigItem> items;  // sorted by key; empty when only the header was read
  int64_t resource_version = 0;
};

}  // namespace wharf
