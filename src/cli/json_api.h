// The Wharf REST API as JSON calls: turns HTTP answers into JSON values or Failures with the exit
// code scripts expect (4xx -> 1 with the server's message and field; 5xx, unreachable, timeout -> 3).
// Blocks; not thread-safe.
#pragma once

#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "cli/api_client.h"
#include "cli/failure.h"

namespace wharf::cli {

using nlohmann::json;

class JsonApi {
 public:
  explicit JsonApi(ApiClient client) : client_(std::move(client)) {}

  const ServerUrl& server() const { return client_.server(); }

  // `path` is relative to the server URL ("/api/v1/projects"); segments must already be escaped.
  Outcome<json> get(std::string_view path) const;
  Outcome<json> post(std::string_view path, const json& body) const;
  Outcome<json> put(std::string_view path, const json& body) const;
  Outcome<json> patch(std::string_view path, const json& body) const;
  Outcome<json> del(std::string_view path) const;

  // GET of a text body (an export), returned as it is; failures as for the JSON calls.
  Outcome<std::string> get_text(std::string_view path) const;

  // GET that reports a 404 as nullopt instead of a failure (for create-or-update).
  Outcome<std::optional<json>> find(std::string_view path) const;

  // GETs every page of a `{"items","continue"}` list and returns the items as one array; stops after
  // `limit` items when limit > 0.
  Outcome<json> list(std::string_view path, int limit) const;

  // GETs a text stream, handing the body to `on_chunk` as it arrives.
  Outcome<void> stream(std::string_view path, const std::function<void(std::string_view)>& on_chunk) const;

 private:
  Outcome<HttpReply> send(std::string_view method, std::string_view path, std::string_view body) const;
  Outcome<json> decode(const HttpReply& reply) const;
  Outcome<json> call(std::string_view method, std::string_view path, std::string_view body) const;

  ApiClient client_;
};

// The Failure for a non-2xx answer: the server's message (and field), exit 1 for 4xx, 3 otherwise. An
// error that lists its items (`"items": [{"field","key","message"}]`, such as a refused config publish)
// gets one more line per item.
Failure failure_from_reply(const HttpReply& reply);

}  // namespace wharf::cli
