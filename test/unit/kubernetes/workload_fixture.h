// A typical workload for the Kubernetes driver's unit tests.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

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

inline ConfigItem config_item(std::string key, std::string value, ConfigType type = ConfigType::kString,
                              bool secret = false) {
  ConfigItem i;
  i.key = std::move(key);
  i.value = std::move(value);
  i.type = type;
  i.secret = secret;
  return i;
}

// Config version `number` of web in shop/prod, its items sorted by key as stored versions are.
inline std::shared_ptr<ConfigVersion> config_version(int64_t number, std::vector<ConfigItem> items) {
  auto v = std::make_shared<ConfigVersion>();
  v->project = "shop";
  v->app = "web";
  v->environment = "prod";
  v->version = number;
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  v->items = std::move(items);
  return v;
}

}  // namespace wharf::kube::testing
