// Audit records: who changed what, from where, with what result. Appended for every mutating API call;
// never holds request bodies, so no secret can end up in it.
#pragma once

#include <cstdint>
#include <string>

namespace wharf {

struct AuditRecord {
  int64_t id = 0;       // assigned by the store, increasing
  std::string at;       // RFC 3339, assigned by the store
  std::string actor;    // user name
  std::string remote;   // peer address
  std::string action;   // the route's permission ("app.deploy")
  std::string method;   // "POST"
  std::string target;   // the request path
  std::string project;  // "" for platform-wide calls
  std::string result;   // "ok", or "<HTTP status> <error code>: <message>"
};

struct AuditQuery {
  std::string project;  // "" for every project
  std::string actor;    // "" for everyone
  std::string since;    // RFC 3339, inclusive; "" for no bound
  std::string until;    // RFC 3339, exclusive; "" for no bound
};

}  // namespace wharf
