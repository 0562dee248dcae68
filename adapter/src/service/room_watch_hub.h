// Feeds WatchRoom streams. One thread re-reads every watched room (once per
// room however many streams watch it) each poll interval, or at once when the
// adapter itself changed the room, and hands a new description to every
// watcher only when it differs from the last one sent.
#ifndef PLAZA_ADAPTER_SERVICE_ROOM_WATCH_HUB_H_
#define PLAZA_ADAPTER_SERVICE_ROOM_WATCH_HUB_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "common/room_ref.h"
#include "plaza/adapter/v1/room.pb.h"
#include "service/room_directory.h"

namespace plaza::adapter::service {

// A stream's end of the hub. Called with the hub's lock held: implementations
// must not call back into the hub.
class RoomWatcher {
 public:
  virtual ~RoomWatcher() = default;
  virtual void OnRoom(const v1::Room& room) = 0;
  // The last call a watcher gets; the hub has forgotten it by then.
  virtual void OnEnd(const grpc::Status& status) = 0;
};

class RoomWatchHub {
 public:
  RoomWatchHub(RoomDirectory& directory, std::chrono::milliseconds poll_interval);
  ~RoomWatchHub();  // Stop()

  // The first description arrives from the hub's thread soon after.
  void Subscribe(const RoomRef& ref, RoomWatcher* watcher);
  // Safe to call for a watcher the hub already ended.
  void Unsubscribe(RoomWatcher* watcher);
  // Re-read the room now instead of at the next poll.
  void NotifyChanged(const RoomRef& ref);
  // Ends every stream with `status` and refuses new ones the same way.
  void Stop(const grpc::Status& status);

  size_t watcher_count() const;

 private:
  struct Watched {
    RoomRef ref;
    std::set<RoomWatcher*> watchers;
    std::set<RoomWatcher*> fresh;  // not sent anything yet
    std::string last_sent;         // serialized Room
  };

  void Run();
  void Refresh(const RoomRef& ref);

  RoomDirectory& directory_;
  const std::chrono::milliseconds poll_interval_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::map<std::string, Watched> rooms_;
  std::map<RoomWatcher*, std::string> room_of_;
  std::set<std::string> urgent_;
  bool stopped_ = false;
  grpc::Status stop_status_;
  std::thread thread_;
};

}  // namespace plaza::adapter::service

#endif  // PLAZA_ADAPTER_SERVICE_ROOM_WATCH_HUB_H_
