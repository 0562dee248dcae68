// The rooms plugin's single publishing thread; see broadcaster.h.
#include "broadcaster.h"

namespace plaza::rooms {

Broadcaster::Broadcaster(PublishFn publish, SnapshotFn snapshot,
                         std::chrono::milliseconds snapshot_interval, LogFn error)
    : publish_(std::move(publish)),
      snapshot_(std::move(snapshot)),
      snapshot_interval_(snapshot_interval),
      error_(std::move(error)),
      thread_([this] { Run(); }) {}

Broadcaster::~Broadcaster() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void Broadcaster::Post(plaza::Message message) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(message));
  }
  changed_.notify_all();
}

void Broadcaster::SnapshotDue(const std::string& room) {
  {
    std::lock_guard lock(mutex_);
    if (scheduled_.count(room)) return;  // built when due, from the state then
    Clock::time_point due = Clock::now();
    if (const auto last = last_.find(room); last != last_.end()) {
      due = std::max(due, last->second + snapshot_interval_);
    }
    scheduled_.emplace(room, due);
  }
  changed_.notify_all();
}

bool Broadcaster::Drain(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout,
                           [this] { return queue_.empty() && scheduled_.empty() && !busy_; });
}

void Broadcaster::Run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    if (!queue_.empty()) {
      plaza::Message message = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      lock.unlock();
      PublishNow(message);
      lock.lock();
      busy_ = false;
      changed_.notify_all();
      continue;
    }
    auto next = scheduled_.end();
    for (auto it = scheduled_.begin(); it != scheduled_.end(); ++it) {
      if (next == scheduled_.end() || it->second < next->second) next = it;
    }
    if (next == scheduled_.end()) {
      changed_.wait(lock);
      continue;
    }
    if (next->second > Clock::now()) {
      changed_.wait_until(lock, next->second);
      continue;
    }
    const std::string room = next->first;
    scheduled_.erase(next);
    last_[room] = Clock::now();
    busy_ = true;
    lock.unlock();
    if (std::optional<plaza::Message> message = snapshot_(room)) PublishNow(*message);
    lock.lock();
    busy_ = false;
    changed_.notify_all();
  }
}

void Broadcaster::PublishNow(const plaza::Message& message) {
  for (int attempt = 0;; ++attempt) {
    const plaza::Status status = publish_(message);
    if (status == plaza::Status::kOk) return;
    if (status != plaza::Status::kUnsupported || attempt >= 500) {
      error_("cannot publish to " + message.topic + ": " + plaza::StatusName(status));
      return;
    }
    // The broker is not serving yet: wait a little (or for the stop).
    std::unique_lock lock(mutex_);
    if (changed_.wait_for(lock, std::chrono::milliseconds(20), [this] { return stop_; })) return;
  }
}

}  // namespace plaza::rooms
