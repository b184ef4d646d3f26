// EventBus: in-process fan-out of committed changes to watchers (SSE watch, console live views).
//
// publish() never blocks: each subscriber has a bounded queue, and a subscriber that falls behind by more
// than its capacity is closed (it must re-list and watch again, as a Kubernetes watcher would on 410).
// Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace wharf {

struct Event {
  std::string type;  // ADDED, MODIFIED, DELETED
  std::string kind;  // project, environment, app, release, instance, cluster, config (a published version)
  std::string project;
  // Object name; for releases "app/environment/revision", instances "app/environment/name", config versions
  // "app/environment/version".
  std::string name;
  int64_t resource_version = 0;
  std::string object_json;  // the object as the API returns it
};

// The environment a release, instance or config event belongs to (from its name); empty for other kinds.
std::string_view environment_of(const Event& e);

class EventBus;

// One watcher's queue. Owned jointly by the bus and the watcher; the watcher calls next().
class Subscription {
 public:
  struct Filter {
    std::string project;          // empty: all projects
    std::set<std::string> kinds;  // empty: all kinds
    // Set for callers who may see only some events (what their roles let them read); called on the
    // publishing thread, so it must be cheap and thread-safe. Empty: every event.
    std::function<bool(const Event&)> allow;
    // False for the server's own listeners (live config), which subscriber_count() leaves out: it
    // counts watchers.
    bool watcher = true;
  };

  Subscription(Filter filter, size_t capacity);

  // Moves queued events into `out`; returns false once the subscription is closed (overflow or bus stop).
  bool drain(std::vector<Event>& out);
  // Called (from the publishing thread) after events were queued or on close; set before use.
  void set_notify(std::function<void()> notify);

 private:
  friend class EventBus;
  bool matches(const Event& e) const;
  void push(const Event& e);
  void close();

  Filter filter_;
  size_t capacity_;
  std::mutex mu_;
  std::deque<Event> queue_;
  bool closed_ = false;
  std::function<void()> notify_;
};

class EventBus {
 public:
  explicit EventBus(size_t per_subscriber_capacity = 4096) : capacity_(per_subscriber_capacity) {}

  std::shared_ptr<Subscription> subscribe(Subscription::Filter filter);
  void unsubscribe(const std::shared_ptr<Subscription>& sub);
  void publish(const Event& event);
  // Closes every subscription (server shutdown).
  void close_all();
  // Subscriptions of watchers (Filter::watcher).
  size_t subscriber_count();

 private:
  size_t capacity_;
  std::mutex mu_;
  std::vector<std::shared_ptr<Subscription>> subs_;
};

}  // namespace wharf
