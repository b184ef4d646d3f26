// Mapping: what one app x environment becomes on a Kubernetes cluster. A Namespace per environment, and
// per app a Deployment and (when the app has ports) a Service, with the labels kubectl users recognise.
// Pure: no I/O; unit-tested with the JSON it produces.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/kubernetes/kube_config_mapping.h"
#include "runtime/runtime.h"

namespace wharf::kube {

inline constexpr std::string_view kNameLabel = "app.kubernetes.io/name";
inline constexpr std::string_view kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr std::string_view kManagedByValue = "wharf";
inline constexpr std::string_view kProjectLabel = "wharf.io/project";
inline constexpr std::string_view kEnvironmentLabel = "wharf.io/environment";
// On the Deployment and its pod template: the revision of the release whose pod template runs. A scale
// or offline release keeps the template (and this annotation) of the release it scales, so it never
// restarts pods.
inline constexpr std::string_view kRevisionAnnotation = "wharf.io/revision";
inline constexpr std::string_view kConfigVersionAnnotation = "wharf.io/config-version";
// On the pod template: a digest of everything in it except the annotations above, to tell whether a
// release needs new pods.
inline constexpr std::string_view kTemplateHashAnnotation = "wharf.io/template-hash";

// "app.kubernetes.io/managed-by=wharf": the label selector of every watch.
std::string managed_selector();

struct DesiredObjects {
  nlohmann::json ns;          // the Namespace, labelled as Wharf's
  nlohmann::json deployment;  // the Deployment
  nlohmann::json service;     // the Service; null when the app has no ports
  std::string template_hash;
  // The ConfigMaps and Secrets of w.config that the pod template refers to (kube_config_mapping.h);
  // empty without a config. When the config cannot be delivered, config_error says why (invalid) and the
  // template refers to no config objects: such a workload must not be applied.
  ConfigLayout config;
  std::optional<Error> config_error;
};

// The digest of the pod template `w` asks for (kTemplateHashAnnotation).
std::string template_hash(const Workload& w);

// The objects for `w`. `template_revision` is the revision recorded on the pod template: w's own
// revision for a new template, or the revision of the running template when it is unchanged (scale).
DesiredObjects desired_objects(const Workload& w, int64_t template_revision);

// The image reference to run: the release's image, pinned to its digest when that is known.
std::string pinned_image(const Release& release);

// The integer an object's annotation `name` records; 0 when absent or not a number.
int64_t annotation_number(const nlohmann::json& object, std::string_view name);
// The revision a Deployment's or pod's annotations record; 0 when absent or not a number.
int64_t annotated_revision(const nlohmann::json& object);

}  // namespace wharf::kube
