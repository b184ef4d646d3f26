// LdapDirectory: the Directory of a company's OpenLDAP (or any LDAPv3 server), through libldap.
//
// Login is "search, then bind": a service connection (bound as `bind_dn`, or anonymous when it is empty)
// finds the user's entry under `user_base` with `user_filter`, then a fresh connection binds as that entry's
// DN with the user's password and is closed again. Groups come from a search under `group_base` (entries
// whose `member` names the user) and/or the user entry's `memberOf`, and are mapped to Wharf group names.
//
// Service connections are pooled (at most `pool_size`, created on demand, dropped when the server closes
// them); user binds never reuse a pooled connection. Every network step is bounded by `timeout`.
//
// Thread-safe. Every call blocks on the network for up to a few `timeout`s: call it from a worker thread,
// never from the HTTP event loop. libldap's headers stay out of this one (the connection state is hidden).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "auth/directory.h"

namespace wharf {

struct LdapOptions {
  // ldap://host:port or ldaps://host:port; several URLs separated by spaces are tried in order.
  std::string url;
  std::string bind_dn;        // service account; empty searches anonymously
  std::string bind_password;  // the service account's password (read from a file; never logged)
  std::string user_base;      // where users are searched (subtree)
  // {username} is replaced by the login name, escaped per RFC 4515.
  std::string user_filter = "(&(objectClass=inetOrgPerson)(uid={username}))";
  std::string user_name_attribute = "uid";  // the login name Wharf keeps (the directory's spelling)
  std::string display_name_attribute = "cn";
  // Group search: skipped when group_base is empty. {dn} is the user's DN and {username} the login name,
  // both escaped.
  std::string group_base;
  std::string group_filter = "(&(objectClass=groupOfNames)(member={dn}))";
  std::string group_attribute = "cn";  // the attribute holding a group's name
  // Also take groups from this attribute of the user entry (DNs; their first RDN value is the group name).
  // Empty: not used.
  std::string member_of_attribute;
  // Mapping of directory group names to Wharf group names: an entry of `group_map` renames a group; other
  // groups keep their name when they start with `group_prefix` (every group when the prefix is empty) and
  // are left out otherwise.
  std::string group_prefix;
  std::map<std::string, std::string> group_map;
  bool start_tls = false;  // StartTLS on ldap:// URLs (ldaps:// is TLS from the start)
  std::string ca_file;     // CA certificates (PEM) that verify the server; empty: the system's
  std::chrono::milliseconds timeout{5000};  // connect, and each operation
  int pool_size = 4;                        // service connections kept open
  // How long the server reuses a user's groups before asking again (DirectoryGroups, auth/authenticator.h);
  // a removed membership ends within this time. LdapDirectory itself does not cache.
  std::chrono::seconds group_cache{60};
};

// Escapes `value` for use inside an LDAP search filter (RFC 4515): `*`, `(`, `)`, `\` and NUL become
// \2a, \28, \29, \5c and \00.
std::string ldap_escape_filter_value(std::string_view value);

// Replaces every `{name}` in `filter` with the escaped value of `name` in `values`.
std::string ldap_expand_filter(std::string_view filter, const std::map<std::string, std::string>& values);

// The Wharf group name of the directory group `name` under `options`' mapping; empty when it is left out.
std::string ldap_map_group(const LdapOptions& options, const std::string& name);

class LdapDirectory final : public Directory {
 public:
  explicit LdapDirectory(LdapOptions options);
  ~LdapDirectory() override;
  LdapDirectory(const LdapDirectory&) = delete;
  LdapDirectory& operator=(const LdapDirectory&) = delete;

  Result<DirectoryUser> authenticate(const std::string& username, const std::string& password) override;
  Result<DirectoryUser> lookup(const std::string& username) override;

  // Connects and binds the service account once: `unavailable` or `invalid` (wrong service credentials,
  // naming the server) when that fails. For a start-up message; the server starts either way.
  Status check();

  const LdapOptions& options() const { return options_; }

 private:
  struct Impl;
  LdapOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wharf
