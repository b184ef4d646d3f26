// The app spec: what a team declares about a long-running service (API.md, "App spec").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/qos.h"

namespace wharf {

struct PortSpec {
  std::string name;              // IANA_SVC_NAME, unique within the app; empty only for a sole port
  int port = 0;                  // 1..65535, unique per protocol within the app (as in Kubernetes)
  std::string protocol = "TCP";  // TCP, UDP or SCTP

  bool operator==(const PortSpec&) const = default;
};

// A probe target port is either a port number or the name of one of the app's ports.
struct PortRef {
  std::string name;  // set when given by name
  int number = 0;    // set when given by number

  bool operator==(const PortRef&) const = default;
};

struct Probe {
  enum class Kind { kHttp, kTcp, kExec };
  Kind kind = Kind::kHttp;
  std::string path = "/";            // http only
  PortRef port;                      // http and tcp
  std::vector<std::string> command;  // exec only
  int initial_delay_seconds = 0;
  int period_seconds = 10;
  int timeout_seconds = 1;
  int success_threshold = 1;
  int failure_threshold = 3;

  bool operator==(const Probe&) const = default;
};

struct HealthCheck {
  std::optional<Probe> readiness;
  std::optional<Probe> liveness;

  bool operator==(const HealthCheck&) const = default;
};

// maxSurge / maxUnavailable: an absolute count or a percentage of replicas ("25%").
struct IntOrPercent {
  int value = 0;
  bool percent = false;

  bool operator==(const IntOrPercent&) const = default;
};

struct Strategy {
  IntOrPercent max_surge{1, false};
  IntOrPercent max_unavailable{0, false};
  int progress_deadline_seconds = 600;

  bool operator==(const Strategy&) const = default;
};

struct Resources {
  std::string cpu;     // as the user wrote it ("500m"); empty when unset
  std::string memory;  // as the user wrote it ("512Mi"); empty when unset

  bool operator==(const Resources&) const = default;
};

inline constexpr std::string_view kDefaultConfigPath = "/etc/wharf/config";

struct AppSpec {
  std::string name;
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::vector<PortSpec> ports;
  std::map<std::string, std::string> env;
  Resources resources;
  QosTier qos = QosTier::kStandard;
  int replicas = 1;
  HealthCheck health_check;
  Strategy strategy;
  // Where the config version's file items appear in each instance (read-only).
  std::string config_path = std::string(kDefaultConfigPath);

  bool operator==(const AppSpec&) const = default;
};

// Upper bound on replicas one app may ask for in one environment.
inline constexpr int kMaxReplicas = 1000;

// Checks every field; the first problem found is returned with its field path relative to the spec
// ("replicas", "ports[1].port", "healthCheck.readiness.http.port") and a message saying what to change.
// An empty image is allowed (the first deploy supplies one); so is an unnamed port when it is the only one.
// Pure: no I/O.
Status validate_app_spec(const AppSpec& spec);

// The limits the spec's resources denote (validated specs only: unparsable values abort).
ResourceLimits limits_of(const AppSpec& spec);

// Strategy arithmetic for `replicas` desired: the absolute surge and unavailability allowed, as
// Kubernetes computes them (surge rounds up, unavailable rounds down; when both resolve to zero,
// maxUnavailable becomes 1, as in Kubernetes' ResolveFenceposts).
struct RolloutBudget {
  int max_surge = 1;
  int max_unavailable = 0;
};
RolloutBudget rollout_budget(const Strategy& strategy, int replicas);

}  // namespace wharf
