// Where a topic sits in the room layout of docs/protocol.md: which room it
// is about and which class of traffic it carries (a join, a pose, a server
// broadcast, ...). Used on the delivery hot path, so parsing works on views
// and never allocates.
#ifndef PLAZA_PLUGINS_ROOMS_ROOM_TOPICS_H_
#define PLAZA_PLUGINS_ROOMS_ROOM_TOPICS_H_

#include <optional>
#include <string>
#include <string_view>

namespace plaza::rooms {

inline constexpr std::string_view kRoomsPrefix = "rooms/";

// The classes of topic under rooms/R/.
enum class TopicClass {
  kJoin,    // rooms/R/join
  kLeave,   // rooms/R/leave
  kPose,    // rooms/R/pose/U
  kTrack,   // rooms/R/track/U
  kVoice,   // rooms/R/voice/U
  kEmote,   // rooms/R/emote/U
  kServer,  // rooms/R/server/...
  kOther,   // anything else (items, ...)
};

// True for the member-to-room classes the event delivery policy governs.
inline bool IsMemberTraffic(TopicClass c) {
  return c == TopicClass::kPose || c == TopicClass::kTrack || c == TopicClass::kVoice ||
         c == TopicClass::kEmote;
}

// A topic under rooms/: the room id, what follows "rooms/R/", and its class.
struct RoomTopic {
  std::string_view room;
  std::string_view rest;
  TopicClass topic_class = TopicClass::kOther;
};

// nullopt unless `topic` is rooms/<R>/<something> with a non-empty R.
std::optional<RoomTopic> ParseRoomTopic(std::string_view topic);

// Room ids: 1 to 128 letters, digits, ':', '_', '-' or '.'.
bool IsValidRoomId(std::string_view id);

// Member topic classes by name ("pose", "track", "voice", "emote"); nullopt
// for any other name.
std::optional<TopicClass> MemberClassNamed(std::string_view name);

// rooms/<room>/server/<leaf>.
std::string ServerTopic(std::string_view room, std::string_view leaf);

}  // namespace plaza::rooms

#endif  // PLAZA_PLUGINS_ROOMS_ROOM_TOPICS_H_
