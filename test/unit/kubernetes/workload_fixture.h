// A typical workload for the Kubernetes driver's unit tests.
#pragma once

#include "runtime/runtime.h"

namespace wharf::kube::testing {

inline Workload web_workload(int64_t revision = 2, int replicas = 3) {
  Workload w;
  w.key = {"shop", "web", "prod"};
  w.cluster = "k1";
  w.ns = "shop-prod";
  Release& r = w.release;
  r.project = "shop";
  r.app = "web";
  r.environment = "prod";
  r.revision = revision;
  r.image = "registry.local/shop/web:1.4.2";
  r.replicas = replicas;
  r.config_version = 12;
  AppSpec& s = r.spec;
  s.name = "web";
  s.image = r.image;
  s.replicas = replicas;
  s.command = {"/bin/server"};
  s.args = {"--port", "8080"};
  s.ports = {{"http", 8080, "TCP"}};
  s.env = {{"JAVA_OPTS", "-Xmx512m"}, {"A", "1"}};
  s.resources = {"500m", "512Mi"};
  s.qos = QosTier::kStandard;
  Probe readiness;
  readiness.kind = Probe::Kind::kHttp;
  readiness.path = "/healthz";
  readiness.port.name = "http";
  readiness.period_seconds = 5;
  Probe liveness;
  liveness.kind = Probe::Kind::kTcp;
  liveness.port.name = "http";
  liveness.initial_delay_seconds = 10;
  s.health_check = {readiness, liveness};
  s.strategy.max_surge = {25, true};
  s.strategy.max_unavailable = {0, false};
  s.strategy.progress_deadline_seconds = 120;
  return w;
}

}  // namespace wharf::kube::testing
