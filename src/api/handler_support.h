// Small helpers shared by the route handlers: body parsing, list options, JSON responses, events.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "api/api_context.h"
#include "api/http_types.h"
#include "core/error.h"
#include "store/store.h"

namespace wharf::api {

using nlohmann::json;

// Parses the request body as a JSON object; `invalid` when it is not one.
Result<json> body_object(const HttpRequest& request);
// The same for bodies that carry a password or token: a parse error does not quote the body.
Result<json> secret_body_object(const HttpRequest& request);
// The optional "why" of a release or a config version (`message`, at most 2000 characters); "" when absent.
Result<std::string> message_of(const json& body);
// `limit` (1..1000, default 100) and `continue` from the query.
Result<ListOptions> list_options(const HttpRequest& request);
// A resourceVersion given in the body (or 0 when absent); `invalid` when not an integer.
Result<int64_t> resource_version_of(const json& body);
// The `resourceVersion` query parameter of a DELETE (0 when absent); `invalid` when not an integer.
Result<int64_t> resource_version_of(const HttpRequest& request);
// {"items":[...],"continue":"..."}.
template <class T, class Encode>
HttpResponse page_response(const Page<T>& page, Encode encode) {
  json items = json::array();
  for (const auto& item : page.items) items.push_back(encode(item));
  return HttpResponse::json(200, json{{"items", std::move(items)}, {"continue", page.continue_token}}.dump());
}
// Publishes a change of `kind` and returns `object` as the response body with `status`.
HttpResponse publish_and_respond(ApiContext& ctx, int status, const char* type, const char* kind,
                                 const std::string& project, const std::string& name,
                                 int64_t resource_version, json object);

}  // namespace wharf::api
