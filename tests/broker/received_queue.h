// The messages a client library hands to its callback on its own thread,
// queued for the test thread to wait on; also remembers the connection was
// lost. Shared by the Paho clients of the tests (3.1.1 and MQTT 5), whose
// callbacks copy each message into a plain struct `T` first.
#ifndef PLAZA_TESTS_BROKER_RECEIVED_QUEUE_H_
#define PLAZA_TESTS_BROKER_RECEIVED_QUEUE_H_

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "broker_process.h"

namespace plaza::testing {

template <typename T>
class ReceivedQueue {
 public:
  void Push(T message) {
    std::lock_guard lock(mutex_);
    messages_.push_back(std::move(message));
    changed_.notify_all();
  }

  void Lost() {
    std::lock_guard lock(mutex_);
    lost_ = true;
    changed_.notify_all();
  }

  // The next message; nullopt with `error` set on timeout or once the
  // connection is lost and every message before the loss was taken.
  std::optional<T> Next(milliseconds timeout, std::string* error) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [this] { return !messages_.empty() || lost_; });
    if (messages_.empty()) {
      *error = lost_ ? "connection lost"
                     : "no message within " + std::to_string(timeout.count()) + " ms";
      return std::nullopt;
    }
    T message = std::move(messages_.front());
    messages_.pop_front();
    return message;
  }

  // True once the connection is lost, false if not within `timeout`.
  bool WaitForLoss(milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return lost_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<T> messages_;  // guarded by mutex_
  bool lost_ = false;       // guarded by mutex_
};

}  // namespace plaza::testing

#endif  // PLAZA_TESTS_BROKER_RECEIVED_QUEUE_H_
