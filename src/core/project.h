// Project: a team's tenant. Owns environments and apps.
#pragma once

#include <cstdint>
#include <string>

#include "core/error.h"

namespace wharf {

struct Project {
  std::string name;
  std::string display_name;
  std::string description;
  int64_t resource_version = 0;  // set by the store; stale values on update -> conflict
  std::string created_at;        // RFC 3339, set by the store
  std::string updated_at;
};

// Name, display name (<= 100 chars) and description (<= 2000 chars).
Status validate_project(const Project& project);

}  // namespace wharf
