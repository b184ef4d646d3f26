// Instance: one running replica (a container locally, a pod on Kubernetes), as observed by a driver.
#pragma once

#include <cstdint>
#include <string>

namespace wharf {

struct Instance {
  std::string name;
  std::string state;  // creating, starting, running, exited, failed
  bool ready = false;
  int restarts = 0;
  std::string address;
  std::string cluster;
  std::string node;
  std::string started_at;  // RFC 3339
  int64_t release = 0;     // the revision this instance runs
  std::string reason;      // OOMKilled, Error, HealthCheckFailed, ... when not running
};

}  // namespace wharf
