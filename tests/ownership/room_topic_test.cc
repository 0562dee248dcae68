// Unit tests of the room topic parser of the ownership plugin
// (plugins/ownership/room_topic.h).
#include "room_topic.h"

#include <gtest/gtest.h>

namespace plaza::ownership {
namespace {

using Kind = RoomTopic::Kind;

TEST(RoomTopicTest, RequestsAndStateAreRecognised) {
  RoomTopic topic = ParseRoomTopic("rooms/world:1/items/ball-1/claim");
  EXPECT_EQ(topic.kind, Kind::kClaim);
  EXPECT_EQ(topic.room, "world:1");
  EXPECT_EQ(topic.item, "ball-1");
  EXPECT_EQ(ParseRoomTopic("rooms/r/items/i/release").kind, Kind::kRelease);
  EXPECT_EQ(ParseRoomTopic("rooms/r/items/i/transfer").kind, Kind::kTransfer);
  EXPECT_EQ(ParseRoomTopic("rooms/r/items/i/owner").kind, Kind::kOwner);
  topic = ParseRoomTopic("rooms/r/items/i/state/18446744073709551615");
  EXPECT_EQ(topic.kind, Kind::kState);
  EXPECT_EQ(topic.epoch, 18446744073709551615u);
  EXPECT_EQ(ParseRoomTopic("rooms/r/items/i/state/0").epoch, 0u);
}

TEST(RoomTopicTest, JoinAndLeaveAreRecognised) {
  EXPECT_EQ(ParseRoomTopic("rooms/r/join").kind, Kind::kJoin);
  EXPECT_EQ(ParseRoomTopic("rooms/r/join").room, "r");
  EXPECT_EQ(ParseRoomTopic("rooms/r/leave").kind, Kind::kLeave);
  EXPECT_EQ(ParseRoomTopic("rooms/r/join/x").kind, Kind::kOther);
  EXPECT_EQ(ParseRoomTopic("rooms/a b/join").kind, Kind::kOther);
}

TEST(RoomTopicTest, OtherTopicsAreNotOurs) {
  for (const char* topic : {"", "rooms", "rooms/", "rooms/r", "rooms/r/pose/ann", "room/r/items/i",
                            "x/rooms/r/items/i/claim", "rooms/r/itemsx/i/claim"}) {
    EXPECT_EQ(ParseRoomTopic(topic).kind, Kind::kOther) << topic;
  }
}

TEST(RoomTopicTest, AnythingElseUnderItemsIsInvalid) {
  for (const char* topic :
       {"rooms/r/items", "rooms/r/items/", "rooms/r/items/i", "rooms/r/items/i/steal",
        "rooms/r/items/i/claim/x", "rooms/r/items/i/state", "rooms/r/items/i/state/",
        "rooms/r/items/i/state/x", "rooms/r/items/i/state/-1", "rooms/r/items/i/state/01",
        "rooms/r/items/i/state/18446744073709551616", "rooms/r/items/i/state/1/x",
        "rooms/r/items/a:b/claim", "rooms/a b/items/i/claim", "rooms//items/i/claim"}) {
    EXPECT_EQ(ParseRoomTopic(topic).kind, Kind::kInvalid) << topic;
  }
}

}  // namespace
}  // namespace plaza::ownership
