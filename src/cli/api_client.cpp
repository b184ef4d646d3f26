#include "cli/api_client.h"

#include <array>
#include <boost/beast.hpp>
#include <cctype>
#include <charconv>

namespace wharf::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr uint64_t kMaxBody = 64ull << 20;  // a full page of large objects is far below this

std::string seconds_text(std::chrono::milliseconds d) {
  auto ms = d.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Splits "host:port" or "[v6]:port"; the port stays empty when absent.
tl::expected<std::pair<std::string, std::string>, std::string> split_authority(std::string_view authority) {
  std::string_view host = authority, port;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return tl::unexpected(std::string("an IPv6 address needs a closing ']'"));
    host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return tl::unexpected(std::string("expected ':' after ']'"));
    if (!rest.empty()) port = rest.substr(1);
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return tl::unexpected(std::string("the URL has no host"));
  if (authority.ends_with(':')) return tl::unexpected(std::string("the port after ':' is missing"));
  if (!port.empty()) {
    int n = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (ec != std::errc() || p != port.data() + port.size() || n < 1 || n > 65535)
      return tl::unexpected("the port \"" + std::string(port) + "\" must be a number from 1 to 65535");
  }
  return std::pair{std::string(host), std::string(port)};
}

// One request/response exchange on its own connection. Every asynchronous step is run to completion
// on a private io_context: that is how a synchronous call gets Beast's per-operation timeouts.
class Exchange {
 public:
  Exchange(const ServerUrl& server, std::chrono::milliseconds timeout) : server_(server), timeout_(timeout) {}

  tl::expected<void, std::string> connect() {
    tcp::resolver resolver(ioc_);
    beast::error_code ec;
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(server_.host, server_.port,
                           [&](beast::error_code e, tcp::resolver::results_type r) {
                             ec = e;
                             endpoints = std::move(r);
                           });
    drive();
    if (ec) return tl::unexpected("cannot resolve " + server_.host + ": " + ec.message());
    stream_.expires_after(timeout_);
    stream_.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    drive();
    if (ec == beast::error::timeout)
      return tl::unexpected(server_.text + " did not accept a connection within " + seconds_text(timeout_));
    if (ec) return tl::unexpected("cannot connect to " + server_.text + ": " + ec.message());
    return {};
  }

  tl::expected<void, std::string> write(http::request<http::string_body>& request) {
    beast::error_code ec;
    stream_.expires_after(timeout_);
    http::async_write(stream_, request, [&](beast::error_code e, size_t) { ec = e; });
    drive();
    return check(ec, "sending the request");
  }

  template <class Parser>
  tl::expected<void, std::string> read_header(Parser& parser) {
    beast::error_code ec;
    stream_.expires_after(timeout_);
    http::async_read_header(stream_, buffer_, parser, [&](beast::error_code e, size_t) { ec = e; });
    drive();
    return check(ec, "reading the answer");
  }

  // Reads the whole message, bounded by the timeout.
  template <class Parser>
  tl::expected<void, std::string> read(Parser& parser) {
    beast::error_code ec;
    stream_.expires_after(timeout_);
    http::async_read(stream_, buffer_, parser, [&](beast::error_code e, size_t) { ec = e; });
    drive();
    return check(ec, "reading the answer");
  }

  // Reads whatever part of the body has arrived (at least one byte, unless the message ends), so that a
  // stream is handed on as it comes rather than when a buffer fills.
  template <class Parser>
  tl::expected<void, std::string> read_some(Parser& parser, bool bounded) {
    beast::error_code ec;
    if (bounded) {
      stream_.expires_after(timeout_);
    } else {
      stream_.expires_never();
    }
    http::async_read_some(stream_, buffer_, parser, [&](beast::error_code e, size_t) { ec = e; });
    drive();
    if (ec == http::error::need_buffer) ec = {};  // the chunk buffer is full: the caller drains it
    return check(ec, "reading the answer");
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

 private:
  void drive() {
    ioc_.restart();
    ioc_.run();
  }

  tl::expected<void, std::string> check(beast::error_code ec, const char* doing) const {
    if (!ec) return {};
    if (ec == beast::error::timeout)
      return tl::unexpected(server_.text + " did not answer within " + seconds_text(timeout_));
    return tl::unexpected("connection to " + server_.text + " failed while " + doing + ": " + ec.message());
  }

  const ServerUrl& server_;
  std::chrono::milliseconds timeout_;
  asio::io_context ioc_;
  beast::tcp_stream stream_{ioc_};
  beast::flat_buffer buffer_;
};

std::string host_header(const ServerUrl& server) {
  std::string host = server.host.find(':') != std::string::npos ? "[" + server.host + "]" : server.host;
  return server.port == "80" ? host : host + ":" + server.port;
}

template <class Body>
std::string content_type_of(const http::response<Body>& response) {
  auto it = response.find(http::field::content_type);
  return it == response.end() ? std::string() : std::string(it->value());
}

}  // namespace

tl::expected<ServerUrl, std::string> parse_server_url(std::string_view url) {
  auto bad = [&](const std::string& why) {
    return tl::unexpected("server URL \"" + std::string(url) + "\": " + why);
  };
  std::string_view rest = url;
  if (auto scheme_end = rest.find("://"); scheme_end != std::string_view::npos) {
    const std::string scheme = lower(rest.substr(0, scheme_end));
    if (scheme == "https")
      return bad("https is not supported yet; use http:// (for example http://127.0.0.1:7070)");
    if (scheme != "http") return bad("the scheme must be http://");
    rest.remove_prefix(scheme_end + 3);
  }  // no scheme: "127.0.0.1:7070" means plain HTTP, as it does for the server's --listen
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) return bad("put credentials in --token, not in the URL");
  if (path.find_first_of("?#") != std::string_view::npos)
    return bad("the URL must not have a query or fragment");
  auto host_port = split_authority(authority);
  if (!host_port) return bad(host_port.error());
  while (path.ends_with('/')) path.remove_suffix(1);
  ServerUrl server{host_port->first, host_port->second.empty() ? "80" : host_port->second, std::string(path),
                   std::string(url)};
  while (server.text.ends_with('/')) server.text.pop_back();
  return server;
}

