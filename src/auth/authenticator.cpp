#include "auth/authenticator.h"

namespace wharf {

DirectoryGroups::DirectoryGroups(Directory* directory, std::chrono::seconds max_age, Clock clock)
    : directory_(directory), max_age_(max_age), clock_(std::move(clock)) {}

void DirectoryGroups::remember(const std::string& user, std::vector<std::string> groups) {
  std::lock_guard lock(mu_);
  if (cache_.size() > 10000) cache_.clear();  // bounded: a cache, not a registry
  cache_[user] = Entry{std::move(groups), clock_()};
}

Result<std::vector<std::string>> DirectoryGroups::groups_of(const std::string& user) {
  const auto now = clock_();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(user);
    if (it != cache_.end() && now - it->second.read_at < max_age_) return it->second.groups;
  }
  if (!directory_)
    return fail(Error::unavailable("user \"" + user +
                                   "\" comes from an LDAP directory, but this server has none configured"));
  auto entry = directory_->lookup(user);
  if (!entry) {
    if (entry.error().code == ErrorCode::kNotFound) {
      std::lock_guard lock(mu_);
      cache_.erase(user);
      return fail(Error::unauthorized("user \"" + user + "\" no longer exists in the directory"));
    }
    // Stale groups are not used: a group removed while the directory was down must not keep its access.
    return fail(std::move(entry.error()));
  }
  remember(user, entry->groups);
  return entry->groups;
}

Status Authenticator::add_directory_groups(Identity& id) {
  if (id.source != kSourceLdap) return {};
  auto groups = groups_.groups_of(id.user);
  if (!groups) return fail(std::move(groups.error()));
  id.groups = std::move(*groups);
  return {};
}

Result<Identity> Authenticator::authenticate(const Request& request) {
  if (!request.authorization.empty()) {
    auto id = tokens_.authenticate(request.authorization);
    if (!id) return id;
    if (auto s = add_directory_groups(*id); !s) return fail(std::move(s.error()));
    return id;
  }
  const std::string secret = SessionManager::cookie_of(request.cookie);
  if (secret.empty())
    return fail(Error::unauthorized(
        "this endpoint needs a token (send the header \"Authorization: Bearer TOKEN\") or a console session "
        "(POST /api/v1/login)"));
  auto session = sessions_.find(secret);
  if (!session) return fail(std::move(session.error()));
  auto user = credentials_.get_credentials(session->user);
  if (!user) {
    if (user.error().code == ErrorCode::kNotFound)
      return fail(Error::unauthorized("the session's user no longer exists"));
    return fail(std::move(user.error()));
  }
  Identity id;
  id.user = user->user;
  id.admin = user->admin;
  id.source = user->source;
  id.session = session->id_hash;
  id.session_csrf = session->csrf_hash;
  id.must_change_password = user->must_change_password;
  if (auto s = add_directory_groups(id); !s) return fail(std::move(s.error()));
  return id;
}

}  // namespace wharf
