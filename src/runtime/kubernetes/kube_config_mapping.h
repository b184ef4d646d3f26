// Config delivery on Kubernetes: a release's config version becomes immutable ConfigMaps (the plain
// items) and Secrets (the secret items) named with the app and version ("web-config-v3", "web-secret-v3";
// "web-config-v3-0", "-1", ... when the data does not fit in one object), which the pod template
// references: file items as files of a projected volume at the app's configPath, scalar items whose key is
// an environment variable name as env vars (configMapKeyRef / secretKeyRef). A new config version names
// new objects, so the pod template changes and Kubernetes rolls the pods; a rollback's template names the
// old version's objects again. Pure: no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/config_version.h"
#include "core/error.h"
#include "runtime/runtime.h"

namespace wharf::kube {

// On the config objects: the config version they hold.
inline constexpr std::string_view kConfigVersionLabel = "wharf.io/config-version";
inline constexpr std::string_view kConfigVolumeName = "wharf-config";
// What one object may hold (values, plus keys for margin). Kubernetes refuses ConfigMaps and Secrets
// whose data exceeds 1 MiB (1048576 bytes); the rest is room for metadata within etcd's request limit.
inline constexpr size_t kConfigPartBytes = 1000 * 1000;

// One ConfigMap or Secret of a version: which items (indexes into ConfigVersion::items) it holds.
struct ConfigPart {
  std::string name;
  bool secret = false;
  std::vector<size_t> items;
  size_t bytes = 0;
};

// The objects of one version: ConfigMaps first, then Secrets. Empty when the version has no items.
struct ConfigLayout {
  int64_t version = 0;
  std::vector<ConfigPart> parts;
};

// "<app>-config-v<version>" / "<app>-secret-v<version>", with "-<part>" when there are several parts.
std::string config_object_name(std::string_view app, int64_t version, bool secret, size_t part, size_t parts);

// Spreads the version's items over parts of at most kConfigPartBytes, in key order. Error::invalid
// (field "config") naming the item when one item alone exceeds what an object can hold.
Result<ConfigLayout> config_layout(const ConfigVersion& config, std::string_view app);

// The ConfigMap or Secret for `part` (immutable, labelled like the app's other objects plus
// kConfigVersionLabel), in w's namespace.
nlohmann::json config_object(const Workload& w, const ConfigLayout& layout, const ConfigPart& part);

// Container env entries for the scalar items whose key is an environment variable name, except names in
// `taken` (the spec's own env wins).
nlohmann::json config_env(const ConfigVersion& config, const ConfigLayout& layout,
                          const std::set<std::string>& taken);

// The projected volume over every part holding file items (each key a file); null when there are none.
nlohmann::json config_volume(const ConfigVersion& config, const ConfigLayout& layout);

// "app.kubernetes.io/managed-by=wharf,app.kubernetes.io/name=<app>,...": the config objects of one app.
std::string config_selector(const ReleaseKey& key);

// The config version a pod template (or a ReplicaSet's / Deployment's template) refers to; 0 when none.
int64_t template_config_version(const nlohmann::json& pod_template);

}  // namespace wharf::kube
