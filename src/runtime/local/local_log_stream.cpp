#include "runtime/local/local_log_stream.h"

#include <algorithm>

namespace wharf::local {

LocalLogStream::LocalLogStream(LogQuery query, InstanceLogLister lister, int log_files,
                               std::function<void(std::weak_ptr<std::function<void()>>)> register_notify)
    : query_(std::move(query)),
      lister_(std::move(lister)),
      log_files_(log_files),
      register_notify_(std::move(register_notify)) {}

void LocalLogStream::set_notify(std::function<void()> notify) {
  notify_ = std::make_shared<std::function<void()>>(std::move(notify));
  if (query_.follow) register_notify_(notify_);
}

std::string LocalLogStream::render(const std::string& instance, const std::string& stored) const {
  auto line = parse_log_line(stored);
  std::string out;
  if (query_.instance.empty()) out += "[" + instance + "] ";
  if (!line) return out + stored + "\n";  // not ours: pass it through rather than lose it
  if (query_.timestamps) out += format_log_time(line->time) + " ";
  out += line->text;
  out += '\n';
  return out;
}

bool LocalLogStream::poll(std::string& out) {
  auto instances = lister_();
  if (!instances) return false;
  if (!query_.instance.empty()) {
    std::erase_if(*instances, [&](const auto& kv) { return kv.first != query_.instance; });
    if (instances->empty() && started_) return false;  // the instance is gone
  }

  if (!started_) {
    started_ = true;
    // History: per instance the rotated files and the current one, filtered by since, cut to tail; then all
    // instances merged by time.
    struct Timed {
      LogClock::time_point time;
      std::string text;
    };
    std::vector<Timed> history;
    for (const auto& [name, path] : *instances) {
      auto lines = read_rotated_lines(path, log_files_);
      auto follower = std::make_unique<LogFollower>(path);
      follower->read(lines);
      followers_[name] = std::move(follower);
      std::vector<Timed> mine;
      for (const auto& stored : lines) {
        auto parsed = parse_log_line(stored);
        const auto t = parsed ? parsed->time : LogClock::time_point{};
        if (query_.since && t < *query_.since) continue;
        mine.push_back({t, render(name, stored)});
      }
      if (query_.tail && static_cast<int>(mine.size()) > *query_.tail)
        mine.erase(mine.begin(), mine.end() - *query_.tail);
      std::move(mine.begin(), mine.end(), std::back_inserter(history));
    }
    std::stable_sort(history.begin(), history.end(),
                     [](const Timed& a, const Timed& b) { return a.time < b.time; });
    for (const auto& h : history) out += h.text;
    return query_.follow;
  }

  for (const auto& [name, path] : *instances) {
    auto& follower = followers_[name];
    if (!follower) follower = std::make_unique<LogFollower>(path);  // a new instance: from its start
    std::vector<std::string> lines;
    follower->read(lines);
    for (const auto& stored : lines) out += render(name, stored);
  }
  // Instances that went away stop being followed.
  std::erase_if(followers_, [&](const auto& kv) { return !instances->contains(kv.first); });
  return true;
}

}  // namespace wharf::local
