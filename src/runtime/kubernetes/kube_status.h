// Status derivation: what the observed Deployment, ReplicaSets, pods and warning events of one app say
// about its rollout and instances. Pure (the caches hand in their objects); thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/instance.h"
#include "runtime/runtime.h"

namespace wharf::kube {

struct ObservedApp {
  const nlohmann::json* deployment = nullptr;       // null when it does not exist (yet)
  std::vector<const nlohmann::json*> replica_sets;  // the app's ReplicaSets, any revision
  std::vector<const nlohmann::json*> pods;          // the app's pods, any revision
  std::vector<const nlohmann::json*> warnings;      // Warning events about the app's objects, any order
};

// One pod as an Instance: state creating (unscheduled) / starting (scheduled, not running yet) / running /
// exited / failed (crash loop, image pull, OOM, failed phase), the reason for a bad state, ready,
// restarts (all containers), node, pod IP, start time and the revision of its template.
Instance instance_from_pod(const nlohmann::json& pod, const std::string& cluster);

// The rollout of `desired` (whose pod template digests to `template_hash`):
// - progressing while the Deployment is missing, still shows another template or replica count, or its
//   controller has not observed the latest generation, or not every replica is updated and available, or
//   pods of an old template remain;
// - succeeded when updatedReplicas == availableReplicas == replicas == desired and no old pods remain;
// - failed when the Deployment's Progressing condition says ProgressDeadlineExceeded, with the condition's
//   message and the newest warning events as the reason.
// `ready` counts ready pods of the desired template; instances are every pod, sorted by name.
WorkloadStatus derive_status(const Workload& desired, const std::string& template_hash,
                             const ObservedApp& app, const std::string& cluster);

}  // namespace wharf::kube
