// The HTTP request and response as handlers see them: plain values, no Beast, so handlers and the
// router compile fast and are testable without sockets.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace wharf::api {

struct HttpRequest {
  std::string method;                         // "GET", "POST", ...
  std::string path;                           // percent-decoded, without the query
  std::map<std::string, std::string> query;   // percent-decoded; the last value wins
  std::map<std::string, std::string> params;  // path parameters, filled by the router
  std::string body;
  std::string authorization;  // the Authorization header
  std::string cookie;         // the Cookie header (console sessions)
  std::string csrf_token;     // the X-CSRF-Token header
  std::string content_type;
  std::string last_event_id;  // SSE resume
  std::string remote;         // peer address, for logs and audit
  std::string target;         // the request target as sent (path and query, still percent-encoded)
  std::string host;           // the Host header
  std::string timestamp;      // the Timestamp header (Apollo's signed requests)

  // The query value or nullopt.
  std::optional<std::string> q(const std::string& key) const {
    auto it = query.find(key);
    if (it == query.end()) return std::nullopt;
    return it->second;
  }
  const std::string& param(const std::string& key) const { return params.at(key); }
};

// A response body produced over time (SSE events, followed logs). The server sends the response head and
// `HttpResponse::body`, then calls poll() whenever notify fires or a heartbeat interval passes.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Called once, before the first poll(), with a callback that any thread may call when output is ready.
  virtual void set_notify(std::function<void()> notify) = 0;
  // Appends ready output to `out`; returns false when the stream has ended.
  virtual bool poll(std::string& out) = 0;
  // What to send after an idle interval so proxies and clients keep the connection open.
  virtual std::string heartbeat() = 0;
};

struct HttpResponse;

// A response decided later (a long poll): the server keeps the connection waiting, calls take() whenever
// notify fires, and expire() once `timeout()` has passed or the server drains.
class DeferredResponse {
 public:
  virtual ~DeferredResponse() = default;
  virtual std::chrono::milliseconds timeout() const = 0;
  // Called once, before the first take(), with a callback that any thread may call when an answer is ready.
  virtual void set_notify(std::function<void()> notify) = 0;
  // The answer once there is one; false until then (`out` untouched).
  virtual bool take(HttpResponse& out) = 0;
  // The answer when nothing happened in time.
  virtual HttpResponse expire() = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<ResponseStream> stream;
  std::shared_ptr<DeferredResponse> deferred;  // set: the rest of this response is ignored

  static HttpResponse json(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
  static HttpResponse text(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    r.body = std::move(body);
    return r;
  }
};

}  // namespace wharf::api
