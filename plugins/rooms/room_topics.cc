// Topic parsing for the room layout; see room_topics.h.
#include "room_topics.h"

namespace plaza::rooms {
namespace {

// The class of `rest`, what follows "rooms/R/". join and leave are exact
// topics; member classes need a user segment after them.
TopicClass ClassOf(std::string_view rest) {
  if (rest == "join") return TopicClass::kJoin;
  if (rest == "leave") return TopicClass::kLeave;
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return TopicClass::kOther;
  const std::string_view head = rest.substr(0, slash);
  if (head == "server") return TopicClass::kServer;
  if (slash + 1 == rest.size()) return TopicClass::kOther;  // no user segment
  return MemberClassNamed(head).value_or(TopicClass::kOther);
}

}  // namespace

std::optional<RoomTopic> ParseRoomTopic(std::string_view topic) {
  if (topic.substr(0, kRoomsPrefix.size()) != kRoomsPrefix) return std::nullopt;
  const std::string_view tail = topic.substr(kRoomsPrefix.size());
  const size_t slash = tail.find('/');
  if (slash == 0 || slash == std::string_view::npos) return std::nullopt;
  const std::string_view rest = tail.substr(slash + 1);
  return RoomTopic{tail.substr(0, slash), rest, ClassOf(rest)};
}

bool IsValidRoomId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == ':' || c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::optional<TopicClass> MemberClassNamed(std::string_view name) {
  if (name == "pose") return TopicClass::kPose;
  if (name == "track") return TopicClass::kTrack;
  if (name == "voice") return TopicClass::kVoice;
  if (name == "emote") return TopicClass::kEmote;
  return std::nullopt;
}

std::string ServerTopic(std::string_view room, std::string_view leaf) {
  std::string topic;
  topic.reserve(kRoomsPrefix.size() + room.size() + 8 + leaf.size());
  topic.append(kRoomsPrefix).append(room).append("/server/").append(leaf);
  return topic;
}

}  // namespace plaza::rooms
