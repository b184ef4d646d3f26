// Cluster: where instances run. `local` is built in and always present.
#pragma once

#include <cstdint>
#include <string>

namespace wharf {

inline constexpr const char* kLocalCluster = "local";

struct Cluster {
  std::string name;
  std::string type;    // "local" or "kubernetes"
  std::string server;  // API server URL for kubernetes clusters; empty for local
  int64_t resource_version = 0;
  std::string created_at;
};

}  // namespace wharf
