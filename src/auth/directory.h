// Directory: an external user directory (the company's OpenLDAP) that checks passwords and knows group
// membership. The login service asks it for users that are not local; the authenticator asks it again for
// their current groups, so that a user removed from a group loses the access the group granted.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"

namespace wharf {

struct DirectoryUser {
  std::string name;                 // the login name Wharf knows the user by
  std::string display_name;         // for the console; may be empty
  std::string dn;                   // where the directory keeps the entry
  std::vector<std::string> groups;  // Wharf group names the membership maps to
};

class Directory {
 public:
  virtual ~Directory() = default;

  // Checks `password` for `username`. `unauthorized` for an unknown user and for a wrong password (one
  // message: a caller must not tell them apart); `unavailable` when the directory cannot be reached or
  // does not answer in time, with a message naming the server.
  virtual Result<DirectoryUser> authenticate(const std::string& username, const std::string& password) = 0;

  // The current entry and groups of `username`. `not_found` when the directory no longer has the user;
  // `unavailable` as above.
  virtual Result<DirectoryUser> lookup(const std::string& username) = 0;
};

}  // namespace wharf
