#include "runtime/kubernetes/kube_informer.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "runtime/kubernetes/kube_errors.h"

namespace wharf::kube {
namespace {

using json = nlohmann::json;

std::string object_key(const json& object) {
  const json& m = object.value("metadata", json::object());
  return m.value("namespace", "") + "/" + m.value("name", "");
}

std::string object_version(const json& object) {
  return object.value("/metadata/resourceVersion"_json_pointer, std::string());
}

constexpr std::chrono::milliseconds kFirstBackoff{200};
constexpr std::chrono::milliseconds kMaxBackoff{5000};

}  // namespace

int64_t version_number(std::string_view resource_version) {
  int64_t n = 0;
  auto [end, ec] =
      std::from_chars(resource_version.data(), resource_version.data() + resource_version.size(), n);
  return ec == std::errc() && end == resource_version.data() + resource_version.size() ? n : 0;
}

Informer::Informer(KubeClient& client, InformerOptions options, std::function<void()> changed)
    : client_(client), options_(std::move(options)), changed_(std::move(changed)) {}

Informer::~Informer() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

void Informer::start() {
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

bool Informer::wait_synced(std::chrono::milliseconds timeout) {
  std::unique_lock lock(sync_mu_);
  return sync_cv_.wait_for(lock, timeout, [this] { return synced(); });
}

bool Informer::synced() const {
  std::shared_lock lock(mu_);
  return synced_;
}

void Informer::read(const std::string& group, const std::function<void(const Group&)>& read) const {
  static const Group kEmpty;
  std::shared_lock lock(mu_);
  auto it = groups_.find(group);
  read(it == groups_.end() ? kEmpty : it->second);
}

void Informer::for_each(const std::function<void(const json&)>& visit) const {
  std::shared_lock lock(mu_);
  for (const auto& [name, group] : groups_)
    for (const auto& [object_name, object] : group) visit(object);
}

int64_t Informer::seen_version() const {
  std::shared_lock lock(mu_);
  return seen_version_;
}

InformerStats Informer::stats() const {
  std::shared_lock lock(mu_);
  InformerStats s = stats_;
  s.objects = group_by_key_.size();
  return s;
}

void Informer::put(json object) {
  if (auto m = object.find("metadata"); m != object.end()) m->erase("managedFields");  // large, unused
  std::string key = object_key(object);
  std::string group = options_.group_of(object);
  auto old = group_by_key_.find(key);
  if (old != group_by_key_.end() && old->second != group) {
    auto g = groups_.find(old->second);
    if (g != groups_.end() && g->second.erase(key.substr(key.find('/') + 1)) && g->second.empty())
      groups_.erase(g);
    group_by_key_.erase(old);
  }
  if (group.empty()) return;
  group_by_key_[key] = group;
  std::string name = object.value("/metadata/name"_json_pointer, std::string());
  groups_[group][name] = std::move(object);
  if (options_.max_objects && group_by_key_.size() > options_.max_objects) evict_oldest();
}

void Informer::erase(const json& object) {
  std::string key = object_key(object);
  auto it = group_by_key_.find(key);
  if (it == group_by_key_.end()) return;
  auto g = groups_.find(it->second);
  if (g != groups_.end()) {
    g->second.erase(object.value("/metadata/name"_json_pointer, std::string()));
    if (g->second.empty()) groups_.erase(g);
  }
  group_by_key_.erase(it);
}

void Informer::evict_oldest() {
  const json* oldest = nullptr;
  int64_t oldest_version = 0;
  for (const auto& [name, group] : groups_)
    for (const auto& [object_name, object] : group) {
      int64_t v = version_number(object_version(object));
      if (!oldest || v < oldest_version) oldest = &object, oldest_version = v;
    }
  if (oldest) erase(json(*oldest));
}

bool Informer::list() {
  auto listed = client_.list(options_.collection);
  std::unique_lock lock(mu_);
  ++stats_.lists;
  if (!listed) {
    ++stats_.failures;
    lock.unlock();
    spdlog::warn("kubernetes {} on {}: list failed: {}", options_.kind, client_.server(),
                 listed.error().message);
    return false;
  }
  groups_.clear();
  group_by_key_.clear();
  for (auto& item : (*listed)["items"])
    if (item.is_object() && item.value("metadata", json()).is_object()) put(std::move(item));
  resource_version_ = (*listed)["metadata"].value("resourceVersion", "");
  seen_version_ = std::max(seen_version_, version_number(resource_version_));
  synced_ = true;
  lock.unlock();
  sync_cv_.notify_all();
  changed_();
  return true;
}

void Informer::apply_event(std::string_view type, json object) {
  if (!object.is_object() || !object.value("metadata", json()).is_object()) return;
  std::unique_lock lock(mu_);
  const std::string version = object_version(object);
  if (!version.empty()) {
    resource_version_ = version;
    seen_version_ = std::max(seen_version_, version_number(version));
  }
  if (type == "BOOKMARK") return;
  ++stats_.events;
  if (type == "DELETED")
    erase(object);
  else
    put(std::move(object));
  lock.unlock();
  changed_();
}

void Informer::run(std::stop_token stop) {
  std::mutex wait_mu;
  std::condition_variable_any wait_cv;
  auto backoff = kFirstBackoff;
  auto pause = [&] {
    std::unique_lock lock(wait_mu);
    wait_cv.wait_for(lock, stop, backoff, [] { return false; });
    backoff = std::min(backoff * 2, kMaxBackoff);
  };
  while (!stop.stop_requested()) {
    std::string from;
    {
      std::shared_lock lock(mu_);
      from = resource_version_;
    }
    if (from.empty()) {
      if (!list()) {
        pause();
        continue;
      }
      std::shared_lock lock(mu_);
      from = resource_version_;
    }
    WatchOptions options;
    options.resource_version = from;
    options.timeout_seconds = options_.watch_timeout.count();
    // Bookmarks arrive about once a minute; silence much longer than the watch itself means a dead peer.
    options.idle_timeout = options_.watch_timeout + std::chrono::seconds(60);
    {
      std::unique_lock lock(mu_);
      ++stats_.watches;
      stats_.connected = true;
    }
    auto end = client_.watch(
        options_.collection, options,
        [this](std::string_view type, const json& object) {
          apply_event(type, object);
          return true;
        },
        stop);
    {
      std::unique_lock lock(mu_);
      stats_.connected = false;
      if (!end && !is_expired(end.error())) ++stats_.failures;
    }
    if (end) {
      backoff = kFirstBackoff;
      continue;
    }
    if (is_expired(end.error())) {
      // The cache may have missed events: start over from a fresh list.
      std::unique_lock lock(mu_);
      resource_version_.clear();
      continue;
    }
    if (stop.stop_requested()) break;
    spdlog::warn("kubernetes {} watch on {}: {}; retrying in {} ms", options_.kind, client_.server(),
                 end.error().message, backoff.count());
    pause();
  }
}

}  // namespace wharf::kube
