// LoginService: checks a user name and password, for the console's login and for the CLI's.
//
// - A user that exists locally with a password is checked against its argon2id hash. Any other name goes
//   to the LDAP directory when one is configured; a directory login creates or updates the user's row
//   (source 'ldap', no password) and records the user's groups.
// - Unknown user and wrong password fail alike: same message, and about the same time (an unknown name
//   still costs one hash verification).
// - Failures are limited per name and per client address (LoginLimiter); each failure is logged at warn
//   (name and address, never the password) and appended to the audit log as `login.failed`.
//
// Also owns password changes (rules, hashing) and the initial admin password. Thread-safe; every call
// blocks (argon2, store, directory).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "auth/authenticator.h"
#include "auth/directory.h"
#include "auth/identity.h"
#include "auth/login_limiter.h"
#include "auth/password.h"
#include "core/error.h"
#include "store/credential_store.h"
#include "store/store.h"

namespace wharf {

struct LoginOutcome {
  // Non-zero: too many failures; nothing was checked and the caller must wait this long.
  std::chrono::seconds retry_after{0};
  std::string user;
  std::string display_name;
  std::string source;
  bool admin = false;
  bool must_change_password = false;
  std::vector<std::string> groups;
};

class LoginService {
 public:
  static constexpr const char* kAdminPasswordFile = "admin-password";

  LoginService(Store& store, CredentialStore& credentials, PasswordHasher& hasher, LoginLimiter& limiter,
               DirectoryGroups& groups)
      : store_(store), credentials_(credentials), hasher_(hasher), limiter_(limiter), groups_(groups) {}

  // Checks `password` for `username` coming from `remote` ("host:port"). `unauthorized` (one message for
  // every kind of mismatch); `unavailable` when the directory cannot answer (its message).
  Result<LoginOutcome> login(const std::string& username, const std::string& password,
                             const std::string& remote);

  // The caller changes their own local password: checks `current`, the rules, stores the new hash and
  // clears must-change; other sessions of the user end (`keep_session` stays). `invalid` with field
  // currentPassword or newPassword; `conflict` for directory users (their password lives in LDAP).
  Status change_own_password(const Identity& who, const std::string& current, const std::string& new_password,
                             const std::string& remote);

  // An administrator sets `user`'s local password: rules, then must-change is set and the user's sessions
  // end. `field` names the input in messages.
  Status set_password(const std::string& user, const std::string& password, const std::string& field);

  // Creates a local user with `password` (rules checked, field "password"), which they must change at
  // their first login. `conflict` when the name is taken.
  Result<User> create_local_user(const User& user, const std::string& password);

  // A hash of `password` for a new user after checking the rules (`invalid` naming `field`).
  Result<std::string> hash_new_password(const std::string& user, const std::string& password,
                                        const std::string& field);

  // On first start: gives `admin_user` a random password, written to data_dir/admin-password (0600), that
  // must be changed at the first console login. Nothing when the user already has a password. Returns
  // the file's path when it wrote one.
  Result<std::filesystem::path> bootstrap_admin_password(const std::filesystem::path& data_dir,
                                                         const std::string& admin_user);

 private:
  // Counts, logs and (with `audit`) appends a `login.failed` record.
  void record_failure(const std::string& username, const std::string& remote, const std::string& why,
                      bool audit = true);

  Store& store_;
  CredentialStore& credentials_;
  PasswordHasher& hasher_;
  LoginLimiter& limiter_;
  DirectoryGroups& groups_;
  std::filesystem::path admin_password_file_;  // removed once the admin chose a password
};

}  // namespace wharf
