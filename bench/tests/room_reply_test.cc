// Unit tests of the bench's hand decoding of the rooms plugin's join Reply
// (src/room_reply.h), in both payload formats and with malformed input.
#include "room_reply.h"

#include <gtest/gtest.h>

#include <string>

namespace plaza::bench {
namespace {

// A protobuf length-delimited field (lengths below 128 only).
std::string Bytes(int field, const std::string& value) {
  return std::string{static_cast<char>(field << 3 | 2), static_cast<char>(value.size())} + value;
}

TEST(RoomReply, ProtobufSuccessHasNoReasonCodeField) {
  const auto reply = ParseRoomReply(Bytes(1, "rooms/event:bench/join") + Bytes(3, "joined"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->request_topic, "rooms/event:bench/join");
  EXPECT_EQ(reply->reason_code, 0u);
  EXPECT_EQ(reply->reason, "joined");
}

TEST(RoomReply, ProtobufRefusal) {
  // reason_code 0x97 = 151: a two-byte varint.
  const std::string payload = Bytes(1, "rooms/r/join") + std::string("\x10\x97\x01", 3) +
                              Bytes(3, "room full") + Bytes(4, "corr");
  const auto reply = ParseRoomReply(payload);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->reason_code, 0x97u);
  EXPECT_EQ(reply->reason, "room full");
}

TEST(RoomReply, ProtobufSkipsUnknownFields) {
  const std::string payload = std::string("\x28\x05", 2) +                     // field 5, varint
                              std::string("\x31", 1) + std::string(8, '\0') +  // field 6, fixed64
                              Bytes(1, "t");
  const auto reply = ParseRoomReply(payload);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->request_topic, "t");
}

TEST(RoomReply, ProtobufMalformed) {
  EXPECT_FALSE(ParseRoomReply(std::string("\x0a\x10short", 7)));  // length past the end
  EXPECT_FALSE(ParseRoomReply(std::string("\x10\x80", 2)));       // varint cut off
  EXPECT_FALSE(ParseRoomReply(std::string("\x0b", 1)));           // wire type 3 (group)
  EXPECT_FALSE(ParseRoomReply(std::string("\x00\x01", 2)));       // field 0
}

TEST(RoomReply, EmptyPayloadIsAnEmptyReply) {
  const auto reply = ParseRoomReply("");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->reason_code, 0u);
}

TEST(RoomReply, Json) {
  const auto reply = ParseRoomReply(R"({"request_topic":"rooms/event:1/join", "reason_code": 144,)"
                                    R"( "reason":"no such room \"x\"", "correlation_data":""})");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->request_topic, "rooms/event:1/join");
  EXPECT_EQ(reply->reason_code, 144u);
  EXPECT_EQ(reply->reason, "no such room \"x\"");
  const auto success = ParseRoomReply(R"({"request_topic":"a","reason_code":0,"reason":""})");
  ASSERT_TRUE(success);
  EXPECT_EQ(success->reason_code, 0u);
  EXPECT_TRUE(ParseRoomReply("{}"));
}

TEST(RoomReply, JsonMalformed) {
  EXPECT_FALSE(ParseRoomReply(R"({"reason_code":-1})"));
  EXPECT_FALSE(ParseRoomReply(R"({"reason_code":99999999999})"));
  EXPECT_FALSE(ParseRoomReply(R"({"request_topic":"unterminated})"));
  EXPECT_FALSE(ParseRoomReply(R"({"a" 1})"));
  EXPECT_FALSE(ParseRoomReply("{"));
}

}  // namespace
}  // namespace plaza::bench
