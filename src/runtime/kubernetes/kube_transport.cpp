#include "runtime/kubernetes/kube_transport.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <mutex>
#include <vector>

namespace wharf::kube {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr uint64_t kMaxBody = 512ull << 20;  // a full list of a large cluster is far below this

std::string duration_text(std::chrono::milliseconds d) {
  auto ms = d.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

struct ServerAddress {
  std::string host;  // without brackets
  std::string port;
  std::string base_path;  // a path prefix of the server URL ("" or "/k8s")
  std::string host_header;
};

Result<ServerAddress> parse_server(const std::string& server) {
  std::string_view rest(server);
  if (!rest.starts_with("https://"))
    return fail(Error::invalid("server", "kubeconfig: server \"" + server + "\" must be an https:// URL"));
  rest.remove_prefix(8);
  ServerAddress a;
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) a.base_path = std::string(rest.substr(slash));
  while (a.base_path.ends_with('/')) a.base_path.pop_back();
  a.host_header = std::string(authority);
  std::string_view host = authority, port = "443";
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return fail(
          Error::invalid("server", "kubeconfig: server \"" + server + "\" has an IPv6 address without ']'"));
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  int n = 0;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
  if (host.empty() || ec != std::errc() || p != port.data() + port.size() || n < 1 || n > 65535)
    return fail(Error::invalid("server", "kubeconfig: server \"" + server + "\" is not host:port"));
  a.host = std::string(host);
  a.port = std::string(port);
  return a;
}

// One kept-alive TLS connection. Every asynchronous step runs to completion on the connection's own
// io_context: that is how a blocking call gets Beast's deadlines and a cancellation from another thread.
struct Connection {
  explicit Connection(ssl::context& ctx) : stream(ioc, ctx) {}
  void drive() {
    ioc.restart();
    ioc.run();
  }
  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream); }

  asio::io_context ioc;
  beast::ssl_stream<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  bool connected = false;
};

}  // namespace

struct Transport::Impl {
  Kubeconfig config;
  TransportOptions options;
  ServerAddress address;
  std::string server_text;
  ssl::context ctx{ssl::context::tls_client};
  std::mutex mu;
  std::vector<std::unique_ptr<Connection>> idle;  // guarded by mu

  std::unique_ptr<Connection> acquire(bool& reused) {
    std::lock_guard lock(mu);
    reused = !idle.empty();
    if (reused) {
      auto c = std::move(idle.back());
      idle.pop_back();
      return c;
    }
    return std::make_unique<Connection>(ctx);
  }

  void release(std::unique_ptr<Connection> c) {
    std::lock_guard lock(mu);
    if (idle.size() < options.max_idle_connections) idle.push_back(std::move(c));
  }

  Error io_error(beast::error_code ec, const char* doing, std::chrono::milliseconds limit) const {
    if (ec == beast::error::timeout)
      return Error::unavailable(server_text + " did not answer within " + duration_text(limit) + " (" +
                                doing + ")");
    return Error::unavailable("connection to " + server_text + " failed while " + doing + ": " +
                              ec.message());
  }

