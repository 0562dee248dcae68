// A plain deadline loop: timers are few (a handful per plugin), so finding
// the next one by scanning a map is simpler than a heap and as fast.
#include "plugin/timer_thread.h"

namespace plaza::broker {

TimerThread::TimerThread() : thread_([this] { Run(); }) {}

TimerThread::~TimerThread() { Stop(); }

void TimerThread::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

uint64_t TimerThread::Add(std::chrono::milliseconds delay, std::chrono::milliseconds interval,
                          std::function<void()> fn) {
  uint64_t id;
  {
    std::lock_guard lock(mutex_);
    id = ++next_id_;
    timers_[id] = Timer{Clock::now() + delay, interval, std::move(fn)};
  }
  wake_.notify_all();
  return id;
}

bool TimerThread::Cancel(uint64_t id) {
  std::lock_guard lock(mutex_);
  return timers_.erase(id) > 0;
}

void TimerThread::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto next = timers_.end();
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (next == timers_.end() || it->second.due < next->second.due) next = it;
    }
    if (next == timers_.end()) {
      wake_.wait(lock);
      continue;
    }
    if (Clock::now() < next->second.due) {
      wake_.wait_until(lock, next->second.due);
      continue;
    }
    std::function<void()> fn = next->second.fn;
    if (next->second.interval.count() > 0) {
      next->second.due += next->second.interval;
    } else {
      timers_.erase(next);
    }
    lock.unlock();
    fn();
    lock.lock();
  }
}

}  // namespace plaza::broker
