// A room's id in the room server's terms: "event:<number>" or
// "world:<number>". The number is the platform's row id, but nothing outside
// the adapter may rely on that.
#ifndef PLAZA_ADAPTER_COMMON_ROOM_REF_H_
#define PLAZA_ADAPTER_COMMON_ROOM_REF_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "plaza/adapter/v1/room.pb.h"

namespace plaza::adapter {

struct RoomRef {
  v1::RoomKind kind = v1::ROOM_KIND_UNSPECIFIED;
  int64_t id = 0;

  std::string ToString() const;
  friend bool operator==(const RoomRef&, const RoomRef&) = default;
};

// INVALID_ARGUMENT, naming the expected form, for anything else.
absl::StatusOr<RoomRef> ParseRoomId(std::string_view room_id);

}  // namespace plaza::adapter

#endif  // PLAZA_ADAPTER_COMMON_ROOM_REF_H_
