// Environment: a stage of a project (dev, test, prod) that targets clusters and a namespace.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"

namespace wharf {

struct EnvironmentPolicy {
  // Production environments refuse apps without resources (they would be BestEffort).
  bool production = false;
};

struct Environment {
  std::string project;
  std::string name;
  std::vector<std::string> clusters;  // at least one; several = active-active
  std::string ns;                     // namespace on Kubernetes clusters; default "<project>-<name>"
  EnvironmentPolicy policy;
  int64_t resource_version = 0;
  std::string created_at;
  std::string updated_at;
};

// Fills defaults (namespace) and validates names, cluster list (non-empty, no duplicates) and namespace
// (a DNS label of at most 63 characters). Whether the clusters exist is the caller's check.
Result<Environment> normalize_environment(Environment env);

}  // namespace wharf
