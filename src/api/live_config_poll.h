// LiveConfigPoll: a long poll that answers when the live config version of one app x environment is not
// the one the client has (LiveConfigHub), or expires. Used by the config API's /config/live and by
// Apollo's /notifications/v2. Holds no thread while it waits.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "api/http_types.h"
#include "core/error.h"
#include "events/live_config_hub.h"

namespace wharf::api {

class LiveConfigPoll : public DeferredResponse {
 public:
  using Answer = std::function<HttpResponse(int64_t version)>;

  // Starts waiting for the live version of `key` to differ from `known`. `answer` builds the response
  // from the version (on a server thread); `expired` is the response after `timeout`.
  static Result<std::shared_ptr<LiveConfigPoll>> start(LiveConfigHub& hub, const ConfigKey& key,
                                                       int64_t known, std::chrono::milliseconds timeout,
                                                       Answer answer, HttpResponse expired);

  std::chrono::milliseconds timeout() const override { return timeout_; }
  void set_notify(std::function<void()> notify) override;
  bool take(HttpResponse& out) override;
  HttpResponse expire() override { return std::move(expired_); }

 private:
  LiveConfigPoll(std::chrono::milliseconds timeout, Answer answer, HttpResponse expired)
      : timeout_(timeout), answer_(std::move(answer)), expired_(std::move(expired)) {}
  void woken(int64_t version);

  const std::chrono::milliseconds timeout_;
  Answer answer_;
  HttpResponse expired_;
  std::shared_ptr<LiveConfigWaiter> waiter_;
  std::mutex mu_;
  std::optional<int64_t> version_;
  std::function<void()> notify_;
};

}  // namespace wharf::api
