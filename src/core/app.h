// App: a long-running service of a project, declared by its spec.
#pragma once

#include <cstdint>
#include <string>

#include "core/app_spec.h"

namespace wharf {

struct App {
  std::string project;
  AppSpec spec;  // spec.name is the app's name
  int64_t resource_version = 0;
  std::string created_at;
  std::string updated_at;
};

}  // namespace wharf
