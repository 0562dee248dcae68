// One member's session in a room, in the order docs/protocol.md gives it:
// connect (the token as password), follow the server's topics, join, then
// follow the members' poses and the items, send this avatar's pose at a
// steady rate (and an owned item's state), and leave. Everything the room
// says is printed, one line per message (poses once a second).
#ifndef PLAZA_EXAMPLES_ROOM_CLIENT_ROOM_CLIENT_H_
#define PLAZA_EXAMPLES_ROOM_CLIENT_ROOM_CLIENT_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <mqtt/async_client.h>

#include "options.h"
#include "pose_stats.h"
#include "room_protocol.h"

namespace room_client {

// Exit codes of Run().
inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 2;     // the broker refused or dropped the connection
inline constexpr int kExitJoinFailed = 3;  // the room refused the join (or never answered)

class RoomClient {
 public:
  explicit RoomClient(Options options);

  // Runs the session until `stop` is set (Ctrl-C) or the duration ends;
  // returns an exit code.
  int Run(const std::atomic<bool>& stop);

 private:
  using Clock = std::chrono::steady_clock;

  bool Connect();
  bool Join();
  void FollowRoom();
  void ClaimItem();
  // Sends poses (and the owned item's state) until stop, the duration's
  // end or a lost connection; false if the connection was lost.
  bool PublishLoop(const std::atomic<bool>& stop);
  void Leave();

  // Paho's callback thread.
  void OnMessage(mqtt::const_message_ptr message);
  void OnConnectionLost(const std::string& reason);

  // Who we are in the room's topics, once joined: --user-id, else the join
  // Reply's user id, else --user. False (and says why) if none is known.
  bool LearnUserId(const ReplyInfo& join_reply);
  // The Reply to the request on `request_topic`, waiting up to `timeout`.
  std::optional<ReplyInfo> WaitForReply(const std::string& request_topic,
                                        std::chrono::milliseconds timeout);
  // The epoch at which this client owns the claimed item, if it does.
  std::optional<uint64_t> OwnedEpoch();

  const Options options_;
  const RoomTopics topics_;
  const Clock::time_point start_ = Clock::now();
  std::unique_ptr<mqtt::async_client> client_;
  uint64_t poses_sent_ = 0;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, ReplyInfo> replies_;  // by request topic, not yet waited for
  std::optional<OwnerInfo> claimed_owner_;    // newest owner state of --claim
  PoseStats poses_{start_};
  std::optional<std::string> lost_;  // why the connection ended, if it did
  // Our user id in the room's topics: written once (LearnUserId) under
  // mutex_ before the members' traffic is followed.
  std::string user_id_;
};

}  // namespace room_client

#endif  // PLAZA_EXAMPLES_ROOM_CLIENT_ROOM_CLIENT_H_
