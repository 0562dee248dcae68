// The thread that runs plugins' timers: one at a time, in deadline order,
// so a timer callback never races another timer of the same plugin.
#ifndef PLAZA_BROKER_PLUGIN_TIMER_THREAD_H_
#define PLAZA_BROKER_PLUGIN_TIMER_THREAD_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace plaza::broker {

class TimerThread {
 public:
  using Clock = std::chrono::steady_clock;

  TimerThread();
  // Stops the thread; timers not yet due never run.
  ~TimerThread();
  TimerThread(const TimerThread&) = delete;
  TimerThread& operator=(const TimerThread&) = delete;

  // Runs `fn` after `delay`, then every `interval` unless it is zero.
  // Returns an id (never 0). Thread-safe, also from inside a callback.
  uint64_t Add(std::chrono::milliseconds delay, std::chrono::milliseconds interval,
               std::function<void()> fn);
  // True if the timer existed. A callback already running finishes.
  bool Cancel(uint64_t id);
  // Stops and joins the thread (idempotent).
  void Stop();

 private:
  struct Timer {
    Clock::time_point due;
    std::chrono::milliseconds interval;
    std::function<void()> fn;
  };
  void Run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<uint64_t, Timer> timers_;  // guarded by mutex_
  uint64_t next_id_ = 0;              // guarded by mutex_
  bool stopping_ = false;             // guarded by mutex_
  std::thread thread_;
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_PLUGIN_TIMER_THREAD_H_
