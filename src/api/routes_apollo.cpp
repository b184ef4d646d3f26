// Apollo-compatible client API: services that read their config with Apollo's client libraries (Java,
// .NET, Go, ...) switch to Wharf by changing only their meta server address to
// http://wharf:7070/apollo/{project}/{environment} (and setting the access key's secret). The protocol is
// Apollo's published client protocol ("other language client" guide, Apollo 1.6+ access keys):
// - GET {meta}/services/config: the config service list; its homepageUrl is the same address;
// - GET /configs/{appId}/{cluster}/{namespace}?releaseKey=: the namespace with its releaseKey, 304 with
//   an empty body when the client's releaseKey is current;
// - GET /configfiles/json/... and /configfiles/...: the namespace as a flat JSON object or properties;
// - GET /notifications/v2?appId=&cluster=&notifications=[...]: held up to 60 s, 200 with the namespaces
//   whose notificationId changed, 304 when nothing did.
// Namespaces map onto items as core/apollo_protocol.h says. The notificationId is the live config version
// (-1: none), which a rollback lowers: clients take whatever id the server returns.
//
// Authentication is Apollo's access-key signature: "Authorization: Apollo {appId}:{signature}" and
// "Timestamp: {ms}", signature = base64(HMAC-SHA1(secret, timestamp + "\n" + path?query)), within 60 s.
// Unlike Apollo, a key is always required (these routes are public to the router; the signature is their
// authentication). Whoever holds a key reads secret items unmasked: their service needs the values.
#include <charconv>
#include <chrono>
#include <cstdlib>

#include "api/handler_support.h"
#include "api/live_config_poll.h"
#include "api/routes.h"
#include "controller/config_version_cache.h"
#include "core/apollo_protocol.h"
#include "core/config_format.h"
#include "util/crypto.h"
#include "util/secret_box.h"

