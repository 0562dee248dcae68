// The rooms plugin's YAML: defaults, every key read, and a clear error
// (naming the key) for anything malformed, never a silent default.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "rooms_config.h"

namespace plaza::rooms {
namespace {

// The error ParseRoomsConfig throws for `yaml`, or "" if it parses.
std::string ErrorOf(const std::string& yaml) {
  try {
    ParseRoomsConfig(yaml);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(RoomsConfigTest, EmptyGivesTheDefaults) {
  const RoomsConfig config = ParseRoomsConfig("");
  EXPECT_TRUE(config.rooms.empty());
  EXPECT_FALSE(config.create_unknown_rooms);
  EXPECT_EQ(config.grace_period_ms, 10'000u);
  EXPECT_EQ(config.neighbourhood_size, 50u);
  EXPECT_EQ(config.conflate_filters,
            (std::vector<std::string>{"rooms/+/pose/+", "rooms/+/track/+"}));
  EXPECT_EQ(config.payload_format, PayloadFormat::kProtobuf);
}

TEST(RoomsConfigTest, ReadsEveryKey) {
  const RoomsConfig config = ParseRoomsConfig(R"(
rooms:
  - id: "event:7"
    kind: event
    capacity: 500
    settings: {volume: 0.25, bgm_url: "https://cdn/bgm.ogg", venue_asset_url: "https://cdn/v"}
    performers: [u-ana]
    hosts: [u-hal]
    moderators: [u-mo]
  - id: lobby
    kind: world
    owners: [u-own]
unknown_rooms: create
created_rooms: {capacity: 12, settings: {volume: 0.5}}
users:
  ana: {user_id: u-ana, display_name: Ana}
  bob: {}
grace_period_ms: 2500
event_policy: {neighbourhood_size: 8}
conflate: [pose, voice, "rooms/+/items/+/state/+"]
payload_format: json
snapshot_interval_ms: 0
metrics_interval_ms: 200
max_metric_rooms: 3
)");
  ASSERT_EQ(config.rooms.size(), 2u);
  const RoomConfig& event = config.rooms[0];
  EXPECT_EQ(event.id, "event:7");
  EXPECT_EQ(event.kind, RoomKind::kEvent);
  EXPECT_EQ(event.capacity, 500u);
  EXPECT_FLOAT_EQ(event.settings.volume, 0.25f);
  EXPECT_EQ(event.settings.bgm_url, "https://cdn/bgm.ogg");
  EXPECT_EQ(event.settings.venue_asset_url, "https://cdn/v");
  EXPECT_EQ(RoleIn(event, "u-ana"), Role::kPerformer);
  EXPECT_EQ(RoleIn(event, "u-hal"), Role::kHost);
  EXPECT_EQ(RoleIn(event, "u-mo"), Role::kModerator);
  EXPECT_EQ(RoleIn(event, "someone"), Role::kAudience);
  const RoomConfig& world = config.rooms[1];
  EXPECT_EQ(world.capacity, 0u);  // no limit
  EXPECT_EQ(RoleIn(world, "u-own"), Role::kOwner);
  EXPECT_EQ(RoleIn(world, "someone"), Role::kPeer);
  EXPECT_TRUE(config.create_unknown_rooms);
  EXPECT_EQ(config.created_room_template.capacity, 12u);
  EXPECT_FLOAT_EQ(config.created_room_template.settings.volume, 0.5f);
  EXPECT_EQ(config.users.at("ana").user_id, "u-ana");
  EXPECT_EQ(config.users.at("ana").display_name, "Ana");
  EXPECT_EQ(config.users.at("bob").user_id, "bob");  // defaults to the user name
  EXPECT_EQ(config.users.at("bob").display_name, "bob");
  EXPECT_EQ(config.grace_period_ms, 2500u);
  EXPECT_EQ(config.neighbourhood_size, 8u);
  EXPECT_EQ(config.conflate_filters, (std::vector<std::string>{"rooms/+/pose/+", "rooms/+/voice/+",
                                                               "rooms/+/items/+/state/+"}));
  EXPECT_EQ(config.payload_format, PayloadFormat::kJson);
  EXPECT_EQ(config.snapshot_interval_ms, 0u);
  EXPECT_EQ(config.metrics_interval_ms, 200u);
  EXPECT_EQ(config.max_metric_rooms, 3u);
}

TEST(RoomsConfigTest, MalformedInputIsRefusedWithTheKey) {
  EXPECT_NE(ErrorOf("romos: []").find("unknown key 'config.romos'"), std::string::npos);
  EXPECT_NE(ErrorOf("rooms: [{id: a, kind: party}]").find("must be event or world"),
            std::string::npos);
  EXPECT_NE(ErrorOf("rooms: [{kind: world}]").find("'rooms[0].id' is missing"), std::string::npos);
  EXPECT_NE(ErrorOf("rooms: [{id: a}]").find("'rooms[0].kind' is missing"), std::string::npos);
  EXPECT_NE(ErrorOf("rooms: [{id: 'a b', kind: world}]").find("room id 'a b'"), std::string::npos);
  EXPECT_NE(ErrorOf("rooms: [{id: a, kind: world}, {id: a, kind: event}]").find("listed twice"),
            std::string::npos);
  EXPECT_NE(ErrorOf("rooms: [{id: a, kind: event, performers: [x], hosts: [x]}]")
                .find("user 'x' has two roles"),
            std::string::npos);
  EXPECT_NE(ErrorOf("rooms: [{id: a, kind: world, capacity: -1}]").find("rooms[0].capacity"),
            std::string::npos);
  EXPECT_NE(ErrorOf("rooms: [{id: a, kind: world, settings: {volume: 2}}]").find("volume"),
            std::string::npos);
  EXPECT_NE(ErrorOf("rooms: [{id: a, kind: world, settings: {colour: red}}]")
                .find("unknown key 'rooms[0].settings.colour'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("unknown_rooms: maybe").find("refuse or create"), std::string::npos);
  EXPECT_NE(ErrorOf("payload_format: xml").find("protobuf or json"), std::string::npos);
  EXPECT_NE(ErrorOf("grace_period_ms: soon").find("grace_period_ms"), std::string::npos);
  EXPECT_NE(ErrorOf("event_policy: {neighbourhood_size: 0}").find("neighbourhood_size"),
            std::string::npos);
  EXPECT_NE(ErrorOf("conflate: [dance]").find("'dance'"), std::string::npos);
  EXPECT_NE(ErrorOf("users: {ana: {id: x}}").find("unknown key 'users.ana.id'"), std::string::npos);
  EXPECT_NE(ErrorOf("rooms: [").find("not valid YAML"), std::string::npos);
  EXPECT_NE(ErrorOf("rooms: 3").find("'rooms' must be a list"), std::string::npos);
  // Errors carry the line.
  EXPECT_NE(ErrorOf("grace_period_ms: 1\nrooms: [{id: a, kind: nope}]").find("(line 2)"),
            std::string::npos);
}

TEST(RoomsConfigTest, ReadsTheAdapterSource) {
  EXPECT_EQ(ParseRoomsConfig("").source, SourceKind::kConfig);
  const RoomsConfig config = ParseRoomsConfig(
      "source: adapter\nadapter: 127.0.0.1:7000\ndeadline_ms: 500\nunwatch_after_ms: 1000\n");
  EXPECT_EQ(config.source, SourceKind::kAdapter);
  EXPECT_EQ(config.adapter, "127.0.0.1:7000");
  EXPECT_EQ(config.deadline_ms, 500u);
  EXPECT_EQ(config.unwatch_after_ms, 1000u);
  EXPECT_NE(ErrorOf("source: web").find("config or adapter"), std::string::npos);
  EXPECT_NE(ErrorOf("source: adapter").find("'adapter' (host:port"), std::string::npos);
  EXPECT_NE(ErrorOf("source: adapter\nadapter: a:1\nrooms: [{id: a, kind: world}]")
                .find("not used with source: adapter"),
            std::string::npos);
  EXPECT_NE(ErrorOf("deadline_ms: 0").find("deadline_ms"), std::string::npos);
}

}  // namespace
}  // namespace plaza::rooms
