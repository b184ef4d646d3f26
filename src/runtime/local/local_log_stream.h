// The local driver's LogStream: the log files of a workload's instances (log_file.h) as the logs endpoint
// serves them: the last `tail` lines of each instance since `since`, merged by time, then (follow) what is
// written next — by the same instance after a restart (it keeps its log file) and by instances that appear
// later (a rollout). Lines carry "[instance] " when the query covers the whole workload.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/local/log_file.h"
#include "runtime/runtime.h"

namespace wharf::local {

// What the stream asks the driver on each poll: the workload's instances now (name -> log file path), or
// nullopt when the workload is gone.
using InstanceLogLister = std::function<std::optional<std::map<std::string, std::string>>()>;

class LocalLogStream : public LogStream {
 public:
  // `notifiers` is where the stream leaves its notify callback for the driver to call periodically while
  // following. `log_files`: LogLimits::files (how many rotated files to read back).
  LocalLogStream(LogQuery query, InstanceLogLister lister, int log_files,
                 std::function<void(std::weak_ptr<std::function<void()>>)> register_notify);

  void set_notify(std::function<void()> notify) override;
  bool poll(std::string& out) override;

 private:
  std::string render(const std::string& instance, const std::string& stored) const;

  LogQuery query_;
  InstanceLogLister lister_;
  int log_files_;
  std::function<void(std::weak_ptr<std::function<void()>>)> register_notify_;
  std::shared_ptr<std::function<void()>> notify_;
  bool started_ = false;
  std::map<std::string, std::unique_ptr<LogFollower>> followers_;
};

}  // namespace wharf::local