namespace wharf::api {
namespace {

constexpr const char* kBase = "/apollo/{project}/{env}";
constexpr auto kSignatureWindow = std::chrono::seconds(60);
constexpr auto kLongPoll = std::chrono::seconds(60);  // Apollo's; its clients time out after 90 s

// The long poll's hold time: Apollo's 60 s, or WHARF_APOLLO_POLL_MS (tests).
std::chrono::milliseconds long_poll_time() {
  if (const char* ms = std::getenv("WHARF_APOLLO_POLL_MS")) return std::chrono::milliseconds(std::atol(ms));
  return kLongPoll;
}

std::string path(const char* tail) {
  return std::string(kBase) + tail;
}

ConfigKey key_of(const HttpRequest& req, const std::string& app_id) {
  return {req.param("project"), app_id, req.param("env")};
}

std::string access_keys_path(const ConfigKey& key) {
  return "/api/v1/projects/" + key.project + "/apps/" + key.app + "/environments/" + key.environment +
         "/config/access-keys";
}

// Checks the request's access-key signature against the app's keys in the environment. An unknown project,
// app or environment, no key and a wrong signature all answer the same 401: callers without a key learn
// nothing about what exists.
Status authenticate(ApiContext& ctx, const HttpRequest& req, const ConfigKey& key) {
  int64_t ms = 0;
  auto [p, ec] = std::from_chars(req.timestamp.data(), req.timestamp.data() + req.timestamp.size(), ms);
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  if (req.timestamp.empty() || ec != std::errc() || p != req.timestamp.data() + req.timestamp.size() ||
      std::chrono::milliseconds(std::abs(now - ms)) >= kSignatureWindow)
    return fail(Error::unauthorized(
        "RequestTimeTooSkewed: the Timestamp header must be the current time in milliseconds (within 60 s)"));
  constexpr std::string_view kScheme = "Apollo ";
  std::string_view auth = req.authorization;
  auto colon = auth.rfind(':');
  if (!auth.starts_with(kScheme) || colon == std::string_view::npos)
    return fail(Error::unauthorized("the Authorization header must be \"Apollo {appId}:{signature}\""));
  const std::string_view signature = auth.substr(colon + 1);
  const std::string signed_text = req.timestamp + "\n" + req.target;
  auto keys = ctx.store.list_config_access_keys(key);
  if (!keys && keys.error().code != ErrorCode::kNotFound) return fail(keys.error());
  if (keys && ctx.secrets) {
    for (const auto& k : *keys) {
      auto secret = ctx.secrets->unseal(k.secret);
      if (secret && constant_time_equal(hmac_sha1_base64(*secret, signed_text), signature)) return {};
    }
  }
  return fail(Error::unauthorized(
      "the signature matches no access key of app \"" + key.app + "\" in environment \"" + key.environment +
      "\" of project \"" + key.project +
      "\"; an owner creates keys with `wharf config access-key create` (POST " + access_keys_path(key) +
      ") and the client signs with the secret (apollo.access-key.secret)"));
}

// The namespace's content at the live version: {configurations, releaseKey}; `not_found` when the app
// has no live version or nothing by that name.
struct NamespaceContent {
  std::vector<std::pair<std::string, std::string>> configurations;
  std::string release_key;
};

Result<NamespaceContent> load_namespace(ApiContext& ctx, const ConfigKey& key, const std::string& ns) {
  auto live = ctx.live_config->live(key);
  if (!live) return fail(live.error());
  auto missing = [&] {
    return Error::not_found("namespace \"" + ns + "\" of app \"" + key.app +
                            "\" has no published config in "
                            "environment \"" +
                            key.environment + "\"");
  };
  if (*live == 0) return fail(missing());
  auto version = ctx.config_versions->get(key, *live);
  if (!version) return fail(version.error());
  auto pairs = apollo_configurations((*version)->items, ns);
  if (!pairs) return fail(missing());
  // The releaseKey is a hash of the content, so a new version that leaves this namespace alone still
  // answers 304 to a client that has it.
  std::string all;
  for (const auto& [k, v] : *pairs) {
    all += std::to_string(k.size()) + ":" + k + std::to_string(v.size()) + ":" + v;
  }
  return NamespaceContent{std::move(*pairs), "wharf-" + sha256_hex(all).substr(0, 24)};
}

// Handlers of the three config reads: authenticate, load the namespace, answer in `format`.
enum class Shape { kConfigs, kJson, kProperties };

Result<HttpResponse> read_namespace(ApiContext& ctx, const HttpRequest& req, Shape shape) {
  const ConfigKey key = key_of(req, req.param("appId"));
  if (auto s = authenticate(ctx, req, key); !s) return fail(s.error());
  const std::string& ns = req.param("namespace");
  auto content = load_namespace(ctx, key, ns);
  if (!content) return fail(content.error());
  if (shape == Shape::kProperties) {
    std::vector<ConfigItem> items;
    for (auto& [k, v] : content->configurations)
      items.push_back(ConfigItem{k, v, ConfigType::kString, {}, {}, false});
    return HttpResponse::text(200, format_config_text(ConfigFormat::kProperties, items));
  }
  json configurations = json::object();
  for (const auto& [k, v] : content->configurations) configurations[k] = v;
  if (shape == Shape::kJson)
    return HttpResponse::json(200, configurations.dump(-1, ' ', false, json::error_handler_t::replace));
  if (auto client = req.q("releaseKey"); client && *client == content->release_key) {
    HttpResponse r;
    r.status = 304;
    return r;
  }
  return HttpResponse::json(200, json{{"appId", key.app},
                                      {"cluster", req.param("cluster")},
                                      {"namespaceName", ns},
                                      {"configurations", std::move(configurations)},
                                      {"releaseKey", content->release_key}}
                                     .dump(-1, ' ', false, json::error_handler_t::replace));
}

Result<HttpResponse> notifications(ApiContext& ctx, HttpRequest& req, std::chrono::milliseconds hold) {
  auto app_id = req.q("appId");
  if (!app_id || app_id->empty()) return fail(Error::invalid("appId", "appId is required"));
  const ConfigKey key = key_of(req, *app_id);
  if (auto s = authenticate(ctx, req, key); !s) return fail(s.error());
  auto text = req.q("notifications");
  if (!text) return fail(Error::invalid("notifications", "notifications is required"));
  auto asked = parse_apollo_notifications(*text);
  if (!asked) return fail(asked.error());
  const std::string cluster = req.q("cluster").value_or("default");
  // Every namespace of an app moves with its live version, so one id stands for all: the client is
  // current when every id it sent is the live one.
  auto live = ctx.live_config->live(key);
  if (!live) return fail(live.error());
  const int64_t id = *live == 0 ? -1 : *live;
  int64_t known = *live;
  for (const auto& n : *asked)
    if (n.notification_id != id) known = -2;  // differs from any version: answers at once
  auto answer = [asked = *asked, app = key.app, cluster](int64_t version) {
    const int64_t id = version == 0 ? -1 : version;
    json out = json::array();
    for (const auto& n : asked) {
      if (n.notification_id == id) continue;
      out.push_back(json{
          {"namespaceName", n.namespace_name},
          {"notificationId", id},
          {"messages",
           json{{"details",
                 json{{app + "+" + cluster + "+" + normalize_apollo_namespace(n.namespace_name), id}}}}}});
    }
    return HttpResponse::json(200, out.dump(-1, ' ', false, json::error_handler_t::replace));
  };
  HttpResponse unchanged;
  unchanged.status = 304;
  auto poll =
      LiveConfigPoll::start(*ctx.live_config, key, known, hold, std::move(answer), std::move(unchanged));
  if (!poll) return fail(poll.error());
  HttpResponse r;
  r.deferred = std::move(*poll);
  return r;
}

}  // namespace

void add_apollo_routes(Router& router, ApiContext& ctx) {
  router.add({"GET", path("/services/config"), std::string(kPublic),
              "Apollo meta server: the config service address (this one)",
              [](HttpRequest& req, const Identity&) -> Result<HttpResponse> {
                // The address the client used, so whatever name or port reached us reaches us again.
                const std::string home = "http://" +
                                         (req.host.empty() ? std::string("127.0.0.1") : req.host) +
                                         "/apollo/" + req.param("project") + "/" + req.param("env") + "/";
                return HttpResponse::json(200, json::array({json{{"appName", "APOLLO-CONFIGSERVICE"},
                                                                 {"instanceId", "wharf"},
                                                                 {"homepageUrl", home}}})
                                                   .dump());
              }});
  router.add(
      {"GET", path("/configs/{appId}/{cluster}/{namespace}"), std::string(kPublic),
       "Apollo: one namespace with its releaseKey (304 when unchanged); access-key signature",
       [&ctx](HttpRequest& req, const Identity&) { return read_namespace(ctx, req, Shape::kConfigs); }});
  router.add({"GET", path("/configfiles/json/{appId}/{cluster}/{namespace}"), std::string(kPublic),
              "Apollo: one namespace as a flat JSON object; access-key signature",
              [&ctx](HttpRequest& req, const Identity&) { return read_namespace(ctx, req, Shape::kJson); }});
  router.add(
      {"GET", path("/configfiles/{appId}/{cluster}/{namespace}"), std::string(kPublic),
       "Apollo: one namespace as properties text; access-key signature",
       [&ctx](HttpRequest& req, const Identity&) { return read_namespace(ctx, req, Shape::kProperties); }});
  router.add({"GET", path("/notifications/v2"), std::string(kPublic),
              "Apollo: long poll (60 s) for changed namespaces, 304 when none; access-key signature",
              [&ctx, hold = long_poll_time()](HttpRequest& req, const Identity&) {
                return notifications(ctx, req, hold);
              }});
}

}  // namespace wharf::api
