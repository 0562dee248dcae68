// Publishes owner changes from one thread of the plugin's own, in the order
// the model made them.
//
// Why a thread: the broker's host publish is carried out by the worker of
// the calling thread, and every worker keeps its own copy of the retained
// messages, updated in the order that worker hears of them. Two changes of
// one item published from two workers could then be applied in opposite
// orders on two workers, leaving an older owner retained on one of them. One
// publishing thread gives every change one path, so every worker applies
// them in epoch order.
#ifndef PLAZA_PLUGINS_OWNERSHIP_SERIAL_PUBLISHER_H_
#define PLAZA_PLUGINS_OWNERSHIP_SERIAL_PUBLISHER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

#include "ownership_model.h"

namespace plaza::ownership {

class SerialPublisher final : public OwnerSink {
 public:
  // `publish` sends one change (stamped with the wall clock when it was
  // queued); `after_batch` runs whenever the queue has been emptied.
  using Publish = std::function<void(const OwnerChange& change, int64_t changed_at_unix_ms)>;
  SerialPublisher(Publish publish, std::function<void()> after_batch);
  // Publishes what is still queued, then stops the thread.
  ~SerialPublisher() override;
  SerialPublisher(const SerialPublisher&) = delete;
  SerialPublisher& operator=(const SerialPublisher&) = delete;

  // Queues the change; never blocks on the publishing.
  void OnOwnerChanged(OwnerChange change) override;

 private:
  void Run();

  Publish publish_;
  std::function<void()> after_batch_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<OwnerChange, int64_t>> queue_;  // guarded by mutex_
  bool stopping_ = false;                              // guarded by mutex_
  std::thread thread_;                                 // last: starts after the rest
};

}  // namespace plaza::ownership

#endif  // PLAZA_PLUGINS_OWNERSHIP_SERIAL_PUBLISHER_H_
