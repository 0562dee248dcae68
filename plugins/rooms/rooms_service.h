// The rooms plugin's membership side: joins and leaves (with the reply,
// the attributes, the presence event and the snapshot they cause),
// connections that drop and their grace period, the settings of each room,
// and the metrics timer. The plugin class (rooms_plugin.cc) hands it the
// hook events; the delivery hook reads only table() and stats().
#ifndef PLAZA_PLUGINS_ROOMS_ROOMS_SERVICE_H_
#define PLAZA_PLUGINS_ROOMS_ROOMS_SERVICE_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "broadcaster.h"
#include "delivery_stats.h"
#include "delivery_table.h"
#include "plaza/plugin.hpp"
#include "room_metrics.h"
#include "room_registry.h"
#include "room_source.h"
#include "rooms_config.h"

namespace plaza::rooms {

class RoomsService {
 public:
  RoomsService(plaza::Host& host, RoomsConfig config, std::unique_ptr<RoomSource> source);
  ~RoomsService();
  RoomsService(const RoomsService&) = delete;
  RoomsService& operator=(const RoomsService&) = delete;

  // A PUBLISH to rooms/<room_id>/join or .../leave.
  plaza::Verdict Join(plaza::PublishEvent& event, std::string_view room_id);
  plaza::Verdict Leave(plaza::PublishEvent& event, std::string_view room_id);
  // A connection ended.
  void ConnectionClosed(plaza::ClientHandle handle, plaza::DisconnectCause cause);

  const DeliveryTable& table() const { return table_; }
  DeliveryStats& stats() { return stats_; }

 private:
  // A join or leave, copied out of its hook (a lookup may outlive it).
  struct Request {
    plaza::ClientHandle handle = 0;
    std::string client_id;
    std::optional<std::string> username;
    std::string topic;
    std::string room_id;
    std::string response_topic;
    std::string correlation_data;
    plaza_pending pending = 0;
  };
  // How a request ended.
  struct Answer {
    uint8_t reason_code = 0;  // 0 = success
    std::string reason;
    // A successful join's user id, sent to the client with the Reply (the
    // user property "user_id"), so it learns who the platform says it is.
    std::string user_id = {};
  };

  static Request RequestOf(const plaza::PublishEvent& event, std::string_view room_id);
  Identity Identify(const Request& request, const std::string& requested_name) const;
  // After the room is known: joins, under the lock, then replies.
  // After the source admitted the user: joins, under the lock, a room the
  // plugin runs (or `fresh` from a lookup, added or updated).
  Answer JoinKnown(const Request& request, const Identity& identity, std::optional<Role> role,
                   std::optional<RoomConfig> fresh);
  Answer Finish(const Request& request, const std::string& kind, const JoinResult& result);
  // Sends the Reply and gives the hook its verdict.
  plaza::Verdict Respond(plaza::PublishEvent& event, const Request& request, const Answer& answer);
  void SendReply(const Request& request, const Answer& answer) const;
  void ClearAttributes(plaza::ClientHandle handle, const std::string& room_id) const;

  // The source says a room changed (any thread).
  void RoomChanged(RoomConfig config);
  // The timer: rooms empty for unwatch_after_ms are no longer followed.
  void UnfollowIdle();

  // Under mutex_.
  Room& AddRoomLocked(RoomConfig config);
  void ReconfigureLocked(Room& room, RoomConfig config);
  void PublishSettingsLocked(const Room& room);
  void AnnounceLocked(Room& room, const Member& member, bool joined);
  void SyncSeatsLocked(Room& room);
  void ExpireDue();

  std::optional<plaza::Message> BuildSnapshot(const std::string& room_id);
  void FlushMetrics();
  int64_t NowMs() const;

  plaza::Host& host_;
  const RoomsConfig config_;
  DeliveryTable table_;
  RoomMetrics metrics_;
  DeliveryStats stats_;

  std::mutex mutex_;
  RoomRegistry registry_;                                  // guarded by mutex_
  std::unordered_map<std::string, uint32_t> stats_index_;  // guarded by mutex_
  std::unordered_map<std::string, int64_t> empty_since_;   // guarded by mutex_

  // Destroyed before the registry: its thread builds snapshots from it.
  std::unique_ptr<Broadcaster> broadcaster_;
  plaza::TimerHandle metrics_timer_;
  plaza::TimerHandle expiry_timer_;
  plaza::TimerHandle idle_timer_;
  // Destroyed first: no lookup answers once it is gone.
  std::unique_ptr<RoomSource> source_;
};

}  // namespace plaza::rooms

#endif  // PLAZA_PLUGINS_ROOMS_ROOMS_SERVICE_H_
