// Informer: an in-memory cache of one kind of object on one cluster, kept current by list + watch.
//
// Lists once, then watches from the list's resourceVersion with bookmarks; a watch that ends is resumed
// from the last resourceVersion seen, a 410 Gone (history compacted, apiserver restarted) lists again,
// and a failure (apiserver down) retries with exponential back-off up to 5 s. One thread per informer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <string>
#include <thread>

#include "runtime/kubernetes/kube_client.h"

namespace wharf::kube {

struct InformerOptions {
  std::string kind;        // for messages and metrics: "deployments"
  std::string collection;  // the collection path with its selectors (resource_path + with_query)
  // Groups objects for lookups (e.g. "namespace/app"); objects that yield "" are not kept.
  std::function<std::string(const nlohmann::json&)> group_of;
  size_t max_objects = 0;  // 0: unbounded; else the objects with the oldest resourceVersion go first
  std::chrono::seconds watch_timeout{300};  // the server ends each watch after about this long
};

struct InformerStats {
  int64_t lists = 0;       // full lists, the first one included
  int64_t watches = 0;     // watch requests
  int64_t events = 0;      // ADDED/MODIFIED/DELETED handled
  int64_t failures = 0;    // lists or watches that failed (apiserver unreachable, refused)
  bool connected = false;  // the current watch is open
  size_t objects = 0;
};

class Informer {
 public:
  using Group = std::map<std::string, nlohmann::json>;  // object name -> object

  // `changed` is called (on the informer's thread) after each change to the cache.
  Informer(KubeClient& client, InformerOptions options, std::function<void()> changed);
  ~Informer();  // stops the thread
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Starts the list/watch thread. Call once.
  void start();
  // Waits until the first list is in the cache; false when `timeout` passes first.
  bool wait_synced(std::chrono::milliseconds timeout);
  bool synced() const;

  // Calls `read` with the group's objects (empty when none) under a shared lock: keep it short.
  void read(const std::string& group, const std::function<void(const Group&)>& read) const;
  // Calls `visit` with every object under a shared lock.
  void for_each(const std::function<void(const nlohmann::json&)>& visit) const;
  // The newest resourceVersion seen (list, event or bookmark) as a number, to tell whether the cache
  // has caught up with a write that returned a given resourceVersion.
  int64_t seen_version() const;
  InformerStats stats() const;
  const std::string& kind() const { return options_.kind; }

 private:
  void run(std::stop_token stop);
  bool list();
  void apply_event(std::string_view type, nlohmann::json object);
  void put(nlohmann::json object);
  void erase(const nlohmann::json& object);
  void evict_oldest();

  KubeClient& client_;
  InformerOptions options_;
  std::function<void()> changed_;

  mutable std::shared_mutex mu_;
  std::map<std::string, Group> groups_;
  std::map<std::string, std::string> group_by_key_;  // namespace/name -> its group, for DELETED
  std::string resource_version_;
  int64_t seen_version_ = 0;
  bool synced_ = false;
  InformerStats stats_;

  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::jthread thread_;
};

// The resourceVersion as a number (etcd's revision); 0 when it is not one.
int64_t version_number(std::string_view resource_version);

}  // namespace wharf::kube
