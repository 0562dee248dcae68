// Topics, payloads and descriptions of the room protocol; see
// room_protocol.h and docs/protocol.md.
#include "room_protocol.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <functional>
#include <numbers>

#include "plaza/adapter/v1/room_messages.pb.h"
#include "plaza/room/v1/items.pb.h"

namespace room_client {

namespace v1 = plaza::room::v1;

namespace {

// "OWNER_CHANGE_CLAIMED" -> "claimed", for enum names in printed lines.
std::string EnumWord(const std::string& name, const std::string& prefix) {
  std::string word = name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
  std::transform(word.begin(), word.end(), word.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return word;
}

std::string Hex(uint32_t code) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%02X", code);
  return text;
}

}  // namespace

Incoming Classify(const RoomTopics& topics, const std::string& topic) {
  if (topic.rfind(topics.prefix, 0) != 0) return {};
  const std::string rest = topic.substr(topics.prefix.size());
  using Kind = Incoming::Kind;
  if (rest == "server/members") return {Kind::kMembers, ""};
  if (rest == "server/presence") return {Kind::kPresence, ""};
  if (rest == "server/settings") return {Kind::kSettings, ""};
  if (rest == "server/announcements") return {Kind::kAnnouncement, ""};
  if (rest == "server/reply") return {Kind::kReply, ""};
  if (rest.rfind("pose/", 0) == 0) return {Kind::kPose, rest.substr(5)};
  if (rest.rfind("items/", 0) == 0) {
    // items/<item>/owner or items/<item>/state/<epoch>
    const size_t slash = rest.find('/', 6);
    if (slash == std::string::npos) return {};
    const std::string item = rest.substr(6, slash - 6);
    const std::string what = rest.substr(slash + 1);
    if (what == "owner") return {Kind::kItemOwner, item};
    if (what.rfind("state/", 0) == 0) return {Kind::kItemState, item};
  }
  return {};
}

bool Decode(const std::string& payload, google::protobuf::Message* message) {
  if (!payload.empty() && payload.front() == '{') {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;  // a newer server may add fields
    return google::protobuf::util::JsonStringToMessage(payload, message, options).ok();
  }
  return message->ParseFromString(payload);
}

std::string DescribeMembers(const std::string& payload) {
  v1::RoomMembers members;
  if (!Decode(payload, &members)) return "members: (not a RoomMembers payload)";
  std::string line = "members of " + members.room_id() + " (" + members.kind() + ", version " +
                     std::to_string(members.version()) + ", " +
                     std::to_string(members.members_size()) + " of " +
                     (members.capacity() ? std::to_string(members.capacity()) : "unlimited");
  if (members.audience_count()) line += ", audience " + std::to_string(members.audience_count());
  line += "):";
  if (members.members().empty()) line += " nobody";
  for (const v1::Member& member : members.members()) {
    line += " " + member.user_id();
    if (!member.display_name().empty() && member.display_name() != member.user_id()) {
      line += " \"" + member.display_name() + "\"";
    }
    line += " [" + member.role() + "]";
  }
  return line;
}

std::string DescribePresence(const std::string& payload) {
  v1::PresenceEvent event;
  if (!Decode(payload, &event)) return "presence: (not a PresenceEvent payload)";
  const std::string kind = EnumWord(v1::PresenceEvent::Kind_Name(event.kind()), "KIND_");
  return "presence: " + event.member().user_id() + " " + kind + " as " + event.member().role() +
         " (version " + std::to_string(event.version()) + ")";
}

std::string DescribeSettings(const std::string& payload) {
  plaza::adapter::v1::RoomSettingsMessage message;
  if (!Decode(payload, &message)) return "settings: (not a RoomSettingsMessage payload)";
  const auto& settings = message.settings();
  char volume[16];
  std::snprintf(volume, sizeof volume, "%.2f", settings.volume());
  std::string line = std::string("settings: volume ") + volume;
  line += ", bgm " + (settings.bgm_url().empty() ? "none" : settings.bgm_url());
  line += ", venue " + (settings.venue_asset_url().empty() ? "none" : settings.venue_asset_url());
  return line;
}

std::string DescribeAnnouncement(const std::string& payload) {
  plaza::adapter::v1::AnnouncementMessage message;
  if (!Decode(payload, &message)) return "announcement: (not an AnnouncementMessage payload)";
  return "announcement (" +
         EnumWord(plaza::adapter::v1::AnnouncementLevel_Name(message.level()),
                  "ANNOUNCEMENT_LEVEL_") +
         "): " + message.text();
}

std::optional<ReplyInfo> DecodeReply(const std::string& payload) {
  v1::Reply reply;
  if (!Decode(payload, &reply)) return std::nullopt;
  return ReplyInfo{reply.request_topic(), reply.reason_code(), reply.reason(), reply.user_id()};
}

std::string Describe(const ReplyInfo& reply) {
  return "reply to " + reply.request_topic + ": " + Hex(reply.reason_code) + " " + reply.reason;
}

std::optional<OwnerInfo> DecodeItemOwner(const std::string& payload) {
  v1::ItemOwner owner;
  if (!Decode(payload, &owner)) return std::nullopt;
  return OwnerInfo{owner.item_id(), owner.owner_user_id(), owner.epoch(),
                   EnumWord(v1::OwnerChange_Name(owner.change()), "OWNER_CHANGE_")};
}

std::string Describe(const OwnerInfo& owner) {
  return "item " + owner.item_id + ": " +
         (owner.owner_user_id.empty() ? "free" : "owned by " + owner.owner_user_id) + ", epoch " +
         std::to_string(owner.epoch) + " (" + owner.change + ")";
}

std::string EncodeJoinRequest(const std::string& display_name) {
  v1::JoinRequest request;
  request.set_display_name(display_name);
  return request.SerializeAsString();  // empty when there is no name: fine
}

v1::AvatarPose PoseAt(const std::string& user_id, uint32_t t_ms) {
  constexpr double kRadiusMm = 2000;
  constexpr double kPeriodMs = 8000;  // one lap every 8 seconds
  const size_t seed = std::hash<std::string>{}(user_id);
  const double centre_x = static_cast<double>(seed % 10'000) - 5'000;
  const double centre_z = static_cast<double>((seed / 10'000) % 10'000) - 5'000;
  const double angle = 2 * std::numbers::pi * std::fmod(t_ms, kPeriodMs) / kPeriodMs;

  v1::AvatarPose pose;
  pose.mutable_position()->set_x_mm(static_cast<int32_t>(centre_x + kRadiusMm * std::cos(angle)));
  pose.mutable_position()->set_y_mm(0);
  pose.mutable_position()->set_z_mm(static_cast<int32_t>(centre_z + kRadiusMm * std::sin(angle)));
  // Facing along the circle: the heading turns with the angle.
  const double yaw_deg = std::fmod(360 - angle * 180 / std::numbers::pi, 360);
  pose.set_yaw_cdeg(static_cast<uint32_t>(yaw_deg * 100) % 36000);
  pose.set_animation(1);  // walking (0 would be idle)
  pose.set_t_ms(t_ms);
  return pose;
}

std::string DescribePosition(const v1::AvatarPose& pose) {
  char text[96];
  std::snprintf(text, sizeof text, "(%.2f, %.2f, %.2f) m, yaw %.1f",
                pose.position().x_mm() / 1000.0, pose.position().y_mm() / 1000.0,
                pose.position().z_mm() / 1000.0, pose.yaw_cdeg() / 100.0);
  return text;
}

}  // namespace room_client
