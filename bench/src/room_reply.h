// Reading the rooms plugin's answer to a join: a `Reply`
// (proto/plaza/room/v1/room.proto) on rooms/R/server/reply, in the
// platform's payload format (protobuf or JSON). The bench only needs the
// request topic, the reason code (0: joined) and the reason, so it decodes
// those few fields by hand instead of linking the generated protos.
#ifndef PLAZA_BENCH_ROOM_REPLY_H_
#define PLAZA_BENCH_ROOM_REPLY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace plaza::bench {

struct RoomReply {
  std::string request_topic;
  uint32_t reason_code = 0;  // absent in the payload: 0 (proto3 default)
  std::string reason;
};

// nullopt when the payload is neither a well-formed Reply in protobuf nor a
// JSON object (a payload starting with '{' is read as JSON).
std::optional<RoomReply> ParseRoomReply(std::string_view payload);

}  // namespace plaza::bench

#endif  // PLAZA_BENCH_ROOM_REPLY_H_
