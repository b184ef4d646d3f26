#include "events/live_config_hub.h"

#include <algorithm>

namespace wharf {

namespace {

// "app/environment/..." of a release or config event.
bool app_and_environment(const Event& e, std::string& app, std::string& env) {
  auto first = e.name.find('/');
  if (first == std::string::npos) return false;
  app = e.name.substr(0, first);
  env = std::string(environment_of(e));
  return !env.empty();
}

}  // namespace

LiveConfigHub::LiveConfigHub(Store& store, EventBus& bus) : store_(store), bus_(bus) {
  subscribe();
  thread_ = std::thread([this] { run(); });
}

LiveConfigHub::~LiveConfigHub() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  bus_.unsubscribe(sub_);
}

void LiveConfigHub::subscribe() {
  Subscription::Filter filter;
  filter.kinds = {"release", "config"};
  filter.watcher = false;
  auto sub = bus_.subscribe(std::move(filter));
  sub->set_notify([this] {
    {
      std::lock_guard lock(mu_);
      events_ = true;
    }
    cv_.notify_all();
  });
  sub_ = std::move(sub);
}

Result<int64_t> LiveConfigHub::live(const ConfigKey& key) {
  auto version = store_.live_config_version(key);
  if (!version) return version;
  std::vector<std::shared_ptr<LiveConfigWaiter>> wake;
  {
    std::lock_guard lock(mu_);
    auto [it, added] = entries_.try_emplace(Key{key.project, key.app, key.environment}, Entry{*version, {}});
    if (!added && it->second.version != *version) {
      it->second.version = *version;
      for (auto& w : it->second.waiters)
        if (auto live = w.lock()) wake.push_back(std::move(live));
      it->second.waiters.clear();
    }
  }
  for (auto& w : wake) w->wake_(*version);
  return version;
}

Result<std::shared_ptr<LiveConfigWaiter>> LiveConfigHub::wait(const ConfigKey& key, int64_t known,
                                                              std::function<void(int64_t)> wake) {
  auto current = live(key);
  if (!current) return fail(current.error());
  auto waiter = std::make_shared<LiveConfigWaiter>(std::move(wake));
  {
    std::lock_guard lock(mu_);
    auto& entry = entries_[Key{key.project, key.app, key.environment}];
    if (entry.version == known) {
      // Forget cancelled waits now and then, so an app polled by many short-lived clients stays small.
      if (entry.waiters.size() >= 64 && (entry.waiters.size() & (entry.waiters.size() - 1)) == 0)
        std::erase_if(entry.waiters, [](const auto& w) { return w.expired(); });
      entry.waiters.push_back(waiter);
      return waiter;
    }
    current = entry.version;
  }
  waiter->wake_(*current);
  return waiter;
}

size_t LiveConfigHub::waiting() {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (auto& [_, entry] : entries_)
    for (auto& w : entry.waiters) n += w.expired() ? 0 : 1;
  return n;
}

void LiveConfigHub::refresh(const Key& key) {
  const ConfigKey k{std::get<0>(key), std::get<1>(key), std::get<2>(key)};
  if (live(k)) return;
  // Deleted app or environment, or a store error: read it again on the next request.
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.waiters.empty()) entries_.erase(it);
}

void LiveConfigHub::run() {
  std::vector<Event> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || events_; });
      if (stop_) return;
      events_ = false;
    }
    batch.clear();
    std::vector<Key> keys;
    if (!sub_->drain(batch)) {
      // Fell behind (or the bus closed): read every key again.
      bus_.unsubscribe(sub_);
      subscribe();
      std::lock_guard lock(mu_);
      for (auto& [key, _] : entries_) keys.push_back(key);
    }
    std::string app, env;
    for (const auto& e : batch)
      if (app_and_environment(e, app, env)) keys.emplace_back(e.project, app, env);
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (const auto& key : keys) {
      {
        std::lock_guard lock(mu_);
        if (!entries_.contains(key)) continue;  // nobody asked about it
      }
      refresh(key);
    }
  }
}

}  // namespace wharf
