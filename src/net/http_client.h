// A small blocking HTTP/1.1 client for talking to outside services (image registries and their token
// servers): http and https (system CA store, host name verification, SNI), one connection per request,
// a deadline for connecting and for every read, and bodies either returned whole or streamed to a sink.
// Beast stays in the .cpp. Thread-safe: every call runs on its own connection and io_context.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "net/url.h"

namespace wharf::net {

struct Header {
  std::string name;
  std::string value;
};

struct ClientRequest {
  std::string method = "GET";
  Url url;
  std::vector<Header> headers;  // Host, User-Agent and Content-Length are added
  std::string body;
};

struct ClientResponse {
  int status = 0;
  std::vector<Header> headers;
  std::string body;  // empty when the body went to a sink

  // The first header called `name` (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

struct HttpClientOptions {
  std::chrono::milliseconds timeout{30'000};  // connect + TLS + request + headers; also each body read
  uint64_t max_body = 64ull << 20;            // limit of a body returned whole
  std::string user_agent = "wharf";
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends the request and reads the whole answer (any status). Errors are transport failures only:
  // `unavailable` (cannot resolve/connect, TLS failure, timeout, connection closed early, body too large).
  Result<ClientResponse> send(const ClientRequest& request) const;

  // Like send(), but a 2xx body is handed to `sink` piece by piece as it arrives (not kept), with the
  // response head (status, headers) that came first; other answers are read whole. A sink error ends the
  // exchange and is returned as is.
  using BodySink = std::function<Status(const ClientResponse& head, std::string_view data)>;
  Result<ClientResponse> send(const ClientRequest& request, const BodySink& sink) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wharf::net
