// A small synchronous HTTP/1.1 client for the Wharf API: one connection per request, a deadline on
// every step, `Authorization: Bearer` on every request. Plain http:// only for now.
//
// Transport failures (cannot resolve, refused, timed out, malformed answer) are returned as messages;
// any HTTP status, 4xx and 5xx included, is a successful exchange and returned as a response.
// Not thread-safe: one ApiClient per thread. Every call blocks.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace wharf::cli {

struct ServerUrl {
  std::string host;       // name or address; IPv6 without brackets
  std::string port;       // "80" when the URL has none
  std::string base_path;  // "" or "/prefix" (no trailing slash): a server behind a path-routing proxy
  std::string text;       // the URL as given, for messages
};

// Parses "http://host[:port][/prefix]". https:// and anything else is an error message for a person.
tl::expected<ServerUrl, std::string> parse_server_url(std::string_view url);

// Percent-encodes `text` for use as one path segment or one query value.
std::string url_escape(std::string_view text);

// Appends `key=value` (value escaped) to a query string under construction: "?key=value", then "&...".
void add_query(std::string& query, std::string_view key, std::string_view value);

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
};

class ApiClient {
 public:
  // `timeout` bounds each connect, write and read (the whole response, for request()).
  ApiClient(ServerUrl server, std::string token, std::chrono::milliseconds timeout);

  const ServerUrl& server() const { return server_; }

  // Sends `method target` (target relative to the server URL, starting with '/', query included)
  // with `json_body` as an application/json body unless it is empty.
  tl::expected<HttpReply, std::string> request(std::string_view method, std::string_view target,
                                               std::string_view json_body = {}) const;

  // GET whose 2xx body is handed to `on_chunk` piece by piece as it arrives (for `logs -f`). The wait
  // for the status line is bounded by the timeout; the body is not, since a followed log may stay quiet
  // for hours. A non-2xx answer's body is collected into the reply instead of being handed out.
  tl::expected<HttpReply, std::string> stream_get(
      std::string_view target, const std::function<void(std::string_view)>& on_chunk) const;

 private:
  ServerUrl server_;
  std::string token_;
  std::chrono::milliseconds timeout_;
};

}  // namespace wharf::cli
