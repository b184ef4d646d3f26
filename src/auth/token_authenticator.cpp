#include "auth/token_authenticator.h"

#include <fstream>
#include <sstream>

#include "auth/secret_file.h"
#include "util/clock.h"
#include "util/crypto.h"

namespace wharf {
namespace {

constexpr std::string_view kTokenPrefix = "wharf_";

}  // namespace

Result<TokenAuthenticator::IssuedToken> TokenAuthenticator::issue_token(const std::string& user,
                                                                        const std::string& name,
                                                                        const std::string& expires_at) {
  std::string secret = std::string(kTokenPrefix) + random_hex(24);
  ApiToken token{random_hex(8), user, name, sha256_hex(secret), "", expires_at};
  if (auto stored = store_.create_token(token); !stored) return tl::unexpected(stored.error());
  return IssuedToken{token.id, std::move(secret)};
}

Status TokenAuthenticator::bootstrap(const std::filesystem::path& data_dir) {
  auto admin = store_.get_user(kAdminUser);
  if (!admin) {
    if (admin.error().code != ErrorCode::kNotFound) return tl::unexpected(admin.error());
    User u{kAdminUser, "Administrator", true, ""};
    if (auto created = store_.create_user(u); !created) return tl::unexpected(created.error());
  }
  auto path = data_dir / "admin-token";
  std::ifstream in(path);
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    std::string secret = ss.str();
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    if (!secret.empty()) {
      auto found = store_.find_token_by_hash(sha256_hex(secret));
      if (found) return {};
      if (found.error().code != ErrorCode::kNotFound) return tl::unexpected(found.error());
      // The file survived but the database did not (restored or recreated): the file is the authority,
      // since only the machine's root or the server's user can read it.
      ApiToken token{random_hex(8), kAdminUser, "admin-token file", sha256_hex(secret), "", ""};
      if (auto stored = store_.create_token(token); !stored) return tl::unexpected(stored.error());
      return {};
    }
  }
  auto secret = issue_token(kAdminUser, "admin-token file");
  if (!secret) return tl::unexpected(secret.error());
  return write_secret_file(path, secret->secret + "\n");
}

Result<Identity> TokenAuthenticator::authenticate(std::string_view authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.empty())
    return fail(
        Error::unauthorized("this endpoint needs a token: send the header \"Authorization: Bearer TOKEN\""));
  if (authorization.size() <= kBearer.size() || authorization.substr(0, kBearer.size()) != kBearer)
    return fail(Error::unauthorized("the Authorization header must be \"Bearer TOKEN\""));
  auto secret = authorization.substr(kBearer.size());
  auto hash = sha256_hex(secret);
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(hash);
    if (it != cache_.end() && it->second.until > now) return it->second.identity;
  }
  auto token = store_.find_token_by_hash(hash);
  if (!token) {
    if (token.error().code == ErrorCode::kNotFound)
      return fail(Error::unauthorized("the token is not valid (unknown, revoked or expired); log in again"));
    return tl::unexpected(token.error());
  }
  Identity id;
  if (credentials_) {
    auto user = credentials_->get_credentials(token->user);
    if (!user) return fail(Error::unauthorized("the token's user no longer exists"));
    id.user = user->user;
    id.admin = user->admin;
    id.source = user->source;
  } else {
    auto user = store_.get_user(token->user);
    if (!user) return fail(Error::unauthorized("the token's user no longer exists"));
    id.user = user->name;
    id.admin = user->admin;
  }
  std::lock_guard lock(mu_);
  if (cache_.size() > 10000) cache_.clear();  // bound memory against floods of distinct valid tokens
  cache_[hash] = Cached{id, now + kCacheTtl};
  return id;
}

Result<std::vector<ApiToken>> TokenAuthenticator::list(const std::string& user) {
  if (!credentials_) return fail(Error::internal("token listing is not set up"));
  return credentials_->list_tokens(user);
}

Status TokenAuthenticator::revoke(const std::string& user, const std::string& id) {
  if (!credentials_) return fail(Error::internal("token revocation is not set up"));
  auto deleted = credentials_->delete_token(user, id);
  if (!deleted) return fail(std::move(deleted.error()));
  std::lock_guard lock(mu_);
  cache_.erase(deleted->hash);
  return {};
}

void TokenAuthenticator::forget_user(const std::string& user) {
  std::lock_guard lock(mu_);
  std::erase_if(cache_, [&](const auto& entry) { return entry.second.identity.user == user; });
}

}  // namespace wharf
