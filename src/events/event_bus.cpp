#include "events/event_bus.h"

#include <algorithm>
#include <chrono>

namespace wharf {

Subscription::Subscription(Filter filter, size_t capacity)
    : filter_(std::move(filter)), capacity_(capacity) {}

void Subscription::set_notify(std::function<void()> notify) {
  std::lock_guard lock(mu_);
  notify_ = std::move(notify);
}

std::string_view environment_of(const Event& e) {
  if (e.kind != "release" && e.kind != "instance" && e.kind != "config") return {};
  std::string_view name = e.name;
  auto first = name.find('/');
  if (first == std::string_view::npos) return {};
  auto second = name.find('/', first + 1);
  return name.substr(first + 1,
                     second == std::string_view::npos ? std::string_view::npos : second - first - 1);
}

bool Subscription::matches(const Event& e) const {
  if (!filter_.project.empty() && e.project != filter_.project) return false;
  if (!filter_.kinds.empty() && !filter_.kinds.contains(e.kind)) return false;
  return !filter_.allow || filter_.allow(e);
}

void Subscription::push(const Event& e) {
  std::function<void()> notify;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    if (queue_.size() >= capacity_) {
      // A watcher this far behind has lost events anyway; closing tells it to re-list.
      closed_ = true;
      queue_.clear();
    } else {
      queue_.push_back(e);
    }
    notify = notify_;
  }
  if (notify) notify();
}

void Subscription::close() {
  std::function<void()> notify;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    notify = notify_;
  }
  if (notify) notify();
}

bool Subscription::drain(std::vector<Event>& out) {
  std::lock_guard lock(mu_);
  while (!queue_.empty()) {
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return !closed_;
}

EventBus::EventBus(size_t per_subscriber_capacity, size_t history)
    : capacity_(per_subscriber_capacity), history_capacity_(history) {
  // The start time: a restarted server's seqs start again, and an old seq must not resume there.
  epoch_ = std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count());
}

std::shared_ptr<Subscription> EventBus::resume(Subscription::Filter filter, uint64_t after) {
  auto sub = std::make_shared<Subscription>(std::move(filter), capacity_);
  std::lock_guard lock(mu_);
  if (after > seq_) return nullptr;
  if (after < seq_ && (history_.empty() || history_.front().seq > after + 1)) return nullptr;
  for (const auto& e : history_)
    if (e.seq > after && sub->matches(e)) sub->push(e);
  subs_.push_back(sub);
  return sub;
}

std::shared_ptr<Subscription> EventBus::subscribe(Subscription::Filter filter) {
  auto sub = std::make_shared<Subscription>(std::move(filter), capacity_);
  std::lock_guard lock(mu_);
  subs_.push_back(sub);
  return sub;
}

void EventBus::unsubscribe(const std::shared_ptr<Subscription>& sub) {
  std::lock_guard lock(mu_);
  std::erase(subs_, sub);
}

void EventBus::publish(const Event& event) {
  // Numbered, remembered and queued under one lock: every subscriber sees events in seq order, and a
  // resume() sees each event either in the history or in its queue, never both, never neither.
  // Subscribers' notify callbacks only wake their owners (they never call back into the bus).
  std::lock_guard lock(mu_);
  Event e = event;
  e.seq = ++seq_;
  for (auto& s : subs_)
    if (s->matches(e)) s->push(e);
  history_.push_back(std::move(e));
  if (history_.size() > history_capacity_) history_.pop_front();
}

void EventBus::close_all() {
  std::vector<std::shared_ptr<Subscription>> subs;
  {
    std::lock_guard lock(mu_);
    subs.swap(subs_);
  }
  for (auto& s : subs) s->close();
}

size_t EventBus::subscriber_count() {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(
      std::count_if(subs_.begin(), subs_.end(), [](const auto& s) { return s->filter_.watcher; }));
}

}  // namespace wharf
