#include "api/live_config_poll.h"

namespace wharf::api {

Result<std::shared_ptr<LiveConfigPoll>> LiveConfigPoll::start(LiveConfigHub& hub, const ConfigKey& key,
                                                              int64_t known,
                                                              std::chrono::milliseconds timeout,
                                                              Answer answer, HttpResponse expired) {
  std::shared_ptr<LiveConfigPoll> poll(new LiveConfigPoll(timeout, std::move(answer), std::move(expired)));
  // The waiter must not keep the poll alive: the poll owns the waiter, and dropping the poll (answered,
  // expired, connection gone) is what cancels the wait.
  auto waiter = hub.wait(key, known, [weak = std::weak_ptr<LiveConfigPoll>(poll)](int64_t version) {
    if (auto p = weak.lock()) p->woken(version);
  });
  if (!waiter) return fail(waiter.error());
  poll->waiter_ = std::move(*waiter);
  return poll;
}

void LiveConfigPoll::woken(int64_t version) {
  std::function<void()> notify;
  {
    std::lock_guard lock(mu_);
    version_ = version;
    notify = notify_;
  }
  if (notify) notify();
}

void LiveConfigPoll::set_notify(std::function<void()> notify) {
  std::lock_guard lock(mu_);
  notify_ = std::move(notify);
}

bool LiveConfigPoll::take(HttpResponse& out) {
  std::optional<int64_t> version;
  {
    std::lock_guard lock(mu_);
    version = version_;
  }
  if (!version) return false;
  out = answer_(*version);
  return true;
}

}  // namespace wharf::api
