#include "net/url.h"

#include <cctype>
#include <charconv>

namespace wharf::net {

std::string Url::authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  bool default_port = (scheme == "https" && port == "443") || (scheme == "http" && port == "80");
  return default_port ? h : h + ":" + port;
}

Result<Url> parse_url(std::string_view text) {
  Url u;
  auto sep = text.find("://");
  if (sep == std::string_view::npos)
    return fail(Error::invalid("url", "\"" + std::string(text) + "\" is not an absolute http(s) URL"));
  u.scheme = std::string(text.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https")
    return fail(Error::invalid("url", "\"" + std::string(text) + "\" must start with http:// or https://"));
  std::string_view rest = text.substr(sep + 3);
  auto slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (u.target.front() == '?') u.target.insert(0, "/");
  std::string_view host = authority, port;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return fail(Error::invalid("url", "\"" + std::string(text) + "\" has an IPv6 address without ']'"));
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':')
        return fail(Error::invalid("url", "\"" + std::string(text) + "\": expected ':' after ']'"));
      port = authority.substr(close + 2);
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return fail(Error::invalid("url", "\"" + std::string(text) + "\" has no host"));
  if (port.empty()) {
    port = u.https() ? "443" : "80";
  } else {
    int n = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (ec != std::errc() || p != port.data() + port.size() || n < 1 || n > 65535)
      return fail(Error::invalid("url", "\"" + std::string(text) + "\" has a bad port"));
  }
  u.host = std::string(host);
  u.port = std::string(port);
  return u;
}

Result<Url> resolve_url(const Url& base, std::string_view reference) {
  if (reference.find("://") != std::string_view::npos) return parse_url(reference);
  if (!reference.starts_with('/'))
    return fail(
        Error::invalid("url", "relative reference \"" + std::string(reference) + "\" is not supported"));
  Url u = base;
  u.target = std::string(reference);
  return u;
}

std::string url_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

}  // namespace wharf::net
