// Reads the room topics the ownership plugin acts on (docs/protocol.md):
// rooms/R/join, rooms/R/leave and everything under rooms/R/items/. Every
// PUBLISH passes through here, so anything else is turned away after a few
// comparisons, without allocating.
#ifndef PLAZA_PLUGINS_OWNERSHIP_ROOM_TOPIC_H_
#define PLAZA_PLUGINS_OWNERSHIP_ROOM_TOPIC_H_

#include <cstdint>
#include <string_view>

namespace plaza::ownership {

struct RoomTopic {
  enum class Kind {
    kOther,     // not ours
    kJoin,      // rooms/R/join
    kLeave,     // rooms/R/leave
    kClaim,     // rooms/R/items/I/claim
    kRelease,   // rooms/R/items/I/release
    kTransfer,  // rooms/R/items/I/transfer
    kState,     // rooms/R/items/I/state/E
    kOwner,     // rooms/R/items/I/owner (the server's alone)
    kInvalid,   // anything else under rooms/R/items/, or a bad id or epoch
  };
  Kind kind = Kind::kOther;
  std::string_view room;
  std::string_view item;
  uint64_t epoch = 0;  // kState only
};

// Views into `topic`.
RoomTopic ParseRoomTopic(std::string_view topic);

}  // namespace plaza::ownership

#endif  // PLAZA_PLUGINS_OWNERSHIP_ROOM_TOPIC_H_
