// ClusterRuntimes: the RuntimeRegistry the server uses: a driver per cluster name, set at start-up and
// when clusters are registered.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "runtime/runtime.h"

namespace wharf {

class ClusterRuntimes : public RuntimeRegistry {
 public:
  // `runtime` must outlive the registry; nullptr removes the cluster's driver.
  void set(const std::string& cluster, Runtime* runtime) {
    std::lock_guard lock(mu_);
    if (runtime)
      drivers_[cluster] = runtime;
    else
      drivers_.erase(cluster);
  }
  Runtime* for_cluster(const std::string& cluster) override {
    std::lock_guard lock(mu_);
    auto it = drivers_.find(cluster);
    return it == drivers_.end() ? nullptr : it->second;
  }
  std::vector<std::pair<std::string, Runtime*>> all() override {
    std::lock_guard lock(mu_);
    return {drivers_.begin(), drivers_.end()};
  }

 private:
  std::mutex mu_;
  std::map<std::string, Runtime*> drivers_;
};

}  // namespace wharf