std::string url_escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

void add_query(std::string& query, std::string_view key, std::string_view value) {
  query += query.empty() ? '?' : '&';
  query += key;
  query += '=';
  query += url_escape(value);
}

ApiClient::ApiClient(ServerUrl server, std::string token, std::chrono::milliseconds timeout)
    : server_(std::move(server)), token_(std::move(token)), timeout_(timeout) {}

namespace {

http::request<http::string_body> make_request(const ServerUrl& server, const std::string& token,
                                              std::string_view method, std::string_view target,
                                              std::string_view json_body) {
  http::request<http::string_body> req{http::string_to_verb(method), server.base_path + std::string(target),
                                       11};
  req.set(http::field::host, host_header(server));
  req.set(http::field::user_agent, "wharf-cli/" WHARF_VERSION);
  req.set(http::field::accept, "application/json");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!json_body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = std::string(json_body);
  }
  req.keep_alive(false);  // one exchange per connection: nothing to reuse it for
  req.prepare_payload();
  return req;
}

}  // namespace

tl::expected<HttpReply, std::string> ApiClient::request(std::string_view method, std::string_view target,
                                                        std::string_view json_body) const {
  auto req = make_request(server_, token_, method, target, json_body);
  Exchange exchange(server_, timeout_);
  if (auto s = exchange.connect(); !s) return tl::unexpected(s.error());
  if (auto s = exchange.write(req); !s) return tl::unexpected(s.error());
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxBody);
  if (auto s = exchange.read(parser); !s) return tl::unexpected(s.error());
  exchange.close();
  auto response = parser.release();
  return HttpReply{static_cast<int>(response.result_int()), content_type_of(response),
                   std::move(response.body())};
}

tl::expected<HttpReply, std::string> ApiClient::stream_get(
    std::string_view target, const std::function<void(std::string_view)>& on_chunk) const {
  auto req = make_request(server_, token_, "GET", target, {});
  Exchange exchange(server_, timeout_);
  if (auto s = exchange.connect(); !s) return tl::unexpected(s.error());
  if (auto s = exchange.write(req); !s) return tl::unexpected(s.error());
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);  // a followed log has no end
  if (auto s = exchange.read_header(parser); !s) return tl::unexpected(s.error());
  HttpReply reply{static_cast<int>(parser.get().result_int()), content_type_of(parser.get()), {}};
  const bool ok = reply.status >= 200 && reply.status < 300;
  std::array<char, 16384> buffer;
  while (!parser.is_done()) {
    parser.get().body().data = buffer.data();
    parser.get().body().size = buffer.size();
    // An error answer is short and bounded by the timeout; a 2xx stream may idle indefinitely.
    if (auto s = exchange.read_some(parser, !ok); !s) return tl::unexpected(s.error());
    std::string_view got(buffer.data(), buffer.size() - parser.get().body().size);
    if (got.empty()) continue;
    if (ok) {
      on_chunk(got);
    } else if (reply.body.size() < (1u << 20)) {
      reply.body.append(got);
    }
  }
  exchange.close();
  return reply;
}

}  // namespace wharf::cli
