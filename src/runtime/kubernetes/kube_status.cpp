#include "runtime/kubernetes/kube_status.h"

#include <algorithm>

#include "runtime/kubernetes/kube_mapping.h"

namespace wharf::kube {
namespace {

using json = nlohmann::json;

const json& field(const json& object, std::initializer_list<std::string_view> path) {
  static const json kNull;
  const json* at = &object;
  for (auto key : path) {
    if (!at->is_object()) return kNull;
    auto it = at->find(key);
    if (it == at->end()) return kNull;
    at = &*it;
  }
  return *at;
}

std::string text(const json& object, std::initializer_list<std::string_view> path) {
  const json& v = field(object, path);
  return v.is_string() ? v.get<std::string>() : std::string();
}

int64_t number(const json& object, std::initializer_list<std::string_view> path) {
  const json& v = field(object, path);
  return v.is_number_integer() ? v.get<int64_t>() : 0;
}

std::string template_hash_of_pod(const json& pod) {
  return text(pod, {"metadata", "annotations", kTemplateHashAnnotation});
}

bool terminating(const json& object) {
  return !field(object, {"metadata", "deletionTimestamp"}).is_null();
}

// Waiting reasons that mean the container cannot run as it is, as opposed to "still starting".
bool failing_wait(const std::string& reason) {
  return reason == "CrashLoopBackOff" || reason == "ImagePullBackOff" || reason == "ErrImagePull" ||
         reason == "InvalidImageName" || reason == "CreateContainerConfigError" ||
         reason == "CreateContainerError" || reason == "RunContainerError";
}

// When the event last happened: series, lastTimestamp, eventTime, then creation (RFC 3339 sorts as text).
std::string event_time(const json& e) {
  std::string t = text(e, {"series", "lastObservedTime"});
  if (t.empty()) t = text(e, {"lastTimestamp"});
  if (t.empty()) t = text(e, {"eventTime"});
  if (t.empty()) t = text(e, {"metadata", "creationTimestamp"});
  return t;
}

// The newest distinct warnings, newest first: "FailedScheduling: 0/3 nodes are available: ...".
std::string newest_warnings(std::vector<const json*> events, size_t max_items) {
  std::sort(events.begin(), events.end(),
            [](const json* a, const json* b) { return event_time(*a) > event_time(*b); });
  std::vector<std::string> seen;
  for (const json* e : events) {
    std::string line = text(*e, {"reason"}) + ": " + text(*e, {"message"});
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
    if (std::find(seen.begin(), seen.end(), line) == seen.end()) seen.push_back(std::move(line));
    if (seen.size() == max_items) break;
  }
  std::string out;
  for (const auto& s : seen) out += (out.empty() ? "" : "; ") + s;
  return out;
}

const json* condition(const json& deployment, std::string_view type) {
  const json& conditions = field(deployment, {"status", "conditions"});
  if (!conditions.is_array()) return nullptr;
  for (const auto& c : conditions)
    if (c.is_object() && c.value("type", "") == type) return &c;
  return nullptr;
}

std::string join_reason(std::string a, const std::string& b) {
  if (b.empty()) return a;
  return a.empty() ? b : a + "; " + b;
}

}  // namespace

Instance instance_from_pod(const json& pod, const std::string& cluster) {
  Instance inst;
  inst.name = text(pod, {"metadata", "name"});
  inst.cluster = cluster;
  inst.node = text(pod, {"spec", "nodeName"});
  inst.address = text(pod, {"status", "podIP"});
  inst.started_at = text(pod, {"status", "startTime"});
  inst.release = annotated_revision(pod);
  const std::string phase = text(pod, {"status", "phase"});

  bool all_ready = true, any_container = false;
  std::string waiting, terminated, last_terminated;
  const json& statuses = field(pod, {"status", "containerStatuses"});
  if (statuses.is_array())
    for (const auto& c : statuses) {
      any_container = true;
      all_ready = all_ready && c.value("ready", false);
      inst.restarts += static_cast<int>(number(c, {"restartCount"}));
      if (auto r = text(c, {"state", "waiting", "reason"}); !r.empty() && waiting.empty()) waiting = r;
      if (auto r = text(c, {"state", "terminated", "reason"}); !r.empty() && terminated.empty())
        terminated = r;
      if (auto r = text(c, {"lastState", "terminated", "reason"}); !r.empty() && last_terminated.empty())
        last_terminated = r;
    }
  inst.ready = any_container && all_ready && phase == "Running" && !terminating(pod);

  if (phase == "Succeeded") {
    inst.state = "exited";
    inst.reason = terminated;
  } else if (phase == "Failed") {
    inst.state = "failed";
    inst.reason = terminated.empty() ? text(pod, {"status", "reason"}) : terminated;
  } else if (failing_wait(waiting)) {
    inst.state = "failed";
    // A crash loop after an OOM kill says more as OOMKilled.
    inst.reason = waiting == "CrashLoopBackOff" && !last_terminated.empty() && last_terminated != "Completed"
                      ? waiting + " (" + last_terminated + ")"
                      : waiting;
  } else if (phase == "Running") {
    inst.state = "running";
    if (last_terminated == "OOMKilled" || last_terminated == "Error") inst.reason = last_terminated;
  } else if (inst.node.empty()) {
    inst.state = "creating";
    const json& conditions = field(pod, {"status", "conditions"});
    if (conditions.is_array())
      for (const auto& c : conditions)
        if (c.value("type", "") == "PodScheduled" && c.value("status", "") == "False")
          inst.reason = c.value("reason", "");
  } else {
    inst.state = "starting";
    inst.reason = waiting;
  }
  if (terminating(pod)) inst.reason = "Terminating";
  return inst;
}

WorkloadStatus derive_status(const Workload& desired, const std::string& template_hash,
                             const ObservedApp& app, const std::string& cluster) {
  WorkloadStatus st;
  const int replicas = desired.release.replicas;
  st.desired = replicas;
  st.rollout = ReleaseStatus::kProgressing;

  int old_pods = 0;
  std::string pod_problem;
  for (const json* pod : app.pods) {
    Instance inst = instance_from_pod(*pod, cluster);
    const bool current = template_hash_of_pod(*pod) == template_hash;
    if (current && inst.ready) ++st.ready;
    if (!current && !terminating(*pod)) ++old_pods;
    if (current && pod_problem.empty() && !inst.reason.empty() && inst.reason != "Terminating")
      pod_problem = inst.name + ": " + inst.reason;
    st.instances.push_back(std::move(inst));
  }
  // Old instances as the ReplicaSets count them, or as the pod cache sees them if it is ahead.
  int64_t old_rs_replicas = 0;
  for (const json* rs : app.replica_sets)
    if (text(*rs, {"spec", "template", "metadata", "annotations", kTemplateHashAnnotation}) != template_hash)
      old_rs_replicas += number(*rs, {"status", "replicas"});
  const int64_t old_replicas = std::max<int64_t>(old_pods, old_rs_replicas);
  std::sort(st.instances.begin(), st.instances.end(),
            [](const Instance& a, const Instance& b) { return a.name < b.name; });
  const std::string warnings = newest_warnings(app.warnings, 2);

  if (!app.deployment) {
    st.reason = "the Deployment " + desired.ns + "/" + desired.key.app + " does not exist yet";
    return st;
  }
  const json& dep = *app.deployment;
  if (text(dep, {"spec", "template", "metadata", "annotations", kTemplateHashAnnotation}) != template_hash) {
    st.reason = "the Deployment does not run this release's pod template yet";
    return st;
  }
  if (number(dep, {"spec", "replicas"}) != replicas) {
    st.reason = "the Deployment asks for " + std::to_string(number(dep, {"spec", "replicas"})) +
                " replicas, not " + std::to_string(replicas);
    return st;
  }
  if (number(dep, {"status", "observedGeneration"}) < number(dep, {"metadata", "generation"})) {
    st.reason = "waiting for the Deployment controller to see the change";
    return st;
  }
  if (const json* progressing = condition(dep, "Progressing");
      progressing && progressing->value("reason", "") == "ProgressDeadlineExceeded") {
    st.rollout = ReleaseStatus::kFailed;
    st.reason = join_reason("ProgressDeadlineExceeded: " + progressing->value("message", ""),
                            join_reason(pod_problem, warnings));
    return st;
  }
  const int64_t total = number(dep, {"status", "replicas"});
  const int64_t updated = number(dep, {"status", "updatedReplicas"});
  const int64_t available = number(dep, {"status", "availableReplicas"});
  if (total == replicas && updated == replicas && available == replicas && old_replicas == 0) {
    st.rollout = ReleaseStatus::kSucceeded;
    return st;
  }
  std::string waiting = std::to_string(st.ready) + " of " + std::to_string(replicas) + " instances ready";
  if (old_replicas > 0)
    waiting += ", " + std::to_string(old_replicas) + " of the previous revision still running";
  std::string failure;
  if (const json* replica_failure = condition(dep, "ReplicaFailure");
      replica_failure && replica_failure->value("status", "") == "True")
    failure = replica_failure->value("message", "");
  st.reason = join_reason(join_reason(waiting, failure), join_reason(pod_problem, warnings));
  return st;
}

}  // namespace wharf::kube
