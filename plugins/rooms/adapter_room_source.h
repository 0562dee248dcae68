// The rooms plugin's room source when `source: adapter`: plaza-adapter's
// RoomService over gRPC (callback API, so no broker worker ever waits).
//   - Lookup: DescribeRoom. NOT_FOUND / INVALID_ARGUMENT refuse the join
//     with 0x90; no answer (adapter down, deadline) with 0x88.
//   - AuthorizeJoin: the user's role, or the adapter's refusal (banned
//     0x8A, anything else 0x87) with its message; no answer: 0x88.
//   - Follow: a WatchRoom stream per room in use; every update goes to the
//     plugin's listener. A stream that ends (adapter restarted, drained) is
//     started again with backoff (200 ms doubling to 5 s); until it delivers
//     again the room is Stale, so joins look it up again.
// Built only with the adapter (PLAZA_BUILD_ADAPTER): it needs gRPC.
#ifndef PLAZA_PLUGINS_ROOMS_ADAPTER_ROOM_SOURCE_H_
#define PLAZA_PLUGINS_ROOMS_ADAPTER_ROOM_SOURCE_H_

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "plaza/adapter/v1/rooms.grpc.pb.h"
#include "room_source.h"

namespace plaza::rooms {

class AdapterRoomSource final : public RoomSource {
 public:
  AdapterRoomSource(const std::string& target, std::chrono::milliseconds deadline);
  // Cancels every call and stream and waits until their callbacks returned.
  ~AdapterRoomSource() override;
  AdapterRoomSource(const AdapterRoomSource&) = delete;
  AdapterRoomSource& operator=(const AdapterRoomSource&) = delete;

  std::vector<RoomConfig> Initial() const override { return {}; }
  void Lookup(std::string_view room_id, Found found) override;
  void AuthorizeJoin(const std::string& user_id, const std::string& room_id,
                     Admitted done) override;
  void SetChangeListener(Changed changed) override;
  void Follow(const std::string& room_id) override;
  void Unfollow(const std::string& room_id) override;
  bool Stale(std::string_view room_id) const override;

  // The adapter's answers in the plugin's terms (exposed for unit tests).
  static RoomConfig Translate(const plaza::adapter::v1::Room& room);
  static Admission Translate(const plaza::adapter::v1::AuthorizeJoinResponse& response);
  static std::optional<Role> RoleOf(plaza::adapter::v1::RoomRole role);

 private:
  struct Call;
  class Watch;
  struct Followed {
    Watch* watch = nullptr;                            // the running stream, if any
    bool current = false;                              // the stream delivered the room's state
    int failures = 0;                                  // streams ended in a row, for the backoff
    std::chrono::steady_clock::time_point retry_at{};  // when watch is null
  };

  void Track(Call* call);
  void Finish(Call* call);
  void StartWatch(const std::string& room_id);
  void Updated(Watch* watch, const plaza::adapter::v1::RoomUpdate& update);
  void WatchEnded(Watch* watch, const grpc::Status& status);
  void Released();
  void RetryLoop();

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<plaza::adapter::v1::RoomService::Stub> stub_;
  const std::chrono::milliseconds deadline_;

  // Recursive: gRPC may run a callback inline, on the thread that started
  // or cancelled its call, while that thread holds the lock.
  mutable std::recursive_mutex mutex_;
  std::condition_variable_any changed_;
  Changed listener_;          // set once, before any Follow
  std::set<Call*> calls_;     // guarded by mutex_
  std::set<Watch*> watches_;  // guarded by mutex_
  int ending_ = 0;            // watches between WatchEnded and Released; guarded by mutex_
  std::map<std::string, Followed, std::less<>> follows_;  // guarded by mutex_
  bool stopping_ = false;                                 // guarded by mutex_
  std::thread retry_thread_;
};

}  // namespace plaza::rooms

#endif  // PLAZA_PLUGINS_ROOMS_ADAPTER_ROOM_SOURCE_H_
