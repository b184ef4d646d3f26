// PodLogStream: the LogStream of one or more pods, read through `pods/{name}/log` (one reader thread per
// pod, so a followed log of several pods interleaves line by line).
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/kubernetes/kube_client.h"
#include "runtime/runtime.h"

namespace wharf::kube {

// The log path of a pod's container with the query's tailLines, sinceTime, follow and timestamps.
std::string pod_log_path(const std::string& ns, const std::string& pod, const std::string& container,
                         const LogQuery& query);

class PodLogStream : public LogStream {
 public:
  struct Source {
    std::string pod;
    std::string path;  // from pod_log_path
  };
  // Starts reading every source at once. `prefix` puts "[pod] " before each line. `client` must outlive
  // the stream. A source that cannot be read adds one line saying why.
  PodLogStream(KubeClient& client, std::vector<Source> sources, bool prefix);
  ~PodLogStream() override;  // stops the readers

  void set_notify(std::function<void()> notify) override;
  bool poll(std::string& out) override;

 private:
  void read(const Source& source, std::stop_token stop);
  void emit(std::string text);

  KubeClient& client_;
  bool prefix_;
  std::mutex mu_;
  std::string ready_;
  std::function<void()> notify_;
  size_t running_ = 0;
  std::vector<std::jthread> readers_;
};

}  // namespace wharf::kube
