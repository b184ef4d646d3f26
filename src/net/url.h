// An absolute http(s) URL split into what a client needs to connect and what it sends as the target.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace wharf::net {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6
  std::string port;    // always set: the scheme's default when the URL has none
  std::string target;  // path and query, "/" when empty

  bool https() const { return scheme == "https"; }
  // host[:port] as the Host header and messages show it (the port only when not the default).
  std::string authority() const;
  std::string str() const { return scheme + "://" + authority() + target; }
};

// Parses "http://host[:port][/path][?query]" (also https and "[v6]"). `invalid` naming what is wrong.
Result<Url> parse_url(std::string_view text);

// Resolves a Location / Link target against `base`: absolute URLs are parsed, "/path" keeps base's origin.
Result<Url> resolve_url(const Url& base, std::string_view reference);

// Percent-encodes a query value (RFC 3986 unreserved characters stay as they are).
std::string url_encode(std::string_view value);

}  // namespace wharf::net
