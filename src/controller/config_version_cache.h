// ConfigVersionCache: published config versions loaded with their secret values unsealed, for delivery:
// the release controller hands them to the runtime drivers, the config client APIs (long poll, Apollo)
// serve them. Versions are immutable, so entries never go stale; the `capacity` most recently used stay,
// so a server with many apps does not keep every version in memory. Thread-safe.
#pragma once

#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "core/config_version.h"
#include "core/error.h"
#include "store/store.h"

namespace wharf {

class SecretBox;

class ConfigVersionCache {
 public:
  ConfigVersionCache(Store& store, const SecretBox* secrets, size_t capacity = 64)
      : store_(store), secrets_(secrets), capacity_(capacity) {}

  // The version with plaintext items. `not_found` when it does not exist; `invalid` when a secret value
  // does not unseal (no secret key, or another one); store errors pass through.
  Result<std::shared_ptr<const ConfigVersion>> get(const ConfigKey& key, int64_t version);

 private:
  struct Entry {
    std::string key;  // project/app/environment#version
    std::shared_ptr<const ConfigVersion> config;
  };
  Store& store_;
  const SecretBox* secrets_;
  const size_t capacity_;
  std::mutex mu_;
  std::list<Entry> entries_;  // most recently used first
};

}  // namespace wharf
