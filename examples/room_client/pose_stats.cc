// Counts and keeps the other members' poses; see pose_stats.h.
#include "pose_stats.h"

#include <cstdio>

#include "room_protocol.h"

namespace room_client {

bool PoseStats::Add(const std::string& user_id, const std::string& payload) {
  plaza::room::v1::AvatarPose pose;
  if (!pose.ParseFromString(payload)) return false;
  Sender& sender = senders_[user_id];
  ++sender.received;
  // The sender's clock wraps: compare by the signed difference.
  const bool first = sender.received == 1 && !sender.latest.has_position();
  if (first || static_cast<int32_t>(pose.t_ms() - sender.latest.t_ms()) >= 0) {
    sender.latest = pose;
  } else {
    ++sender.stale;
  }
  return true;
}

std::string PoseStats::Summary(Clock::time_point now) {
  if (senders_.empty()) return "";
  const double seconds = std::chrono::duration<double>(now - window_start_).count();
  window_start_ = now;
  std::string line = "poses:";
  const char* separator = " ";
  for (auto& [user_id, sender] : senders_) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.1f/s", seconds > 0 ? sender.received / seconds : 0.0);
    line += separator + user_id + " " + rate + " at " + DescribePosition(sender.latest);
    if (sender.stale) line += " (" + std::to_string(sender.stale) + " out of order)";
    separator = "; ";
    sender.received = 0;
    sender.stale = 0;
  }
  return line;
}

}  // namespace room_client
