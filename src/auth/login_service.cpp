#include "auth/login_service.h"

#include <spdlog/spdlog.h>

#include "auth/secret_file.h"
#include "util/crypto.h"

namespace wharf {
namespace {

// One message for an unknown name, a wrong password and a user without a password: a caller must not be
// able to tell which names exist.
Error mismatch() {
  return Error::unauthorized("wrong user name or password");
}

// A user name as it may appear in a log line or an audit record: bounded, without control characters.
std::string printable(const std::string& name) {
  std::string out;
  for (char c : name.substr(0, 128)) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  return out;
}

}  // namespace

void LoginService::record_failure(const std::string& username, const std::string& remote,
                                  const std::string& why, bool audit) {
  limiter_.record_failure(username, LoginLimiter::host_of(remote));
  const std::string name = printable(username);
  spdlog::warn("login failed for user \"{}\" from {}: {}", name, remote, why);
  if (!audit) return;
  AuditRecord record{0, "", name, remote, "login.failed", "POST", "/api/v1/login", "", "denied"};
  if (auto s = store_.append_audit(record); !s)
    spdlog::error("audit record of the failed login of \"{}\" lost: {}", name, s.error().message);
}

Result<LoginOutcome> LoginService::login(const std::string& username, const std::string& password,
                                         const std::string& remote) {
  if (auto wait = limiter_.retry_after(username, LoginLimiter::host_of(remote)); wait.count() > 0) {
    spdlog::warn("login refused for user \"{}\" from {}: too many failures, retry in {} s",
                 printable(username), remote, wait.count());
    LoginOutcome throttled;
    throttled.retry_after = wait;
    return throttled;
  }
  auto local = credentials_.get_credentials(username);
  if (!local && local.error().code != ErrorCode::kNotFound) return fail(std::move(local.error()));

  LoginOutcome out;
  if (local && local->source == kSourceLocal && !local->password_hash.empty()) {
    if (!hasher_.verify(password, local->password_hash)) {
      record_failure(username, remote, "wrong password");
      return fail(mismatch());
    }
    out.user = local->user;
    out.display_name = local->display_name;
    out.source = kSourceLocal;
    out.admin = local->admin;
    out.must_change_password = local->must_change_password;
  } else {
    Directory* directory = groups_.directory();
    if (!directory || password.empty()) {
      hasher_.verify_dummy(password);  // as long as a wrong password takes
      record_failure(username, remote, local ? "the user has no local password" : "unknown user");
      return fail(mismatch());
    }
    auto entry = directory->authenticate(username, password);
    if (!entry) {
      if (entry.error().code == ErrorCode::kUnauthorized) {
        record_failure(username, remote, "the directory refused the name or password");
        return fail(mismatch());
      }
      spdlog::warn("login of user \"{}\" from {}: the directory did not answer: {}", printable(username),
                   remote, entry.error().message);
      return fail(std::move(entry.error()));
    }
    auto row = credentials_.upsert_directory_user(entry->name, entry->display_name);
    if (!row) return fail(std::move(row.error()));
    groups_.remember(entry->name, entry->groups);
    out.user = entry->name;
    out.display_name = row->display_name;
    out.source = kSourceLdap;
    out.admin = row->admin;
    out.groups = entry->groups;
  }
  limiter_.record_success(username);
  spdlog::info("user \"{}\" logged in from {}", out.user, remote);
  AuditRecord record{0, "", out.user, remote, "login", "POST", "/api/v1/login", "", "ok"};
  if (auto s = store_.append_audit(record); !s)
    spdlog::error("audit record of the login of \"{}\" lost: {}", out.user, s.error().message);
  return out;
}

Result<std::string> LoginService::hash_new_password(const std::string& user, const std::string& password,
                                                    const std::string& field) {
  if (auto s = check_password_rules(password, user, field); !s) return fail(std::move(s.error()));
  return hasher_.hash(password);
}

Result<User> LoginService::create_local_user(const User& user, const std::string& password) {
  auto hash = hash_new_password(user.name, password, "password");
  if (!hash) return fail(std::move(hash.error()));
  return credentials_.create_local_user(user, *hash, true);
}

Status LoginService::change_own_password(const Identity& who, const std::string& current,
                                         const std::string& new_password, const std::string& remote) {
  if (who.source == kSourceLdap)
    return fail(
        Error::conflict("your password is kept in the LDAP directory; change it there", "currentPassword"));
  auto creds = credentials_.get_credentials(who.user);
  if (!creds) return fail(std::move(creds.error()));
  if (creds->password_hash.empty())
    return fail(Error::invalid("currentPassword",
                               "you have no local password yet; an administrator can set one with "
                               "PUT /api/v1/users/{user}/password"));
  if (auto wait = limiter_.retry_after(who.user, LoginLimiter::host_of(remote)); wait.count() > 0)
    return fail(Error::forbidden("too many wrong passwords; try again in " + std::to_string(wait.count()) +
                                 " seconds"));
  if (!hasher_.verify(current, creds->password_hash)) {
    // Audited by the dispatcher as this call's own refusal.
    record_failure(who.user, remote, "wrong current password in a password change", false);
    return fail(Error::invalid("currentPassword", "the current password is wrong"));
  }
  if (new_password == current)
    return fail(Error::invalid("newPassword", "the new password must differ from the current one"));
  auto hash = hash_new_password(who.user, new_password, "newPassword");
  if (!hash) return fail(std::move(hash.error()));
  if (auto s = credentials_.set_password(who.user, *hash, false); !s) return s;
  // Whoever else held a session of this account (the reason to change a password) is logged out.
  if (auto ended = credentials_.delete_sessions_of(who.user, who.session); !ended)
    spdlog::error("cannot end the other sessions of \"{}\": {}", who.user, ended.error().message);
  limiter_.record_success(who.user);
  if (who.user == TokenAuthenticator::kAdminUser && !admin_password_file_.empty()) {
    std::error_code ec;
    std::filesystem::remove(admin_password_file_, ec);  // the initial password is no longer valid
  }
  spdlog::info("user \"{}\" changed their password", who.user);
  return {};
}

Status LoginService::set_password(const std::string& user, const std::string& password,
                                  const std::string& field) {
  auto creds = credentials_.get_credentials(user);
  if (!creds) return fail(std::move(creds.error()));
  // A local password would shadow the directory's and end their company login.
  if (creds->source == kSourceLdap)
    return fail(Error::conflict("user \"" + user +
                                    "\" signs in through the company directory (LDAP); their password is "
                                    "changed there, not in Wharf",
                                field));
  auto hash = hash_new_password(user, password, field);
  if (!hash) return fail(std::move(hash.error()));
  if (auto s = credentials_.set_password(user, *hash, true); !s) return s;
  if (auto ended = credentials_.delete_sessions_of(user, ""); !ended)
    spdlog::error("cannot end the sessions of \"{}\": {}", user, ended.error().message);
  spdlog::info("the password of user \"{}\" was set by an administrator", user);
  return {};
}

Result<std::filesystem::path> LoginService::bootstrap_admin_password(const std::filesystem::path& data_dir,
                                                                     const std::string& admin_user) {
  const auto path = data_dir / kAdminPasswordFile;
  auto creds = credentials_.get_credentials(admin_user);
  if (!creds) return fail(std::move(creds.error()));
  if (!creds->password_hash.empty()) {
    if (creds->must_change_password) admin_password_file_ = path;
    return std::filesystem::path();
  }
  // A file that survived a lost database is the authority, as for admin-token; else a new password.
  std::string password;
  if (auto kept = read_secret_file(path); kept && check_password_rules(*kept, admin_user, "password"))
    password = *kept;
  else
    password = random_hex(12);
  auto hash = hasher_.hash(password);
  if (!hash) return fail(std::move(hash.error()));
  if (auto s = write_secret_file(path, password + "\n"); !s) return fail(std::move(s.error()));
  if (auto s = credentials_.set_password(admin_user, *hash, true); !s) return fail(std::move(s.error()));
  admin_password_file_ = path;
  return path;
}

}  // namespace wharf
