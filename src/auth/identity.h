// Identity: who is calling, once authenticated.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace wharf {

class AccessPolicy;

struct Identity {
  std::string user;
  bool admin = false;               // platform administrator
  std::vector<std::string> groups;  // directory groups (LDAP), for group bindings
  std::string source = "local";     // where the user comes from: "local" or "ldap"
  // Set when the caller authenticated with a console session cookie (not a bearer token): the SHA-256 of
  // the session's id and of its CSRF token, and whether the user must change their password first.
  std::string session;
  std::string session_csrf;
  bool must_change_password = false;
  // What the caller may do; set by the dispatcher before a handler runs (handlers filter lists with it).
  std::shared_ptr<const AccessPolicy> access;
};

}  // namespace wharf
