// The payloads the rooms plugin sends and reads, in the platform's
// payload_format: protobuf (proto/plaza/room/v1/room.proto, and the
// adapter's RoomSettingsMessage for settings) or JSON with the protos'
// snake_case field names, for debugging and legacy tools.
#ifndef PLAZA_PLUGINS_ROOMS_PAYLOADS_H_
#define PLAZA_PLUGINS_ROOMS_PAYLOADS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "room.h"
#include "rooms_config.h"

namespace google::protobuf {
class Message;
}

namespace plaza::rooms {

std::string Encode(const google::protobuf::Message& message, PayloadFormat format);
// The MQTT 5 content type announced with `format`.
std::string_view ContentType(PayloadFormat format);

// rooms/R/server/members: the room's members in join order.
std::string EncodeMembers(const Room& room, PayloadFormat format);

// The member list as each recipient sees it. A world's list is the same for
// everyone (`outsider`). An event's audience is too large to send to
// everyone on every change, so each copy is tailored: the stage sees every
// member, an audience member the stage and its own neighbourhood, anyone
// else the stage only; every copy counts the whole audience.
struct MemberViews {
  std::string outsider;               // the retained copy
  std::string stage;                  // events: every member
  std::vector<std::string> by_group;  // events: the stage and neighbourhood g
};
MemberViews EncodeMemberViews(const Room& room, PayloadFormat format);
// rooms/R/server/presence: `member` joined (or left) and the room is now
// at `version`.
std::string EncodePresence(const Room& room, const Member& member, bool joined,
                           PayloadFormat format);
// rooms/R/server/reply; `user_id` for a successful join.
std::string EncodeReply(std::string_view request_topic, uint8_t reason_code,
                        std::string_view reason, std::string_view correlation_data,
                        PayloadFormat format, std::string_view user_id = {});
// rooms/R/server/settings: the adapter's RoomSettingsMessage.
std::string EncodeSettings(const RoomConfig& room, int64_t now_ms, PayloadFormat format);

// A JoinRequest's display name: the payload is empty, a protobuf
// JoinRequest, or (starting with '{') its JSON. nullopt for a payload that
// is neither, with the reason in *error.
std::optional<std::string> ParseJoinDisplayName(std::string_view payload, std::string* error);

}  // namespace plaza::rooms

#endif  // PLAZA_PLUGINS_ROOMS_PAYLOADS_H_
