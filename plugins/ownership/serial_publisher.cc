// The ownership plugin's publishing thread (see serial_publisher.h).
#include "serial_publisher.h"

#include <chrono>
#include <vector>

namespace plaza::ownership {

SerialPublisher::SerialPublisher(Publish publish, std::function<void()> after_batch)
    : publish_(std::move(publish)),
      after_batch_(std::move(after_batch)),
      thread_([this] { Run(); }) {}

SerialPublisher::~SerialPublisher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void SerialPublisher::OnOwnerChanged(OwnerChange change) {
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  {
    std::lock_guard lock(mutex_);
    queue_.emplace_back(std::move(change), now_ms);
  }
  wake_.notify_one();
}

void SerialPublisher::Run() {
  std::vector<std::pair<OwnerChange, int64_t>> batch;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to send
      batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
      queue_.clear();
    }
    for (const auto& [change, stamp] : batch) publish_(change, stamp);
    batch.clear();
    if (after_batch_) after_batch_();
  }
}

}  // namespace plaza::ownership
