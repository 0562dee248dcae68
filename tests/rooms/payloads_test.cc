// The rooms plugin's payloads: protobuf that decodes back to the same
// fields, JSON with the protos' snake_case names, and join requests in
// either form (or empty), with a clear error for anything else.
#include <gtest/gtest.h>

#include <string>

#include "payloads.h"
#include "plaza/adapter/v1/room_messages.pb.h"
#include "plaza/room/v1/room.pb.h"

namespace plaza::rooms {
namespace {

Room TwoMembers() {
  RoomConfig config;
  config.id = "event:1";
  config.kind = RoomKind::kEvent;
  config.capacity = 10;
  config.cast = {{"star", Role::kPerformer}};
  Room room(config, 50);
  room.Join({1, "c1"}, {"star", "The Star"}, 100);
  room.Join({2, "c2"}, {"fan", "A Fan"}, 200);
  return room;
}

TEST(PayloadsTest, MembersSnapshotInProtobuf) {
  const Room room = TwoMembers();
  room::v1::RoomMembers snapshot;
  ASSERT_TRUE(snapshot.ParseFromString(EncodeMembers(room, PayloadFormat::kProtobuf)));
  EXPECT_EQ(snapshot.room_id(), "event:1");
  EXPECT_EQ(snapshot.kind(), "event");
  EXPECT_EQ(snapshot.capacity(), 10);
  EXPECT_EQ(snapshot.version(), 2u);
  ASSERT_EQ(snapshot.members_size(), 2);
  EXPECT_EQ(snapshot.members(0).user_id(), "star");
  EXPECT_EQ(snapshot.members(0).display_name(), "The Star");
  EXPECT_EQ(snapshot.members(0).role(), "performer");
  EXPECT_EQ(snapshot.members(0).joined_at_unix_ms(), 100);
  EXPECT_EQ(snapshot.members(1).role(), "audience");
}

TEST(PayloadsTest, EventViewsAreTailored) {
  RoomConfig config;
  config.id = "event:2";
  config.kind = RoomKind::kEvent;
  config.cast = {{"star", Role::kPerformer}};
  Room room(config, 2);
  room.Join({1, "c1"}, {"a1", ""}, 1);
  room.Join({2, "c2"}, {"star", ""}, 2);
  room.Join({3, "c3"}, {"a2", ""}, 3);
  room.Join({4, "c4"}, {"a3", ""}, 4);  // neighbourhood 1
  const MemberViews views = EncodeMemberViews(room, PayloadFormat::kProtobuf);
  const auto ids = [](const std::string& payload) {
    room::v1::RoomMembers members;
    members.ParseFromString(payload);
    std::vector<std::string> out;
    for (const auto& m : members.members()) out.push_back(m.user_id());
    out.push_back("audience=" + std::to_string(members.audience_count()));
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids(views.outsider), (V{"star", "audience=3"}));
  EXPECT_EQ(ids(views.stage), (V{"a1", "star", "a2", "a3", "audience=3"}));
  ASSERT_EQ(views.by_group.size(), 2u);
  EXPECT_EQ(ids(views.by_group[0]), (V{"a1", "star", "a2", "audience=3"}));
  EXPECT_EQ(ids(views.by_group[1]), (V{"star", "a3", "audience=3"}));
  // A world's list is one for all.
  config.kind = RoomKind::kWorld;
  Room world(config, 2);
  world.Join({1, "c1"}, {"p1", ""}, 1);
  const MemberViews world_views = EncodeMemberViews(world, PayloadFormat::kProtobuf);
  EXPECT_EQ(ids(world_views.outsider), (V{"p1", "audience=0"}));
  EXPECT_TRUE(world_views.by_group.empty());
}

TEST(PayloadsTest, JsonUsesSnakeCaseNames) {
  const Room room = TwoMembers();
  const std::string json = EncodeMembers(room, PayloadFormat::kJson);
  EXPECT_NE(json.find("\"room_id\":\"event:1\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"display_name\":\"The Star\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"joined_at_unix_ms\""), std::string::npos) << json;
  const std::string presence =
      EncodePresence(room, *room.FindUser("fan"), false, PayloadFormat::kJson);
  EXPECT_NE(presence.find("\"kind\":\"KIND_LEFT\""), std::string::npos) << presence;
  // Zero values are spelled out, so a success reads "reason_code": 0.
  const std::string reply =
      EncodeReply("rooms/a/join", 0, "joined", "", PayloadFormat::kJson, "42");
  EXPECT_NE(reply.find("\"reason_code\":0"), std::string::npos) << reply;
  EXPECT_NE(reply.find("\"user_id\":\"42\""), std::string::npos) << reply;
  EXPECT_EQ(ContentType(PayloadFormat::kJson), "application/json");
}

TEST(PayloadsTest, PresenceReplyAndSettingsInProtobuf) {
  const Room room = TwoMembers();
  room::v1::PresenceEvent presence;
  ASSERT_TRUE(presence.ParseFromString(
      EncodePresence(room, *room.FindUser("fan"), true, PayloadFormat::kProtobuf)));
  EXPECT_EQ(presence.kind(), room::v1::PresenceEvent::KIND_JOINED);
  EXPECT_EQ(presence.member().user_id(), "fan");
  EXPECT_EQ(presence.version(), 2u);

  room::v1::Reply reply;
  ASSERT_TRUE(reply.ParseFromString(
      EncodeReply("rooms/a/join", 0x97, "full", "corr-1", PayloadFormat::kProtobuf, "7")));
  EXPECT_EQ(reply.user_id(), "7");
  EXPECT_EQ(reply.request_topic(), "rooms/a/join");
  EXPECT_EQ(reply.reason_code(), 0x97u);
  EXPECT_EQ(reply.reason(), "full");
  EXPECT_EQ(reply.correlation_data(), "corr-1");

  RoomConfig config;
  config.id = "world:2";
  config.settings = {0.5f, "https://bgm", "https://venue"};
  adapter::v1::RoomSettingsMessage settings;
  ASSERT_TRUE(settings.ParseFromString(EncodeSettings(config, 42, PayloadFormat::kProtobuf)));
  EXPECT_EQ(settings.room_id(), "world:2");
  EXPECT_FLOAT_EQ(settings.settings().volume(), 0.5f);
  EXPECT_EQ(settings.settings().bgm_url(), "https://bgm");
  EXPECT_EQ(settings.settings().venue_asset_url(), "https://venue");
  EXPECT_EQ(settings.published_at_unix_ms(), 42);
}

TEST(PayloadsTest, JoinRequestsInEveryForm) {
  std::string error;
  EXPECT_EQ(ParseJoinDisplayName("", &error), "");
  room::v1::JoinRequest request;
  request.set_display_name("Ana");
  EXPECT_EQ(ParseJoinDisplayName(request.SerializeAsString(), &error), "Ana");
  EXPECT_EQ(ParseJoinDisplayName(R"({"display_name": "Ben"})", &error), "Ben");
  EXPECT_FALSE(ParseJoinDisplayName("{not json", &error));
  EXPECT_NE(error.find("JSON"), std::string::npos) << error;
  EXPECT_FALSE(ParseJoinDisplayName(R"({"colour": "red"})", &error));
  // A truncated protobuf field.
  EXPECT_FALSE(ParseJoinDisplayName(std::string("\x0a\x05"
                                                "An",
                                                4),
                                    &error));
  EXPECT_NE(error.find("not a JoinRequest"), std::string::npos) << error;
}

}  // namespace
}  // namespace plaza::rooms
