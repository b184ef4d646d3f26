// What handlers need from the rest of the server. Owned by the server; outlives every request.
#pragma once

#include <functional>
#include <string>

#include "auth/token_authenticator.h"
#include "events/event_bus.h"
#include "runtime/cluster_runtimes.h"
#include "store/store.h"

namespace wharf::kube {
class KubernetesClusters;
}

namespace wharf {
class ConfigVersionCache;
class ImageStore;
class LiveConfigHub;
class LoginService;
class SessionManager;
class SecretBox;
}  // namespace wharf

namespace wharf::api {

class RequestMetrics;

struct ApiContext {
  Store& store;
  EventBus& bus;
  TokenAuthenticator& auth;
  std::function<void()> wake_controller;  // a new release was stored
  std::function<bool()> ready;            // /readyz: the server finished starting and is not draining
  const RequestMetrics* metrics = nullptr;
  ClusterRuntimes* runtimes = nullptr;             // drivers per cluster: logs, driver metrics
  ImageStore* images = nullptr;                    // registry browsing (repositories, tags)
  kube::KubernetesClusters* kubernetes = nullptr;  // registers and deletes Kubernetes clusters
  LoginService* login = nullptr;                   // passwords and logins
  SessionManager* sessions = nullptr;              // console sessions
  const SecretBox* secrets = nullptr;              // seals secret config values (DATA_DIR/secret.key)
  LiveConfigHub* live_config = nullptr;            // live config versions and their long polls
  ConfigVersionCache* config_versions = nullptr;   // plaintext config versions for config clients
};

}  // namespace wharf::api
