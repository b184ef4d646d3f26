#include "events/event_bus.h"

#include <algorithm>

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
  std::vector<std::shared_ptr<Subscription>> targets;
  {
    std::lock_guard lock(mu_);
    for (auto& s : subs_)
      if (s->matches(event)) targets.push_back(s);
  }
  for (auto& s : targets) s->push(event);
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
