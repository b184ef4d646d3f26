#include "cli/json_api.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace wharf::cli {
namespace {

constexpr int kMaxPageSize = 500;  // the server allows up to 1000; smaller pages keep each answer quick

bool is_success(int status) {
  return status >= 200 && status < 300;
}

// The first line of a non-JSON error body, shortened: enough to recognise a proxy's error page.
std::string excerpt(std::string_view body) {
  body = body.substr(0, body.find('\n'));
  if (body.size() > 200) return std::string(body.substr(0, 200)) + "...";
  return std::string(body);
}

std::string server_message(const HttpReply& reply) {
  json j = json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const json& e = j["error"];
    std::string message = e.value("message", std::string());
    if (message.empty()) message = "the server answered " + std::to_string(reply.status);
    auto items = e.find("items");
    if (items == e.end() || !items->is_array() || items->empty()) {
      if (auto field = e.value("field", std::string()); !field.empty()) message += " (field: " + field + ")";
      return message;
    }
    for (const auto& item : *items) {
      if (!item.is_object()) continue;
      const std::string key = item.value("key", std::string()), field = item.value("field", std::string());
      message += "\n  " + (key.empty() ? field : key) + ": " + item.value("message", std::string());
      if (!key.empty() && !field.empty()) message += " (" + field + ")";
    }
    return message;
  }
  std::string text = excerpt(reply.body);
  return "the server answered " + std::to_string(reply.status) + (text.empty() ? "" : ": " + text);
}

std::string with_query(std::string_view path, int page_size, const std::string& continue_token) {
  std::string out(path);
  out += path.find('?') == std::string_view::npos ? '?' : '&';
  out += "limit=" + std::to_string(page_size);
  if (!continue_token.empty()) out += "&continue=" + url_escape(continue_token);
  return out;
}

}  // namespace

Failure failure_from_reply(const HttpReply& reply) {
  const bool client_error = reply.status >= 400 && reply.status < 500;
  return Failure{client_error ? kExitRefused : kExitUnavailable, server_message(reply), reply.status};
}

Outcome<HttpReply> JsonApi::send(std::string_view method, std::string_view path,
                                 std::string_view body) const {
  auto reply = client_.request(method, path, body);
  if (!reply) return unavailable(reply.error());
  return std::move(*reply);
}

Outcome<json> JsonApi::decode(const HttpReply& reply) const {
  if (!is_success(reply.status)) return tl::unexpected(failure_from_reply(reply));
  if (reply.body.empty()) return json(nullptr);
  json j = json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return unavailable("the server at " + server().text + " answered " + std::to_string(reply.status) +
                       " with a body that is not JSON; is it a Wharf server?");
  return j;
}

Outcome<json> JsonApi::call(std::string_view method, std::string_view path, std::string_view body) const {
  auto reply = send(method, path, body);
  if (!reply) return tl::unexpected(reply.error());
  return decode(*reply);
}

Outcome<json> JsonApi::get(std::string_view path) const {
  return call("GET", path, {});
}
Outcome<json> JsonApi::post(std::string_view path, const json& body) const {
  return call("POST", path, body.dump());
}
Outcome<json> JsonApi::put(std::string_view path, const json& body) const {
  return call("PUT", path, body.dump());
}
Outcome<json> JsonApi::patch(std::string_view path, const json& body) const {
  return call("PATCH", path, body.dump());
}
Outcome<json> JsonApi::del(std::string_view path) const {
  return call("DELETE", path, {});
}

Outcome<std::string> JsonApi::get_text(std::string_view path) const {
  auto reply = send("GET", path, {});
  if (!reply) return tl::unexpected(reply.error());
  if (!is_success(reply->status)) return tl::unexpected(failure_from_reply(*reply));
  return std::move(reply->body);
}

Outcome<std::optional<json>> JsonApi::find(std::string_view path) const {
  auto reply = send("GET", path, {});
  if (!reply) return tl::unexpected(reply.error());
  // A 404 may also mean the parent (the project) is missing; the create that follows then fails with
  // the server's own message about it, which is the clearer one.
  if (reply->status == 404) return std::optional<json>();
  auto found = decode(*reply);
  if (!found) return tl::unexpected(found.error());
  return std::optional<json>(std::move(*found));
}

Outcome<json> JsonApi::list(std::string_view path, int limit) const {
  json items = json::array();
  std::string continue_token;
  do {
    const int want =
        limit > 0 ? std::min<int>(kMaxPageSize, limit - static_cast<int>(items.size())) : kMaxPageSize;
    auto page = get(with_query(path, want, continue_token));
    if (!page) return page;
    if (!page->is_object() || !(*page)["items"].is_array())
      return unavailable("the server's list answer has no \"items\" array; is it a Wharf server?");
    for (auto& item : (*page)["items"]) items.push_back(std::move(item));
    continue_token = page->value("continue", std::string());
  } while (!continue_token.empty() && (limit <= 0 || static_cast<int>(items.size()) < limit));
  return items;
}

Outcome<void> JsonApi::stream(std::string_view path,
                              const std::function<void(std::string_view)>& on_chunk) const {
  auto reply = client_.stream_get(path, on_chunk);
  if (!reply) return unavailable(reply.error());
  if (!is_success(reply->status)) return tl::unexpected(failure_from_reply(*reply));
  return {};
}

}  // namespace wharf::cli
