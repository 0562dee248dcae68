// The other members' poses as this client receives them: for each sender
// how many arrived since the last summary and the newest one (by the
// sender's clock, as a renderer would apply them), summed up in one line a
// second instead of 30 lines per member.
#ifndef PLAZA_EXAMPLES_ROOM_CLIENT_POSE_STATS_H_
#define PLAZA_EXAMPLES_ROOM_CLIENT_POSE_STATS_H_

#include <chrono>
#include <map>
#include <string>

#include "plaza/room/v1/room.pb.h"

namespace room_client {

class PoseStats {
 public:
  using Clock = std::chrono::steady_clock;

  explicit PoseStats(Clock::time_point start) : window_start_(start) {}

  // A pose from `user_id`; false if the payload is not an AvatarPose.
  bool Add(const std::string& user_id, const std::string& payload);

  // "poses: ben 29.8/s at (...); ana 30.1/s at (...)" for the window that
  // ends `now`, then starts a new window; "" if no member is known yet.
  std::string Summary(Clock::time_point now);

 private:
  struct Sender {
    plaza::room::v1::AvatarPose latest;
    int received = 0;  // in the current window
    int stale = 0;     // older than `latest` when they arrived
  };
  std::map<std::string, Sender> senders_;
  Clock::time_point window_start_;
};

}  // namespace room_client

#endif  // PLAZA_EXAMPLES_ROOM_CLIENT_POSE_STATS_H_
