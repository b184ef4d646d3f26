#include "runtime/kubernetes/kube_log_stream.h"

#include "runtime/kubernetes/kube_path.h"
#include "util/clock.h"

namespace wharf::kube {

std::string pod_log_path(const std::string& ns, const std::string& pod, const std::string& container,
                         const LogQuery& query) {
  return with_query(resource_path("", "v1", ns, "pods", pod, "log"),
                    {{"container", container},
                     {"tailLines", query.tail ? std::to_string(*query.tail) : ""},
                     {"sinceTime", query.since ? to_rfc3339(*query.since) : ""},
                     {"follow", query.follow ? "true" : ""},
                     {"timestamps", query.timestamps ? "true" : ""}});
}

PodLogStream::PodLogStream(KubeClient& client, std::vector<Source> sources, bool prefix)
    : client_(client), prefix_(prefix), running_(sources.size()) {
  readers_.reserve(sources.size());
  for (auto& source : sources)
    readers_.emplace_back([this, source = std::move(source)](std::stop_token stop) { read(source, stop); });
}

PodLogStream::~PodLogStream() {
  for (auto& r : readers_) r.request_stop();
  readers_.clear();  // joins
}

void PodLogStream::set_notify(std::function<void()> notify) {
  std::lock_guard lock(mu_);
  notify_ = std::move(notify);
}

bool PodLogStream::poll(std::string& out) {
  std::lock_guard lock(mu_);
  out += ready_;
  ready_.clear();
  return running_ > 0;
}

void PodLogStream::emit(std::string text) {
  std::function<void()> notify;
  {
    std::lock_guard lock(mu_);
    ready_ += text;
    notify = notify_;
  }
  if (notify) notify();
}

void PodLogStream::read(const Source& source, std::stop_token stop) {
  const std::string prefix = prefix_ ? "[" + source.pod + "] " : "";
  std::string partial;  // a line without its '\n' yet
  auto status = client_.read_text(
      source.path,
      [&](std::string_view data) {
        partial.append(data);
        auto last = partial.rfind('\n');
        if (last == std::string::npos) return true;
        std::string lines;
        for (size_t start = 0; start <= last;) {
          size_t nl = partial.find('\n', start);
          lines += prefix;
          lines.append(partial, start, nl + 1 - start);
          start = nl + 1;
        }
        partial.erase(0, last + 1);
        emit(std::move(lines));
        return true;
      },
      stop);
  std::string tail;
  if (!partial.empty()) tail = prefix + partial + "\n";
  if (!status && !stop.stop_requested())
    tail += prefix + "(the log of " + source.pod + " cannot be read: " + status.error().message + ")\n";
  std::function<void()> notify;
  {
    std::lock_guard lock(mu_);
    ready_ += tail;
    --running_;
    notify = notify_;
  }
  if (notify) notify();
}

}  // namespace wharf::kube
