#include "api/http_server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast.hpp>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

namespace wharf::api {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;
constexpr auto kTuple = net::as_tuple(use_awaitable);

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding; `plus_is_space` for query components. False on a malformed escape.
bool url_decode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

bool parse_target(std::string_view target, HttpRequest& req) {
  auto q = target.find('?');
  if (!url_decode(target.substr(0, q), req.path, false)) return false;
  if (q == std::string_view::npos) return true;
  auto query = target.substr(q + 1);
  size_t start = 0;
  std::string key, value;
  while (start <= query.size()) {
    auto end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    auto part = query.substr(start, end - start);
    if (!part.empty()) {
      auto eq = part.find('=');
      if (!url_decode(part.substr(0, eq), key, true)) return false;
      if (!url_decode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1), value, true))
        return false;
      req.query[key] = value;
    }
    start = end + 1;
  }
  return true;
}

}  // namespace

struct HttpServer::Impl {
  Dispatcher& dispatcher;
  HttpServerOptions options;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::atomic<bool> draining{false};

  // Live connections, so shutdown can close the idle ones.
  struct Connection {
    beast::tcp_stream* stream = nullptr;
    net::strand<net::io_context::executor_type> strand;
    bool busy = false;  // a request is being handled; guarded by the strand
    // Set while a deferred response waits, so draining can end the wait early; guarded by the strand.
    net::steady_timer* waiting = nullptr;
  };
  std::mutex conns_mu;
  std::list<std::shared_ptr<Connection>> conns;

  Impl(Dispatcher& d, HttpServerOptions o) : dispatcher(d), options(std::move(o)) {}

  awaitable<void> accept_loop() {
    for (;;) {
      auto strand = net::make_strand(ioc);
      auto [ec, socket] = co_await acceptor.async_accept(strand, kTuple);
      if (ec) {
        if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
        spdlog::warn("accept: {}", ec.message());
        continue;
      }
      if (draining) continue;
      net::co_spawn(strand, session(std::move(socket), strand), net::detached);
    }
  }

