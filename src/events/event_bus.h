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
  uint64_t seq = 0;         // set by EventBus::publish: the bus's order, by which a watch resumes
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
  // Remembers the last `history` events, so a watcher whose connection broke can resume (resume()).
  explicit EventBus(size_t per_subscriber_capacity = 4096, size_t history = 1024);

  std::shared_ptr<Subscription> subscribe(Subscription::Filter filter);
  // Subscribes and first queues the remembered events after `after` (the seq of the last event the
  // watcher got) that match, so it misses nothing and gets nothing twice. Null when some event after
  // `after` is no longer remembered, or `after` is not one of this bus's: the watcher must list again.
  std::shared_ptr<Subscription> resume(Subscription::Filter filter, uint64_t after);
  // Names this bus (this server process): a seq means something only with its epoch.
  const std::string& epoch() const { return epoch_; }
  void unsubscribe(const std::shared_ptr<Subscription>& sub);
  void publish(const Event& event);
  // Closes every subscription (server shutdown).
  void close_all();
  // Subscriptions of watchers (Filter::watcher).
  size_t subscriber_count();

 private:
  size_t capacity_;
  size_t history_capacity_;
  std::string epoch_;
  std::mutex mu_;
  uint64_t seq_ = 0;
  std::deque<Event> history_;  // the last events published, oldest first
  std::vector<std::shared_ptr<Subscription>> subs_;
};

}  // namespace wharf
