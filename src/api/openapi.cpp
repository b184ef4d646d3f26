#include "api/openapi.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "core/permission.h"

namespace wharf::api {

std::string annotated_openapi(std::string_view document, const Router& router) {
  auto doc = nlohmann::json::parse(document);
  auto& paths = doc["paths"];
  for (const auto& route : router.routes()) {
    std::string method = route.method;
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto& operation = paths[route.pattern][method];
    if (!operation.is_object()) operation = nlohmann::json{{"summary", route.summary}};
    std::string scope = "public";
    if (route.permission != kPublic) {
      auto info = find_permission(route.permission);
      scope = info ? std::string(to_string(info->scope)) : "unknown";
    }
    operation["x-wharf-permission"] = route.permission;
    operation["x-wharf-scope"] = scope;
  }
  return doc.dump();
}

}  // namespace wharf::api