  awaitable<void> send_error(beast::tcp_stream& stream, http::status status, std::string message) {
    http::response<http::string_body> res{status, 11};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::connection, "close");
    res.body() = "{\"error\":{\"code\":\"invalid\",\"message\":\"" + message + "\"}}";
    res.prepare_payload();
    stream.expires_after(options.header_timeout);
    co_await http::async_write(stream, res, kTuple);
  }

  awaitable<void> session(tcp::socket socket, net::strand<net::io_context::executor_type> strand) {
    beast::tcp_stream stream(std::move(socket));
    auto conn = std::make_shared<Connection>(Connection{&stream, strand, false});
    std::list<std::shared_ptr<Connection>>::iterator self;
    {
      std::lock_guard lock(conns_mu);
      self = conns.insert(conns.end(), conn);
    }
    std::string remote;
    {
      beast::error_code ec;
      // Responses leave in more than one segment; without NODELAY the last one waits for the client's
      // delayed ACK (tens of milliseconds per request on keep-alive connections).
      stream.socket().set_option(tcp::no_delay(true), ec);
      auto ep = stream.socket().remote_endpoint(ec);
      if (!ec) remote = ep.address().to_string() + ":" + std::to_string(ep.port());
    }
    beast::flat_buffer buffer;
    bool first = true;
    while (!draining) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(options.body_limit);
      parser.header_limit(16 * 1024);
      stream.expires_after(first ? options.header_timeout : options.idle_timeout);
      first = false;
      auto [ec, n] = co_await http::async_read(stream, buffer, parser, kTuple);
      if (ec == http::error::body_limit) {
        co_await send_error(
            stream, http::status::payload_too_large,
            "the request body is larger than " + std::to_string(options.body_limit) + " bytes");
        break;
      }
      if (ec == http::error::header_limit) {
        co_await send_error(stream, http::status::request_header_fields_too_large,
                            "the request headers are too large");
        break;
      }
      if (ec) break;  // closed, timed out or malformed: nothing useful to answer
      conn->busy = true;
      auto& msg = parser.get();
      HttpRequest req;
      req.method = std::string(msg.method_string());
      req.remote = remote;
      if (!parse_target(msg.target(), req)) {
        co_await send_error(stream, http::status::bad_request, "the URL has a malformed percent-escape");
        break;
      }
      req.body = std::move(msg.body());
      if (auto it = msg.find(http::field::authorization); it != msg.end()) req.authorization = it->value();
      if (auto it = msg.find(http::field::cookie); it != msg.end()) req.cookie = it->value();
      if (auto it = msg.find("X-CSRF-Token"); it != msg.end()) req.csrf_token = it->value();
      if (auto it = msg.find(http::field::content_type); it != msg.end()) req.content_type = it->value();
      if (auto it = msg.find("Last-Event-ID"); it != msg.end()) req.last_event_id = it->value();
      if (auto it = msg.find(http::field::host); it != msg.end()) req.host = it->value();
      if (auto it = msg.find("Timestamp"); it != msg.end()) req.timestamp = it->value();
      req.target = msg.target();
      bool keep_alive = msg.keep_alive();

      HttpResponse resp = dispatcher.dispatch(req);
      if (resp.deferred) resp = co_await wait_deferred(*conn, std::move(resp.deferred));
      keep_alive = keep_alive && !draining;

      if (resp.stream) {
        co_await stream_response(stream, std::move(resp));
        break;
      }
      http::response<http::string_body> res{static_cast<http::status>(resp.status), msg.version()};
      res.set(http::field::server, "wharf");
      res.set(http::field::content_type, resp.content_type);
      for (auto& [k, v] : resp.headers) res.set(k, v);
      res.body() = std::move(resp.body);
      res.keep_alive(keep_alive);
      res.prepare_payload();
      stream.expires_after(options.idle_timeout);
      auto [wec, wn] = co_await http::async_write(stream, res, kTuple);
      conn->busy = false;
      if (wec || !keep_alive) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    conn->stream = nullptr;  // on the strand, so a posted close never touches a finished session
    std::lock_guard lock(conns_mu);
    conns.erase(self);
  }

  // Closes idle connections, then stops the io_context once every connection is gone or at `deadline`.
  awaitable<void> drain(std::chrono::steady_clock::time_point deadline) {
    {
      std::lock_guard lock(conns_mu);
      for (auto& c : conns)
        net::post(c->strand, [c] {
          // Idle keep-alive connections wait in a read that would last until the idle timeout.
          if (c->stream && !c->busy) c->stream->socket().cancel();
          if (c->waiting) c->waiting->cancel();  // a long poll answers now (expire())
        });
    }
    net::steady_timer timer(ioc);
    for (;;) {
      bool empty;
      {
        std::lock_guard lock(conns_mu);
        empty = conns.empty();
      }
      if (empty || std::chrono::steady_clock::now() >= deadline) break;
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(kTuple);
    }
    ioc.stop();
  }

  // The answer of a deferred response, on the connection's strand: when it is ready, else when it expires
  // or the server drains.
  awaitable<HttpResponse> wait_deferred(Connection& conn, std::shared_ptr<DeferredResponse> deferred) {
    auto exec = co_await net::this_coro::executor;
    auto timer = std::make_shared<net::steady_timer>(exec);
    auto pending = std::make_shared<std::atomic<bool>>(false);
    deferred->set_notify([timer, pending, exec] {
      pending->store(true);
      net::post(exec, [timer] { timer->cancel(); });
    });
    const auto deadline = std::chrono::steady_clock::now() + deferred->timeout();
    conn.waiting = timer.get();
    HttpResponse out;
    for (;;) {
      if (deferred->take(out)) break;
      if (draining || std::chrono::steady_clock::now() >= deadline) {
        out = deferred->expire();
        break;
      }
      if (pending->exchange(false)) continue;
      timer->expires_at(deadline);
      co_await timer->async_wait(kTuple);
    }
    conn.waiting = nullptr;
    deferred->set_notify({});
    co_return out;
  }

  awaitable<void> stream_response(beast::tcp_stream& stream, HttpResponse resp) {
    http::response<http::empty_body> head{static_cast<http::status>(resp.status), 11};
    head.set(http::field::server, "wharf");
    head.set(http::field::content_type, resp.content_type);
    for (auto& [k, v] : resp.headers) head.set(k, v);
    head.chunked(true);
    http::response_serializer<http::empty_body> sr{head};
    stream.expires_after(options.idle_timeout);
    if (auto [ec, n] = co_await http::async_write_header(stream, sr, kTuple); ec) co_return;

    auto exec = co_await net::this_coro::executor;
    auto timer = std::make_shared<net::steady_timer>(exec);
    auto pending = std::make_shared<std::atomic<bool>>(false);
    resp.stream->set_notify([timer, pending, exec] {
      pending->store(true);
      net::post(exec, [timer] { timer->cancel(); });
    });
    std::string out = std::move(resp.body);
    for (;;) {
      bool open = resp.stream->poll(out);
      if (!out.empty()) {
        stream.expires_after(options.idle_timeout);
        auto [ec, n] = co_await net::async_write(stream, http::make_chunk(net::buffer(out)), kTuple);
        if (ec) break;
        out.clear();
      }
      if (!open || draining) break;
      if (pending->exchange(false)) continue;
      timer->expires_after(options.heartbeat);
      auto [ec] = co_await timer->async_wait(kTuple);
      if (!ec && !pending->load()) out = resp.stream->heartbeat();
    }
    resp.stream->set_notify({});
    stream.expires_after(std::chrono::seconds(5));
    co_await net::async_write(stream, http::make_chunk_last(), kTuple);
  }
};

HttpServer::HttpServer(Dispatcher& dispatcher, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(dispatcher, std::move(options))) {}

HttpServer::~HttpServer() = default;

Result<uint16_t> HttpServer::listen() {
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->options.address, ec);
  if (ec) return fail(Error::invalid("listen", "\"" + impl_->options.address + "\" is not an IP address"));
  tcp::endpoint ep{address, impl_->options.port};
  auto& acc = impl_->acceptor;
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return fail(Error::unavailable("cannot listen on " + impl_->options.address + ":" +
                                   std::to_string(impl_->options.port) + ": " + ec.message()));
  return acc.local_endpoint().port();
}

void HttpServer::run() {
  net::co_spawn(impl_->ioc, impl_->accept_loop(), net::detached);
  int n =
      impl_->options.threads > 0 ? impl_->options.threads : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> threads;
  for (int i = 1; i < n; ++i) threads.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : threads) t.join();
}

void HttpServer::shutdown(std::chrono::seconds grace) {
  if (impl_->draining.exchange(true)) return;
  auto* impl = impl_.get();
  auto deadline = std::chrono::steady_clock::now() + grace;
  net::post(impl->ioc, [impl, deadline] {
    beast::error_code ec;
    impl->acceptor.close(ec);
    net::co_spawn(impl->ioc, impl->drain(deadline), net::detached);
  });
}

}  // namespace wharf::api
