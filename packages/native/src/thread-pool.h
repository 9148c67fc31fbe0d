// A fixed pool of worker threads that run one parallel-for at a time; the calling thread takes
// part. Workers sleep on a condition variable between calls.
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tfjs_peft {

class ThreadPool {
 public:
  static ThreadPool& instance();
  // Calls body(task, worker) for every task in [0, tasks), spread over the threads.
  void parallel_for(int tasks, const std::function<void(int, int)>& body);
  void set_threads(int n);  // total threads including the caller; n >= 1
  int threads() const { return static_cast<int>(workers_.size()) + 1; }
  ~ThreadPool();

 private:
  ThreadPool();
  void stop_workers();
  void worker_loop(int id);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, finished_;
  const std::function<void(int, int)>* body_ = nullptr;
  int tasks_ = 0;
  std::atomic<int> next_{0};
  int running_ = 0;
  long generation_ = 0;
  bool stopping_ = false;
};

}  // namespace tfjs_peft
