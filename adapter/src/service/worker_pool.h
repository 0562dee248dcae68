// The threads that run blocking database work, so gRPC's callback threads
// never wait on a query. The queue is bounded: when it is full the call is
// refused at once (RESOURCE_EXHAUSTED) instead of piling up behind a slow
// database.
#ifndef PLAZA_ADAPTER_SERVICE_WORKER_POOL_H_
#define PLAZA_ADAPTER_SERVICE_WORKER_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace plaza::adapter::service {

class WorkerPool {
 public:
  WorkerPool(int threads, size_t queue_limit);
  ~WorkerPool();  // Shutdown()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False (and `job` dropped) when the queue is full or the pool stopped.
  bool TrySubmit(std::function<void()> job);

  // Runs every queued job, then joins the threads. Idempotent.
  void Shutdown();

  size_t queue_depth() const;

 private:
  void Run();

  const size_t queue_limit_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace plaza::adapter::service

#endif  // PLAZA_ADAPTER_SERVICE_WORKER_POOL_H_
