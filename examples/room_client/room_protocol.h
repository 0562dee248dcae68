// The room protocol as the client sees it (docs/protocol.md): the topics of
// a room, the payloads it sends (a JoinRequest, an AvatarPose moving along a
// path, an ItemRequest) and the server's broadcasts it reads, decoded from
// protobuf or JSON and described in one human-readable line each.
#ifndef PLAZA_EXAMPLES_ROOM_CLIENT_ROOM_PROTOCOL_H_
#define PLAZA_EXAMPLES_ROOM_CLIENT_ROOM_PROTOCOL_H_

#include <cstdint>
#include <optional>
#include <string>

#include "plaza/room/v1/room.pb.h"

namespace google::protobuf {
class Message;
}

namespace room_client {

// The topics of room `room` (everything lives under rooms/<room>/).
struct RoomTopics {
  explicit RoomTopics(std::string room) : prefix("rooms/" + room + "/") {}

  std::string Join() const { return prefix + "join"; }
  std::string Leave() const { return prefix + "leave"; }
  // The server's broadcasts: members, presence, settings, announcements,
  // and this client's replies.
  std::string ServerAll() const { return prefix + "server/#"; }
  std::string Pose(const std::string& user_id) const { return prefix + "pose/" + user_id; }
  std::string AllPoses() const { return prefix + "pose/+"; }
  std::string Claim(const std::string& item) const { return prefix + "items/" + item + "/claim"; }
  std::string ItemState(const std::string& item, uint64_t epoch) const {
    return prefix + "items/" + item + "/state/" + std::to_string(epoch);
  }
  std::string AllItemOwners() const { return prefix + "items/+/owner"; }
  std::string AllItemStates() const { return prefix + "items/+/state/+"; }

  const std::string prefix;
};

// A message received from the room, once its topic is read.
struct Incoming {
  enum class Kind {
    kMembers,
    kPresence,
    kSettings,
    kAnnouncement,
    kReply,
    kPose,
    kItemOwner,
    kItemState,
    kOther
  };
  Kind kind = Kind::kOther;
  // The member (pose) or item (owner, state) the topic names.
  std::string name;
};

// What a topic of the room carries.
Incoming Classify(const RoomTopics& topics, const std::string& topic);

// Decodes a server payload: JSON (it starts with '{': the broker's
// payload_format: json) or else protobuf.
bool Decode(const std::string& payload, google::protobuf::Message* message);

// One line about each server message, for a person to read. Each decodes
// `payload` itself and says so if it cannot.
std::string DescribeMembers(const std::string& payload);
std::string DescribePresence(const std::string& payload);
std::string DescribeSettings(const std::string& payload);
std::string DescribeAnnouncement(const std::string& payload);

// The MQTT 5 user property of a successful join's Reply that names the
// member's user id (docs/protocol.md, "Joining and leaving").
inline constexpr char kUserIdProperty[] = "user_id";

// A Reply: the outcome of one of this client's requests.
struct ReplyInfo {
  std::string request_topic;
  uint32_t reason_code = 0;
  std::string reason;
  // A successful join: who we are (the Reply's user_id; "" if none).
  std::string user_id = {};
};
std::optional<ReplyInfo> DecodeReply(const std::string& payload);
std::string Describe(const ReplyInfo& reply);

// An item's owner state (ItemOwner).
struct OwnerInfo {
  std::string item_id;
  std::string owner_user_id;
  uint64_t epoch = 0;
  std::string change;
};
std::optional<OwnerInfo> DecodeItemOwner(const std::string& payload);
std::string Describe(const OwnerInfo& owner);

// The encoded JoinRequest (protobuf; the server also reads its JSON).
std::string EncodeJoinRequest(const std::string& display_name);

// Where this client's avatar is `t_ms` after it started: walking a circle
// of 2 m around a centre chosen from its user id, so two clients do not
// stand on each other and the numbers keep changing.
plaza::room::v1::AvatarPose PoseAt(const std::string& user_id, uint32_t t_ms);

// "(1.20, 0.00, -0.35) m, yaw 90.0" for a pose.
std::string DescribePosition(const plaza::room::v1::AvatarPose& pose);

}  // namespace room_client

#endif  // PLAZA_EXAMPLES_ROOM_CLIENT_ROOM_PROTOCOL_H_
