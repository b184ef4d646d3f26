// HTTP/1.1 over TLS to one kube-apiserver: server verification against the kubeconfig's CA (with the
// host name / IP address check), client certificate or bearer token, a small pool of kept-alive
// connections, a deadline per request, and streamed bodies for watches. Beast stays in the .cpp.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>

#include "core/error.h"
#include "runtime/kubernetes/kubeconfig.h"

namespace wharf::kube {

struct TransportOptions {
  std::chrono::milliseconds timeout{30'000};  // connect + TLS + request + whole answer
  size_t max_idle_connections = 4;            // kept-alive connections kept for reuse
  std::string user_agent = "wharf";
};

struct HttpResponse {
  int status = 0;
  std::string body;  // for a streamed 2xx answer: whatever on_data was not given (normally empty)
};

class Transport {
 public:
  // Prepares TLS from the kubeconfig (CA, client certificate and key). Returns Error::invalid naming the
  // kubeconfig field when a certificate or key cannot be loaded. Does not connect.
  static Result<std::unique_ptr<Transport>> create(const Kubeconfig& config, const TransportOptions& options);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Sends one request and reads the whole answer. Blocks up to options.timeout. Any status comes back
  // as an HttpResponse; Errors are transport failures only: kUnavailable (unreachable, timeout, closed),
  // kUnavailable with field "certificate-authority-data" when the server's certificate does not verify.
  // A pooled connection that turns out closed is replaced once. Thread-safe (one connection per call).
  Result<HttpResponse> request(std::string_view method, std::string_view target,
                               std::string_view content_type, std::string body);

  // GET on a dedicated connection whose 2xx body is handed to on_data as it arrives; on_data returns
  // false to stop. Connect and headers are bounded by options.timeout; the body by `idle_timeout`
  // between two reads (zero: none). Returns when the answer ends, on_data stops, `stop` is requested
  // (from any thread: the socket is closed), or the connection fails (kUnavailable). A non-2xx answer is
  // read whole into the HttpResponse. Blocks; thread-safe.
  Result<HttpResponse> stream(std::string_view target, const std::function<bool(std::string_view)>& on_data,
                              std::chrono::milliseconds idle_timeout, std::stop_token stop);

  const std::string& server() const;

 private:
  struct Impl;
  explicit Transport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wharf::kube
