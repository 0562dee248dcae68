// Parsing and printing of room ids.
#include "common/room_ref.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace plaza::adapter {

std::string RoomRef::ToString() const {
  return absl::StrCat(kind == v1::ROOM_KIND_EVENT ? "event:" : "world:", id);
}

absl::StatusOr<RoomRef> ParseRoomId(std::string_view room_id) {
  const auto invalid = [&] {
    std::string shown(room_id.substr(0, 64));
    for (char& c : shown) {
      if (!absl::ascii_isprint(static_cast<unsigned char>(c))) c = '?';
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "room_id must be \"event:<number>\" or \"world:<number>\", got \"", shown, "\""));
  };
  RoomRef ref;
  std::string_view number = room_id;
  if (number.starts_with("event:")) {
    number.remove_prefix(6);
    ref.kind = v1::ROOM_KIND_EVENT;
  } else if (number.starts_with("world:")) {
    number.remove_prefix(6);
    ref.kind = v1::ROOM_KIND_WORLD;
  } else {
    return invalid();
  }
  if (number.empty() || number.size() > 18) return invalid();
  for (char c : number) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return invalid();
  }
  if (!absl::SimpleAtoi(AsAbsl(number), &ref.id) || ref.id <= 0) return invalid();
  return ref;
}

}  // namespace plaza::adapter
