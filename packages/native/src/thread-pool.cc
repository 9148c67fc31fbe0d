#include "thread-pool.h"

namespace tfjs_peft {

ThreadPool& ThreadPool::instance() {
  static ThreadPool pool;
  return pool;
}

ThreadPool::ThreadPool() {
  unsigned hw = std::thread::hardware_concurrency();
  set_threads(hw == 0 ? 1 : static_cast<int>(hw));
}

ThreadPool::~ThreadPool() { stop_workers(); }

void ThreadPool::stop_workers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
  stopping_ = false;
}

void ThreadPool::set_threads(int n) {
  if (n < 1) n = 1;
  if (n == threads()) return;
  stop_workers();
  for (int i = 1; i < n; i++) workers_.emplace_back([this, i] { worker_loop(i); });
}

void ThreadPool::worker_loop(int id) {
  long seen = 0;
  for (;;) {
    const std::function<void(int, int)>* body;
    int tasks;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      body = body_;
      tasks = tasks_;
    }
    for (int t = next_.fetch_add(1); t < tasks; t = next_.fetch_add(1)) (*body)(t, id);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (--running_ == 0) finished_.notify_one();
    }
  }
}

void ThreadPool::parallel_for(int tasks, const std::function<void(int, int)>& body) {
  if (tasks <= 0) return;
  if (workers_.empty() || tasks == 1) {
    for (int t = 0; t < tasks; t++) body(t, 0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    body_ = &body;
    tasks_ = tasks;
    next_.store(0);
    running_ = static_cast<int>(workers_.size());
    generation_++;
  }
  wake_.notify_all();
  for (int t = next_.fetch_add(1); t < tasks; t = next_.fetch_add(1)) body(t, 0);
  std::unique_lock<std::mutex> lock(mutex_);
  finished_.wait(lock, [&] { return running_ == 0; });
}

}  // namespace tfjs_peft
