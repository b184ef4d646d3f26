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
  // What the caller may do; set by the dispatcher before a handler runs (handlers filter lists with it).
  std::shared_ptr<const AccessPolicy> access;
};

}  // namespace wharf
