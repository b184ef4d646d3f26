#include "net/http_client.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <strings.h>

#include <array>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

namespace wharf::net {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string duration_text(std::chrono::milliseconds d) {
  auto ms = d.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

// One exchange on a private io_context: every asynchronous step is run to completion, which is how a
// blocking call gets Beast's per-operation deadlines.
class Exchange {
 public:
  Exchange(ssl::context& ctx, const Url& url, std::chrono::milliseconds timeout)
      : url_(url), timeout_(timeout), tls_(url.https()), stream_(ioc_, ctx) {}

  Status connect() {
    beast::error_code ec;
    tcp::resolver resolver(ioc_);
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(url_.host, url_.port, [&](beast::error_code e, tcp::resolver::results_type r) {
      ec = e;
      endpoints = std::move(r);
    });
    drive();
    if (ec) return fail(Error::unavailable("cannot resolve " + url_.host + ": " + ec.message()));
    tcp().expires_after(timeout_);
    tcp().async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    drive();
    if (ec == beast::error::timeout)
      return fail(Error::unavailable(url_.authority() + " did not accept a connection within " +
                                     duration_text(timeout_)));
    if (ec) return fail(Error::unavailable("cannot connect to " + url_.authority() + ": " + ec.message()));
    if (!tls_) return {};
    beast::error_code not_ip;
    asio::ip::make_address(url_.host, not_ip);
    if (not_ip) SSL_set_tlsext_host_name(stream_.native_handle(), url_.host.c_str());  // SNI for names only
    stream_.set_verify_callback(ssl::host_name_verification(url_.host));
    stream_.async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
    drive();
    if (ec) {
      long verify = SSL_get_verify_result(stream_.native_handle());
      if (verify != X509_V_OK)
        return fail(
            Error::unavailable("TLS: the certificate of " + url_.authority() + " does not verify (" +
                               X509_verify_cert_error_string(verify) +
                               "); for a registry without a trusted certificate, list it as insecure"));
      return fail(io_error(ec, "the TLS handshake"));
    }
    return {};
  }

  template <class Message>
  Status write(Message& msg) {
    beast::error_code ec;
    tcp().expires_after(timeout_);
    if (tls_) {
      http::async_write(stream_, msg, [&](beast::error_code e, size_t) { ec = e; });
    } else {
      http::async_write(tcp(), msg, [&](beast::error_code e, size_t) { ec = e; });
    }
    drive();
    if (ec) return fail(io_error(ec, "sending the request"));
    return {};
  }

  template <class Parser>
  Status read_header(Parser& parser) {
    beast::error_code ec;
    tcp().expires_after(timeout_);
    if (tls_) {
      http::async_read_header(stream_, buffer_, parser, [&](beast::error_code e, size_t) { ec = e; });
    } else {
      http::async_read_header(tcp(), buffer_, parser, [&](beast::error_code e, size_t) { ec = e; });
    }
    drive();
    if (ec) return fail(io_error(ec, "reading the answer"));
    return {};
  }

  template <class Parser>
  beast::error_code read_some(Parser& parser) {
    beast::error_code ec;
    tcp().expires_after(timeout_);
    if (tls_) {
      http::async_read_some(stream_, buffer_, parser, [&](beast::error_code e, size_t) { ec = e; });
    } else {
      http::async_read_some(tcp(), buffer_, parser, [&](beast::error_code e, size_t) { ec = e; });
    }
    drive();
    return ec;
  }

  Error io_error(beast::error_code ec, const char* doing) const {
    if (ec == beast::error::timeout)
      return Error::unavailable(url_.authority() + " did not answer within " + duration_text(timeout_) +
                                " (" + doing + ")");
    return Error::unavailable("connection to " + url_.authority() + " failed while " + doing + ": " +
                              ec.message());
  }

 private:
  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }
  void drive() {
    ioc_.restart();
    ioc_.run();
  }

  const Url& url_;
  std::chrono::milliseconds timeout_;
  asio::io_context ioc_;
  bool tls_;
  beast::ssl_stream<beast::tcp_stream> stream_;  // plain http uses only its lowest layer
  beast::flat_buffer buffer_;
};

}  // namespace

std::string ClientResponse::header(std::string_view name) const {
  for (const auto& h : headers)
    if (h.name.size() == name.size() && ::strncasecmp(h.name.data(), name.data(), name.size()) == 0)
      return h.value;
  return {};
}

struct HttpClient::Impl {
  HttpClientOptions options;
  ssl::context ctx{ssl::context::tls_client};

  http::request<http::string_body> make_request(const ClientRequest& r) const {
    http::request<http::string_body> req{http::string_to_verb(r.method), r.url.target, 11};
    req.set(http::field::host, r.url.authority());
    req.set(http::field::user_agent, options.user_agent);
    for (const auto& h : r.headers) req.set(h.name, h.value);
    req.keep_alive(false);
    if (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
      req.body() = r.body;
      req.prepare_payload();
    }
    return req;
  }

  template <class Body>
  static ClientResponse head_of(const http::response<Body>& res) {
    ClientResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) out.headers.push_back({std::string(f.name_string()), std::string(f.value())});
    return out;
  }
};

HttpClient::HttpClient(HttpClientOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  beast::error_code ignored;  // without a system CA store only http and insecure registries work
  impl_->ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                             ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                         ignored);
  impl_->ctx.set_verify_mode(ssl::verify_peer, ignored);
  impl_->ctx.set_default_verify_paths(ignored);
}

HttpClient::~HttpClient() = default;

Result<ClientResponse> HttpClient::send(const ClientRequest& request) const {
  Exchange x(impl_->ctx, request.url, impl_->options.timeout);
  if (auto s = x.connect(); !s) return fail(s.error());
  auto req = impl_->make_request(request);
  if (auto s = x.write(req); !s) return fail(s.error());
  http::response_parser<http::string_body> parser;
  parser.body_limit(impl_->options.max_body);
  if (request.method == "HEAD") parser.skip(true);
  if (auto s = x.read_header(parser); !s) return fail(s.error());
  while (!parser.is_done()) {
    if (auto ec = x.read_some(parser)) {
      if (ec == http::error::body_limit)
        return fail(Error::unavailable(request.url.authority() + " sent a body larger than " +
                                       std::to_string(impl_->options.max_body >> 20) + " MiB"));
      return fail(x.io_error(ec, "reading the body"));
    }
  }
  auto out = Impl::head_of(parser.get());
  out.body = std::move(parser.get().body());
  return out;
}

Result<ClientResponse> HttpClient::send(const ClientRequest& request, const BodySink& sink) const {
  Exchange x(impl_->ctx, request.url, impl_->options.timeout);
  if (auto s = x.connect(); !s) return fail(s.error());
  auto req = impl_->make_request(request);
  if (auto s = x.write(req); !s) return fail(s.error());
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  if (auto s = x.read_header(parser); !s) return fail(s.error());
  auto out = Impl::head_of(parser.get());
  const bool success = out.status / 100 == 2;
  if (!success) parser.body_limit(impl_->options.max_body);
  std::array<char, 64 * 1024> chunk;
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    auto ec = x.read_some(parser);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) return fail(x.io_error(ec, "reading the body"));
    size_t got = chunk.size() - parser.get().body().size;
    if (got == 0) continue;
    std::string_view data(chunk.data(), got);
    if (success) {
      if (auto s = sink(out, data); !s) return fail(s.error());
    } else {
      out.body.append(data);
    }
  }
  return out;
}

}  // namespace wharf::net
