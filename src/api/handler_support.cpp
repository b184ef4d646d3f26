#include "api/handler_support.h"

#include <charconv>

#include "core/json_codec.h"

namespace wharf::api {

Result<json> body_object(const HttpRequest& request) {
  if (request.body.empty()) return fail(Error::invalid("", "the request needs a JSON object body"));
  auto parsed = json_codec::parse(request.body);
  if (!parsed) return tl::unexpected(parsed.error());
  if (!parsed->is_object()) return fail(Error::invalid("", "the request body must be a JSON object"));
  return parsed;
}

Result<json> secret_body_object(const HttpRequest& request) {
  json parsed = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object())
    return fail(Error::invalid("", "the request body must be a JSON object"));
  return parsed;
}

Result<ListOptions> list_options(const HttpRequest& request) {
  ListOptions options;
  if (auto limit = request.q("limit")) {
    int v = 0;
    auto [p, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), v);
    if (ec != std::errc() || p != limit->data() + limit->size() || v < 1 || v > 1000)
      return fail(Error::invalid("limit", "limit must be an integer from 1 to 1000; got \"" + *limit + "\""));
    options.limit = v;
  }
  if (auto cont = request.q("continue")) options.continue_token = *cont;
  return options;
}

namespace {
Result<int64_t> parse_resource_version(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && p == s.data() + s.size() && v >= 0) return v;
  return fail(Error::invalid("resourceVersion", "resourceVersion must be the integer the server returned"));
}
}  // namespace

Result<std::string> message_of(const json& body) {
  auto it = body.find("message");
  if (it == body.end() || it->is_null()) return std::string();
  if (!it->is_string()) return fail(Error::invalid("message", "message must be a string"));
  if (it->get_ref<const std::string&>().size() > 2000)
    return fail(Error::invalid("message", "message must be at most 2000 characters"));
  return it->get<std::string>();
}

Result<int64_t> resource_version_of(const json& body) {
  auto it = body.find("resourceVersion");
  if (it == body.end() || it->is_null()) return int64_t{0};
  if (it->is_number_unsigned()) return it->get<int64_t>();
  if (it->is_string()) return parse_resource_version(it->get_ref<const std::string&>());
  return fail(Error::invalid("resourceVersion", "resourceVersion must be the integer the server returned"));
}

Result<int64_t> resource_version_of(const HttpRequest& request) {
  auto q = request.q("resourceVersion");
  return q ? parse_resource_version(*q) : int64_t{0};
}

HttpResponse publish_and_respond(ApiContext& ctx, int status, const char* type, const char* kind,
                                 const std::string& project, const std::string& name,
                                 int64_t resource_version, json object) {
  std::string text = object.dump();
  ctx.bus.publish(Event{type, kind, project, name, resource_version, text});
  return HttpResponse::json(status, std::move(text));
}

}  // namespace wharf::api
