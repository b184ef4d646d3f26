// A fixed set of threads running queued tasks: the local driver's blocking work (image pulls, container
// starts and stops, health checks) off the caller's thread. Tasks still queued when the pool is destroyed
// are dropped; running ones are waited for (each is bounded by its own timeouts).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace wharf::local {

class TaskPool {
 public:
  explicit TaskPool(int threads);
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  // Queues `task`. Thread-safe, never blocks.
  void post(std::function<void()> task);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace wharf::local
