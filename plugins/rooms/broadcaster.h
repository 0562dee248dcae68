// The one thread that publishes the rooms plugin's broadcasts (presence
// events, member snapshots, settings). The broker routes a plugin's publish
// from the worker that calls it, so publishes made on two workers may be
// stored out of order: a stale snapshot could end up retained. Publishing
// from one thread, in the order the membership lock handed them over,
// keeps the retained snapshot the newest. Snapshots are also throttled per
// room (at most one per interval, always built from the state at publish
// time), so a join storm does not send every member a snapshot per join.
#ifndef PLAZA_PLUGINS_ROOMS_BROADCASTER_H_
#define PLAZA_PLUGINS_ROOMS_BROADCASTER_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "plaza/plugin.hpp"

namespace plaza::rooms {

class Broadcaster {
 public:
  using PublishFn = std::function<plaza::Status(const plaza::Message&)>;
  // Builds a room's snapshot message now; nullopt if the room is gone.
  using SnapshotFn = std::function<std::optional<plaza::Message>(const std::string& room)>;
  using LogFn = std::function<void(const std::string&)>;

  Broadcaster(PublishFn publish, SnapshotFn snapshot, std::chrono::milliseconds snapshot_interval,
              LogFn error);
  // Stops the thread; what is still queued is dropped.
  ~Broadcaster();
  Broadcaster(const Broadcaster&) = delete;
  Broadcaster& operator=(const Broadcaster&) = delete;

  // Publishes `message` after everything posted before it.
  void Post(plaza::Message message);
  // The room's member list changed: publish its snapshot soon.
  void SnapshotDue(const std::string& room);
  // Waits until everything posted so far and every due snapshot is out
  // (for tests); false on timeout.
  bool Drain(std::chrono::milliseconds timeout);

 private:
  using Clock = std::chrono::steady_clock;
  void Run();
  // Publishes, retrying while the broker is not running yet (its start
  // publishes the settings of the configured rooms before it listens).
  void PublishNow(const plaza::Message& message);

  PublishFn publish_;
  SnapshotFn snapshot_;
  const Clock::duration snapshot_interval_;
  LogFn error_;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<plaza::Message> queue_;                    // guarded by mutex_
  std::map<std::string, Clock::time_point> scheduled_;  // room -> when; guarded by mutex_
  std::map<std::string, Clock::time_point> last_;       // room -> last snapshot; guarded by mutex_
  bool busy_ = false;                                   // guarded by mutex_
  bool stop_ = false;                                   // guarded by mutex_
  std::thread thread_;
};

}  // namespace plaza::rooms

#endif  // PLAZA_PLUGINS_ROOMS_BROADCASTER_H_
