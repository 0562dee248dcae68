// The configuration as a room source; see room_source.h.
#include "room_source.h"

namespace plaza::rooms {

void ConfigRoomSource::Lookup(std::string_view room_id, Found found) {
  for (const RoomConfig& room : rooms_) {
    if (room.id == room_id) return found(room);
  }
  if (!create_unknown_) {
    return found(Refusal{0x90, "no such room '" + std::string(room_id) + "'"});
  }
  RoomConfig room = template_;
  room.id = std::string(room_id);
  room.kind = RoomKind::kWorld;
  room.cast.clear();
  found(std::move(room));
}

}  // namespace plaza::rooms
