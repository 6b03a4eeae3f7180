#pragma once
// A fixed pool of worker threads that runs one data-parallel loop at a time.
// parallel_for splits [0, n) into one contiguous chunk per thread; the caller
// thread takes the first chunk, so a pool of 1 thread spawns no worker.
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace fpo {

class ThreadPool {
 public:
  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return num_threads_; }

  // Calls body(begin, end) on disjoint chunks covering [0, n); blocks until
  // all chunks are done. Rethrows the first exception a chunk threw.
  void parallel_for(int n, const std::function<void(int, int)>& body);

 private:
  void worker_loop(int worker_index);

  int num_threads_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable work_done_;
  const std::function<void(int, int)>* body_ = nullptr;
  int n_ = 0;
  uint64_t generation_ = 0;
  int pending_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
};

}  // namespace fpo
