// The LDAP configuration file of `wharf server --ldap-config FILE` (YAML, or JSON which is YAML too):
//
//   url: ldap://ldap.example.org:389      # or ldaps://...; several URLs separated by spaces
//   bindDN: cn=wharf,ou=services,dc=example,dc=org
//   bindPasswordFile: /etc/wharf/ldap-password   # the service account's password; relative to this file
//   userBase: ou=people,dc=example,dc=org
//   userFilter: (&(objectClass=inetOrgPerson)(uid={username}))
//   groupBase: ou=groups,dc=example,dc=org
//   groupFilter: (&(objectClass=groupOfNames)(member={dn}))
//   groupAttribute: cn
//   memberOfAttribute: memberOf        # optional: groups from the user entry as well
//   groupPrefix: shop-                 # optional: only these groups become Wharf groups
//   groupMap: {ops-team: ops}          # optional: renames
//   startTLS: true
//   caFile: /etc/wharf/ldap-ca.pem
//   timeout: 5                         # seconds, connect and each operation
//   poolSize: 4
//   groupCacheSeconds: 60              # how long a user's groups are reused before asking again
#pragma once

#include <string>

#include "auth/ldap_directory.h"
#include "core/error.h"

namespace wharf {

// Reads and validates the file. On failure an `invalid` error whose field is the offending key and whose
// message names the file and says what to change. The service password is read from bindPasswordFile
// (trailing newlines removed) and is never part of an error message.
Result<LdapOptions> load_ldap_config(const std::string& path);

}  // namespace wharf
