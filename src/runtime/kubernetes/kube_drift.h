// Drift: the fields Wharf sets on an object that now read differently in the cluster (someone ran
// kubectl). Server-side apply makes Wharf the owner of exactly the fields it sends, so "what Wharf sent"
// is the yardstick: fields others added are not drift, fields Wharf sent and others changed or removed are.
// Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace wharf::kube {

// Each difference as "path: desired -> observed" ("spec.replicas: 3 -> 5",
// "spec.template.spec.containers[web].image: a:1 -> a:2", "metadata.labels.wharf.io/project: p ->
// (removed)"). Every field of `desired` is looked up in `observed`; objects recurse, lists of objects with a
// "name" are matched by name (as Kubernetes merges them), other lists by position. Resource quantities
// compare by value ("0.5" equals "500m"); a field left out equals its zero value (the API server omits
// zeros, as initialDelaySeconds: 0). Empty when `observed` has everything `desired` says.
std::vector<std::string> drift_between(const nlohmann::json& desired, const nlohmann::json& observed);

// The differences joined for a person, at most `max_items` of them ("...and 2 more").
std::string describe_drift(const std::vector<std::string>& differences, size_t max_items = 3);

}  // namespace wharf::kube