  // TCP connect + TLS handshake, bounded by the deadline already set on the stream.
  Status connect(Connection& c) {
    beast::error_code ec;
    tcp::resolver resolver(c.ioc);
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(address.host, address.port,
                           [&](beast::error_code e, tcp::resolver::results_type r) {
                             ec = e;
                             endpoints = std::move(r);
                           });
    c.drive();
    if (ec) return fail(Error::unavailable("cannot resolve " + address.host + ": " + ec.message()));
    c.tcp().async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    c.drive();
    if (ec == beast::error::timeout)
      return fail(Error::unavailable(server_text + " did not accept a connection within " +
                                     duration_text(options.timeout) +
                                     "; is the address right and reachable?"));
    if (ec)
      return fail(Error::unavailable("cannot connect to " + server_text + ": " + ec.message() +
                                     "; is the API server running and the address right?"));
    beast::error_code ignored;
    asio::ip::make_address(address.host, ignored);
    if (ignored)
      SSL_set_tlsext_host_name(c.stream.native_handle(), address.host.c_str());  // SNI for names only
    if (!config.insecure_skip_tls_verify)
      c.stream.set_verify_callback(ssl::host_name_verification(address.host));
    c.stream.async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
    c.drive();
    if (ec == beast::error::timeout) return fail(io_error(ec, "the TLS handshake", options.timeout));
    if (ec) {
      long verify = SSL_get_verify_result(c.stream.native_handle());
      if (verify != X509_V_OK) {
        return fail(Error{ErrorCode::kUnavailable,
                          "TLS: the certificate of " + server_text + " does not verify (" +
                              X509_verify_cert_error_string(verify) +
                              "); check certificate-authority-data (the cluster's CA) and the server address",
                          "certificate-authority-data"});
      }
      return fail(Error{
          ErrorCode::kUnavailable,
          "TLS handshake with " + server_text + " failed: " + ec.message() +
              (config.client_cert_pem.empty() ? "" : "; check client-certificate-data and client-key-data"),
          "tls"});
    }
    c.connected = true;
    return {};
  }

  http::request<http::string_body> make_request(http::verb verb, std::string_view target,
                                                std::string_view content_type, std::string body) const {
    http::request<http::string_body> req{verb, address.base_path + std::string(target), 11};
    req.set(http::field::host, address.host_header);
    req.set(http::field::user_agent, options.user_agent);
    req.set(http::field::accept, "application/json");
    if (!config.token.empty()) req.set(http::field::authorization, "Bearer " + config.token);
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    req.keep_alive(true);
    if (!body.empty() || verb == http::verb::post || verb == http::verb::patch || verb == http::verb::put) {
      req.body() = std::move(body);
      req.prepare_payload();
    }
    return req;
  }
};

Transport::Transport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Transport::~Transport() = default;

const std::string& Transport::server() const {
  return impl_->server_text;
}

Result<std::unique_ptr<Transport>> Transport::create(const Kubeconfig& config,
                                                     const TransportOptions& options) {
  auto address = parse_server(config.server);
  if (!address) return fail(address.error());
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->options = options;
  impl->address = std::move(*address);
  impl->server_text = config.server;
  auto& ctx = impl->ctx;
  const char* field = "certificate-authority-data";
  try {
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    if (config.insecure_skip_tls_verify) {
      ctx.set_verify_mode(ssl::verify_none);
    } else {
      ctx.set_verify_mode(ssl::verify_peer);
      if (config.ca_pem.empty()) {
        ctx.set_default_verify_paths();
      } else {
        ctx.add_certificate_authority(asio::buffer(config.ca_pem));
      }
    }
    if (!config.client_cert_pem.empty()) {
      field = "client-certificate-data";
      ctx.use_certificate_chain(asio::buffer(config.client_cert_pem));
      field = "client-key-data";
      ctx.use_private_key(asio::buffer(config.client_key_pem), ssl::context::pem);
    }
  } catch (const boost::system::system_error& e) {
    return fail(
        Error::invalid(field, std::string("kubeconfig: ") + field + " is not a usable PEM " +
                                  (std::string_view(field) == "client-key-data" ? "key" : "certificate") +
                                  " (" + e.code().message() + ")"));
  }
  return std::unique_ptr<Transport>(new Transport(std::move(impl)));
}

