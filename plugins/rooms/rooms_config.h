// The rooms plugin's configuration (its `config:` subtree in the broker's
// YAML): the rooms with their kind, capacity, settings and cast, what to do
// with unknown rooms, a users table for development, and the tuning of
// membership and delivery. config/rooms.yaml is a commented example;
// ParseRoomsConfig refuses anything it does not understand, with the key.
#ifndef PLAZA_PLUGINS_ROOMS_ROOMS_CONFIG_H_
#define PLAZA_PLUGINS_ROOMS_ROOMS_CONFIG_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace plaza::rooms {

enum class RoomKind { kEvent, kWorld };

// A member's role in a room (the room.R.role attribute).
enum class Role { kAudience, kPerformer, kHost, kModerator, kPeer, kOwner };

std::string_view KindName(RoomKind kind);
std::string_view RoleName(Role role);
// The stage of an event: what they send reaches every member, and they
// receive every member. Audience and peers are not on it.
bool IsStage(Role role);

// What the server broadcasts, retained, on rooms/R/server/settings.
struct RoomSettings {
  float volume = 1.0f;
  std::string bgm_url;
  std::string venue_asset_url;
};

struct RoomConfig {
  std::string id;
  RoomKind kind = RoomKind::kWorld;
  // The most members at once; 0 = no limit. The cast (users with a role
  // below) is admitted even when the room is full.
  uint32_t capacity = 0;
  RoomSettings settings;
  // user id -> role, for users whose role is not the kind's default
  // (audience in an event, peer in a world).
  std::unordered_map<std::string, Role> cast;
};

// The default role of a user in `room`: their cast role, else the kind's.
Role RoleIn(const RoomConfig& room, std::string_view user_id);

// A development stand-in for the auth plugin: who a user name is.
struct UserEntry {
  std::string user_id;
  std::string display_name;
};

enum class PayloadFormat { kProtobuf, kJson };

// Where rooms come from: the `rooms:` list of this config, or plaza-adapter
// (RoomService over gRPC; needs a build with the adapter).
enum class SourceKind { kConfig, kAdapter };

struct RoomsConfig {
  SourceKind source = SourceKind::kConfig;
  // With source: adapter: its gRPC address (host:port), the deadline of
  // each DescribeRoom / AuthorizeJoin, and how long a room stays empty
  // before the plugin stops watching it.
  std::string adapter;
  uint32_t deadline_ms = 2000;
  uint32_t unwatch_after_ms = 60'000;
  std::vector<RoomConfig> rooms;
  // unknown_rooms: refuse (default; joins get 0x90) or create (a world made
  // from `created_rooms` on first join).
  bool create_unknown_rooms = false;
  RoomConfig created_room_template;                  // id unused; kind always world
  std::unordered_map<std::string, UserEntry> users;  // by MQTT user name
  uint32_t grace_period_ms = 10'000;
  // Event policy: audience members are seated in neighbourhoods of this
  // many, by join order; audience traffic reaches the stage and the
  // sender's neighbourhood only.
  uint32_t neighbourhood_size = 50;
  // Conflated topic filters (from class names such as "pose", or filters
  // under rooms/ given as such).
  std::vector<std::string> conflate_filters = {"rooms/+/pose/+", "rooms/+/track/+"};
  PayloadFormat payload_format = PayloadFormat::kProtobuf;
  // The retained members snapshot of a room is published at most this
  // often (presence events go out at once); 0 = on every change.
  uint32_t snapshot_interval_ms = 1000;
  // How often per-room metrics are handed to the broker.
  uint32_t metrics_interval_ms = 1000;
  // Rooms beyond this many share the metrics label room="_other".
  uint32_t max_metric_rooms = 1024;
};

// Parses the plugin's `config:` YAML ("" gives the defaults). Throws
// std::runtime_error naming the offending key on anything malformed.
RoomsConfig ParseRoomsConfig(std::string_view yaml);

}  // namespace plaza::rooms

#endif  // PLAZA_PLUGINS_ROOMS_ROOMS_CONFIG_H_
