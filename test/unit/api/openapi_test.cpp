// The OpenAPI document (src/api/openapi.json, embedded) must describe exactly the routes the router
// serves, each with the path parameters its pattern has.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "api/api_context.h"
#include "api/routes.h"
#include "auth/token_authenticator.h"
#include "core/permission.h"
#include "events/event_bus.h"
#include "store/sqlite/sqlite_store.h"

namespace wharf {
std::string_view embedded_openapi_json();
}

namespace wharf::api {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The server's router with every route, over a real (empty) store.
struct Fixture {
  std::string dir = testing::TempDir() + "openapi_test_" + std::to_string(::getpid());
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<TokenAuthenticator> auth;
  std::unique_ptr<ApiContext> ctx;
  EventBus bus;
  Router router;
  Fixture() {
    std::filesystem::create_directories(dir);
    store = std::move(*SqliteStore::open(dir + "/wharf.db"));
    auth = std::make_unique<TokenAuthenticator>(*store);
    ctx.reset(new ApiContext{*store, bus, *auth, {}, [] { return true; }, nullptr});
    add_all_routes(router, *ctx);
  }
  ~Fixture() { std::filesystem::remove_all(dir); }
};

TEST(OpenApi, DocumentListsExactlyTheRouterRoutes) {
  Fixture f;
  auto doc = nlohmann::json::parse(embedded_openapi_json());
  std::set<std::string> routed, documented;
  for (const auto& r : f.router.routes()) routed.insert(lower(r.method) + " " + r.pattern);
  for (const auto& [path, ops] : doc["paths"].items())
    for (const auto& [method, op] : ops.items()) documented.insert(method + " " + path);
  for (const auto& r : routed) EXPECT_TRUE(documented.contains(r)) << "routed but not documented: " << r;
  for (const auto& d : documented) EXPECT_TRUE(routed.contains(d)) << "documented but not routed: " << d;
}

TEST(OpenApi, EveryPathParameterIsDeclared) {
  auto doc = nlohmann::json::parse(embedded_openapi_json());
  const auto& params = doc["components"]["parameters"];
  for (const auto& [path, ops] : doc["paths"].items()) {
    std::set<std::string> in_path;
    for (size_t i = path.find('{'); i != std::string::npos; i = path.find('{', i + 1))
      in_path.insert(path.substr(i + 1, path.find('}', i) - i - 1));
    for (const auto& [method, op] : ops.items()) {
      std::set<std::string> declared;
      for (const auto& p : op.value("parameters", nlohmann::json::array())) {
        auto name = p["$ref"].get<std::string>().substr(std::string("#/components/parameters/").size());
        ASSERT_TRUE(params.contains(name)) << path << " refers to missing parameter " << name;
        if (params[name]["in"] == "path") declared.insert(params[name]["name"].get<std::string>());
      }
      EXPECT_EQ(declared, in_path) << method << " " << path;
    }
  }
}

TEST(OpenApi, RoutesOutsideApiV1ArePublicAndInsideNeedAPermission) {
  Fixture f;
  for (const auto& r : f.router.routes()) {
    bool v1 = r.pattern.starts_with("/api/v1/");
    EXPECT_EQ(r.permission == kPublic, !v1) << r.method << " " << r.pattern;
  }
}

TEST(OpenApi, EveryRoutePermissionIsAKnownOne) {
  Fixture f;
  for (const auto& r : f.router.routes()) {
    if (r.permission == kPublic) continue;
    auto p = find_permission(r.permission);
    ASSERT_TRUE(p) << r.method << " " << r.pattern << " declares unknown permission " << r.permission;
    // An environment permission on a path without {env} would be checked without an environment.
    if (p->scope == PermissionScope::kEnvironment) {
      EXPECT_NE(r.pattern.find("{env}"), std::string::npos) << r.method << " " << r.pattern;
    }
  }
}

}  // namespace
}  // namespace wharf::api