Result<HttpResponse> Transport::request(std::string_view method, std::string_view target,
                                        std::string_view content_type, std::string body) {
  auto& d = *impl_;
  http::verb verb = http::string_to_verb(method);
  for (int attempt = 0;; ++attempt) {
    bool reused = false;
    auto c = d.acquire(reused);
    c->tcp().expires_after(d.options.timeout);  // one deadline for the whole exchange
    if (!c->connected) {
      if (auto s = d.connect(*c); !s) return fail(s.error());
    }
    auto req = d.make_request(verb, target, content_type, attempt == 0 ? body : std::move(body));
    beast::error_code ec;
    http::async_write(c->stream, req, [&](beast::error_code e, size_t) { ec = e; });
    c->drive();
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBody);
    if (!ec) {
      http::async_read(c->stream, c->buffer, parser, [&](beast::error_code e, size_t) { ec = e; });
      c->drive();
    }
    if (ec) {
      // A kept-alive connection the server closed in the meantime fails before any answer: retry once
      // on a fresh one. Kubernetes requests Wharf sends are idempotent (GET, apply, scale, delete, reviews).
      if (reused && attempt == 0 && !parser.got_some() && ec != beast::error::timeout) continue;
      return fail(d.io_error(ec, "reading the answer", d.options.timeout));
    }
    auto res = parser.release();
    HttpResponse out{static_cast<int>(res.result_int()), std::move(res.body())};
    if (res.keep_alive()) {
      c->tcp().expires_never();
      d.release(std::move(c));
    }
    return out;
  }
}

Result<HttpResponse> Transport::stream(std::string_view target,
                                       const std::function<bool(std::string_view)>& on_data,
                                       std::chrono::milliseconds idle_timeout, std::stop_token stop) {
  auto& d = *impl_;
  Connection c(d.ctx);
  std::atomic<bool> stopped{false};
  // Closing the socket on the connection's own thread is the one safe way to end a blocked read.
  std::stop_callback on_stop(stop, [&] {
    stopped = true;
    asio::post(c.ioc, [&] {
      beast::error_code ignored;
      c.tcp().socket().close(ignored);
    });
  });
  auto was_stopped = [&] { return stopped.load(); };

  c.tcp().expires_after(d.options.timeout);
  if (auto s = d.connect(c); !s) {
    if (was_stopped()) return HttpResponse{};
    return fail(s.error());
  }
  auto req = d.make_request(http::verb::get, target, {}, {});
  req.keep_alive(false);
  beast::error_code ec;
  http::async_write(c.stream, req, [&](beast::error_code e, size_t) { ec = e; });
  c.drive();
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);
  if (!ec) {
    http::async_read_header(c.stream, c.buffer, parser, [&](beast::error_code e, size_t) { ec = e; });
    c.drive();
  }
  if (was_stopped()) return HttpResponse{};
  if (ec) return fail(d.io_error(ec, "reading the answer", d.options.timeout));
  int status = static_cast<int>(parser.get().result_int());
  const bool success = status / 100 == 2;
  bool handler_stopped = false;
  // The parser keeps a reference to the callback: it must outlive the reads.
  auto on_chunk = [&](std::uint64_t, std::string_view data, beast::error_code& e) -> std::size_t {
    if (!handler_stopped && !on_data(data)) {
      handler_stopped = true;
      e = asio::error::operation_aborted;
    }
    return data.size();
  };
  if (success) parser.on_chunk_body(on_chunk);
  while (!parser.is_done()) {
    if (!success || idle_timeout.count() == 0) {
      if (success) {
        c.tcp().expires_never();
      } else {
        c.tcp().expires_after(d.options.timeout);
      }
    } else {
      c.tcp().expires_after(idle_timeout);
    }
    http::async_read_some(c.stream, c.buffer, parser, [&](beast::error_code e, size_t) { ec = e; });
    c.drive();
    if (handler_stopped || was_stopped()) return HttpResponse{status, {}};
    if (ec) {
      if (ec == beast::error::timeout && success)
        return fail(Error::unavailable(d.server_text + " sent nothing on the watch for " +
                                       duration_text(idle_timeout)));
      return fail(d.io_error(ec, "reading the stream", d.options.timeout));
    }
  }
  HttpResponse out{status, std::move(parser.get().body())};
  if (success && !out.body.empty()) {  // not chunked: the body was stored rather than streamed
    on_data(out.body);
    out.body.clear();
  }
  return out;
}

}  // namespace wharf::kube
