#include "fpo/common/thread_pool.h"

#include "fpo/common/error.h"

namespace fpo {

namespace {
// Chunk c of n items split over k chunks.
void chunk_bounds(int n, int k, int c, int* begin, int* end) {
  *begin = static_cast<int>(static_cast<long long>(n) * c / k);
  *end = static_cast<int>(static_cast<long long>(n) * (c + 1) / k);
}
}  // namespace

ThreadPool::ThreadPool(int num_threads) : num_threads_(num_threads) {
  if (num_threads < 1) {
    throw Error("threads must be >= 1, got " + std::to_string(num_threads));
  }
  for (int i = 1; i < num_threads_; ++i) {
    workers_.emplace_back([this, i] { worker_loop(i); });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::parallel_for(int n, const std::function<void(int, int)>& body) {
  if (n <= 0) return;
  if (workers_.empty()) {
    body(0, n);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    body_ = &body;
    n_ = n;
    pending_ = static_cast<int>(workers_.size());
    error_ = nullptr;
    ++generation_;
  }
  work_ready_.notify_all();
  std::exception_ptr own_error;
  try {
    int begin, end;
    chunk_bounds(n, num_threads_, 0, &begin, &end);
    if (begin < end) body(begin, end);
  } catch (...) {
    own_error = std::current_exception();
  }
  std::unique_lock<std::mutex> lock(mutex_);
  work_done_.wait(lock, [this] { return pending_ == 0; });
  body_ = nullptr;
  if (own_error) std::rethrow_exception(own_error);
  if (error_) std::rethrow_exception(error_);
}

void ThreadPool::worker_loop(int worker_index) {
  uint64_t seen = 0;
  while (true) {
    const std::function<void(int, int)>* body;
    int n;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_ready_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      body = body_;
      n = n_;
    }
    try {
      int begin, end;
      chunk_bounds(n, num_threads_, worker_index, &begin, &end);
      if (begin < end) (*body)(begin, end);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --pending_;
    }
    work_done_.notify_one();
  }
}

}  // namespace fpo
