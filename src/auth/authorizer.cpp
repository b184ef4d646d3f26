#include "auth/authorizer.h"

namespace wharf {

Result<std::shared_ptr<const AccessPolicy>> Authorizer::policy_for(const Identity& who) {
  if (who.admin) return admin_;
  auto version = store_.current_version();
  if (!version) return tl::unexpected(version.error());
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(who.user);
    if (it != cache_.end() && it->second.version == *version && it->second.groups == who.groups)
      return it->second.policy;
  }
  auto bindings = store_.bindings_of(who.user, who.groups);
  if (!bindings) return tl::unexpected(bindings.error());
  auto roles = store_.list_roles();
  if (!roles) return tl::unexpected(roles.error());
  auto policy = std::make_shared<const AccessPolicy>(
      AccessPolicy::member(grants_for(who.user, who.groups, *bindings, *roles)));
  std::lock_guard lock(mu_);
  if (cache_.size() > 10000) cache_.clear();  // bounded: a cache, not a registry
  cache_[who.user] = Cached{*version, who.groups, policy};
  return policy;
}

}  // namespace wharf
