// Which registries need credentials and which are reached over plain HTTP, from a JSON file in Docker's
// config.json shape (DATA_DIR/registries.json):
//   {"auths": {"registry.example.com": {"auth": "<base64 user:password>"},
//              "10.0.0.5:5000": {"username": "ci", "password": "..."}},
//    "insecure": ["10.0.0.5:5000"]}
// ("insecure-registries" is accepted too). Loopback registries always use plain HTTP.
#pragma once

#include <map>
#include <set>
#include <string>

#include "core/error.h"

namespace wharf {

struct RegistryCredentials {
  std::string username;
  std::string password;  // never logged, never part of an error message
};

struct RegistryConfig {
  std::string source;  // the file it came from, for messages ("" when none)
  std::map<std::string, RegistryCredentials> auths;
  std::set<std::string> insecure;

  const RegistryCredentials* credentials(const std::string& registry) const;
  // Plain HTTP: a loopback host (127.0.0.0/8, ::1, localhost) or one listed as insecure.
  bool plain_http(const std::string& registry) const;
};

// Reads `path`. A missing file (or an empty path) is an empty config; a malformed one is `invalid`
// naming the file and the entry at fault.
Result<RegistryConfig> load_registry_config(const std::string& path);

}  // namespace wharf
