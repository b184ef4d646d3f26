// The OpenAPI document (src/api/openapi.json, embedded) must describe exactly the routes the router
// serves, each with the path parameters its pattern has.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "api/api_context.h"
#include "api/openapi.h"
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
    // Logging in is the one /api/v1 call made before the caller has credentials.
    bool v1 = r.pattern.starts_with("/api/v1/") && !(r.method == "POST" && r.pattern == "/api/v1/login");
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

// The document the server serves carries, on every operation, the permission and scope of its route,
// taken from the router's table at serve time (the isolation matrix test reads them from there).
TEST(OpenApi, ServedDocumentNamesEachOperationsPermissionAndScope) {
  Fixture f;
  auto match = f.router.match("GET", "/api/v1/openapi.json");
  ASSERT_NE(match.route, nullptr);
  HttpRequest request;
  request.method = "GET";
  request.path = "/api/v1/openapi.json";
  auto response = match.route->handler(request, Identity{});
  ASSERT_TRUE(response.has_value());
  ASSERT_EQ(response->status, 200);
  auto doc = nlohmann::json::parse(response->body);

  std::map<std::string, const Route*> routed;
  for (const auto& r : f.router.routes()) routed[lower(r.method) + " " + r.pattern] = &r;
  size_t operations = 0;
  for (const auto& [path, ops] : doc["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      ++operations;
      const std::string key = method + " " + path;
      ASSERT_TRUE(op.contains("x-wharf-permission")) << key;
      ASSERT_TRUE(op.contains("x-wharf-scope")) << key;
      auto it = routed.find(key);
      ASSERT_NE(it, routed.end()) << "served but not routed: " << key;
      EXPECT_EQ(op["x-wharf-permission"], it->second->permission) << key;
      std::string scope = "public";
      if (it->second->permission != kPublic)
        scope = std::string(to_string(find_permission(it->second->permission)->scope));
      EXPECT_EQ(op["x-wharf-scope"], scope) << key;
    }
  }
  EXPECT_EQ(operations, f.router.routes().size());
  // The rest of the document is the embedded one.
  auto embedded = nlohmann::json::parse(embedded_openapi_json());
  EXPECT_EQ(doc["components"], embedded["components"]);
  EXPECT_EQ(doc["paths"]["/api/v1/projects"]["get"]["summary"],
            embedded["paths"]["/api/v1/projects"]["get"]["summary"]);
}

// A route the embedded document forgot still appears in the served one, annotated.
TEST(OpenApi, AnnotationAddsRoutesTheDocumentLacks) {
  Router router;
  router.add(
      {"GET", "/api/v1/projects/{project}/gadgets", "app.read", "List gadgets",
       [](HttpRequest&, const Identity&) -> Result<HttpResponse> { return HttpResponse::text(200, ""); }});
  router.add(
      {"GET", "/healthz", std::string(kPublic), "Liveness",
       [](HttpRequest&, const Identity&) -> Result<HttpResponse> { return HttpResponse::text(200, ""); }});
  auto doc = nlohmann::json::parse(
      annotated_openapi(R"({"openapi":"3.0.3","paths":{"/healthz":{"get":{"summary":"up"}}}})", router));
  EXPECT_EQ(doc["paths"]["/healthz"]["get"]["summary"], "up");
  EXPECT_EQ(doc["paths"]["/healthz"]["get"]["x-wharf-permission"], "public");
  EXPECT_EQ(doc["paths"]["/healthz"]["get"]["x-wharf-scope"], "public");
  const auto& gadgets = doc["paths"]["/api/v1/projects/{project}/gadgets"]["get"];
  EXPECT_EQ(gadgets["summary"], "List gadgets");
  EXPECT_EQ(gadgets["x-wharf-permission"], "app.read");
  EXPECT_EQ(gadgets["x-wharf-scope"], "project");
}

}  // namespace
}  // namespace wharf::api
