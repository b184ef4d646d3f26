// The parts of Apollo's client protocol that are pure: how Apollo namespaces map onto an app's config
// items, and the notifications parameter of the long poll. The HTTP side is src/api/routes_apollo.cpp.
//
// Mapping (README "Apollo clients"): an Apollo meta server address names a Wharf project and environment
// (http://wharf:7070/apollo/{project}/{environment}); appId is the app's name; the cluster is accepted and
// echoed (an app has one config per environment). Namespaces:
// - "application" (also sent as "application.properties"): the app's scalar items;
// - "X" or "X.properties": the properties file item "X.properties", as key/value pairs;
// - any other name with a suffix ("application.yaml", "logback.xml", "settings.json"): the file item of
//   that name, as {"content": <file text>}, which is how Apollo serves non-properties namespaces.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config_item.h"
#include "core/error.h"

namespace wharf {

// Apollo's own normalisation: a ".properties" suffix (any case) is dropped.
std::string normalize_apollo_namespace(std::string_view name);

// The key/value pairs of namespace `name` (normalised), in key order for properties; nullopt when the
// items have nothing by that name.
std::optional<std::vector<std::pair<std::string, std::string>>> apollo_configurations(
    std::span<const ConfigItem> items, std::string_view name);

struct ApolloNotification {
  std::string namespace_name;  // as the client sent it
  int64_t notification_id = -1;
};

// The `notifications` parameter: a JSON array of {"namespaceName": "...", "notificationId": N}. A
// missing id is -1 (the client has nothing yet). `invalid` (field "notifications") when malformed or empty.
Result<std::vector<ApolloNotification>> parse_apollo_notifications(std::string_view text);

}  // namespace wharf
