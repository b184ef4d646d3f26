// HttpServer: HTTP/1.1 over Boost.Beast with C++20 coroutines. Owns the sockets and nothing else: every
// request goes to the Dispatcher. Keeps Beast out of every other header (compile time).
//
// - Keep-alive; header and body size limits (413); a header-read timeout against slow clients and an
//   idle timeout on keep-alive connections.
// - Streamed responses (SSE) are sent with chunked encoding, with a heartbeat while idle.
// - Deferred responses (long polls) hold the connection without a thread until they are answered, expire,
//   or the server drains; the connection stays usable for the next request.
// - shutdown() stops accepting, closes idle connections, lets requests in flight finish and streams
//   end, then returns once all connections are gone or the grace period has passed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "api/dispatcher.h"
#include "core/error.h"

namespace wharf::api {

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 7070;  // 0: pick a free port
  int threads = 0;       // 0: one per core
  size_t body_limit = 4 << 20;
  std::chrono::seconds header_timeout{30};
  std::chrono::seconds idle_timeout{75};
  std::chrono::seconds heartbeat{15};
};

class HttpServer {
 public:
  HttpServer(Dispatcher& dispatcher, HttpServerOptions options);
  ~HttpServer();

  // Binds and listens; returns the bound port. `unavailable` when the address cannot be bound.
  Result<uint16_t> listen();
  // Serves on the configured number of threads until shutdown(); blocks.
  void run();
  // Graceful stop, callable from any thread (e.g. a signal handler's thread). Returns at once; run()
  // returns when draining is done or `grace` has passed.
  void shutdown(std::chrono::seconds grace);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wharf::api
