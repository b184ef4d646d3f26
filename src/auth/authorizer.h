// Authorizer: the AccessPolicy of an authenticated caller, from the role bindings naming them or their
// groups and the custom roles in the store.
//
// Policies are cached per caller until the store changes (every write bumps its version), so a revoked
// binding or a changed role applies from the next request on. Thread-safe; blocks for two store reads on a
// cache miss.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "auth/identity.h"
#include "core/access_policy.h"
#include "store/store.h"

namespace wharf {

class Authorizer {
 public:
  explicit Authorizer(Store& store) : store_(store) {}

  Result<std::shared_ptr<const AccessPolicy>> policy_for(const Identity& who);

 private:
  struct Cached {
    int64_t version = 0;
    std::vector<std::string> groups;
    std::shared_ptr<const AccessPolicy> policy;
  };
  Store& store_;
  std::mutex mu_;
  std::unordered_map<std::string, Cached> cache_;  // by user name
  std::shared_ptr<const AccessPolicy> admin_ = std::make_shared<AccessPolicy>(AccessPolicy::platform_admin());
};

}  // namespace wharf
