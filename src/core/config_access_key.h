// ConfigAccessKey: a secret with which a service reads one app's config in one environment through the
// Apollo-compatible client API (Apollo's "access key": requests are signed with HMAC-SHA1 of it). Whoever
// holds it reads secret items unmasked, so creating one needs config.reveal.
#pragma once

#include <cstdint>
#include <string>

namespace wharf {

struct ConfigAccessKey {
  std::string project;
  std::string app;
  std::string environment;
  int64_t id = 0;      // assigned by the store
  std::string secret;  // plaintext in the domain; sealed before it reaches the store
  std::string created_by;
  std::string created_at;
};

}  // namespace wharf
