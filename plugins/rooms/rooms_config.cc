// Reading the rooms plugin's YAML; see rooms_config.h. Every key is checked:
// a misspelt one is an error naming it and its line, not a silent default.
#include "rooms_config.h"

#include <yaml-cpp/yaml.h>

#include <limits>
#include <set>
#include <stdexcept>

#include "room_topics.h"

namespace plaza::rooms {
namespace {

[[noreturn]] void Fail(const YAML::Node& node, const std::string& what) {
  const YAML::Mark mark = node.Mark();
  std::string where = mark.line >= 0 ? " (line " + std::to_string(mark.line + 1) + ")" : "";
  throw std::runtime_error("rooms config: " + what + where);
}

void RequireMap(const YAML::Node& node, const std::string& name) {
  if (!node.IsMap()) Fail(node, "'" + name + "' must be a map");
}

void RequireKeys(const YAML::Node& node, const std::string& name,
                 const std::set<std::string>& known) {
  RequireMap(node, name);
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>();
    if (!known.count(key)) Fail(entry.first, "unknown key '" + name + "." + key + "'");
  }
}

std::string ReadString(const YAML::Node& node, const std::string& name) {
  if (!node.IsScalar()) Fail(node, "'" + name + "' must be a string");
  return node.as<std::string>();
}

uint32_t ReadUnsigned(const YAML::Node& node, const std::string& name, uint32_t min,
                      uint32_t max = std::numeric_limits<uint32_t>::max()) {
  int64_t value = 0;
  if (!node.IsScalar() || !YAML::convert<int64_t>::decode(node, value) || value < min ||
      value > max) {
    Fail(node, "'" + name + "' must be a whole number from " + std::to_string(min) + " to " +
                   std::to_string(max));
  }
  return static_cast<uint32_t>(value);
}

std::vector<std::string> ReadStringList(const YAML::Node& node, const std::string& name) {
  if (!node.IsSequence()) Fail(node, "'" + name + "' must be a list");
  std::vector<std::string> out;
  for (const YAML::Node& item : node) out.push_back(ReadString(item, name + "[]"));
  return out;
}

RoomKind ReadKind(const YAML::Node& node, const std::string& name) {
  const std::string kind = ReadString(node, name);
  if (kind == "event") return RoomKind::kEvent;
  if (kind == "world") return RoomKind::kWorld;
  Fail(node, "'" + name + "' must be event or world, not '" + kind + "'");
}

RoomSettings ReadSettings(const YAML::Node& node, const std::string& name) {
  RequireKeys(node, name, {"volume", "bgm_url", "venue_asset_url"});
  RoomSettings settings;
  if (const YAML::Node volume = node["volume"]) {
    double value = -1;
    if (!volume.IsScalar() || !YAML::convert<double>::decode(volume, value) || value < 0 ||
        value > 1) {
      Fail(volume, "'" + name + ".volume' must be a number from 0 to 1");
    }
    settings.volume = static_cast<float>(value);
  }
  if (const YAML::Node url = node["bgm_url"]) settings.bgm_url = ReadString(url, name + ".bgm_url");
  if (const YAML::Node url = node["venue_asset_url"]) {
    settings.venue_asset_url = ReadString(url, name + ".venue_asset_url");
  }
  return settings;
}

// The keys a room and the created-room template share.
void ReadRoomBody(const YAML::Node& node, const std::string& name, RoomConfig* room) {
  if (const YAML::Node capacity = node["capacity"]) {
    room->capacity = ReadUnsigned(capacity, name + ".capacity", 0);
  }
  if (const YAML::Node settings = node["settings"]) {
    room->settings = ReadSettings(settings, name + ".settings");
  }
}

RoomConfig ReadRoom(const YAML::Node& node, size_t index) {
  const std::string name = "rooms[" + std::to_string(index) + "]";
  RequireKeys(
      node, name,
      {"id", "kind", "capacity", "settings", "performers", "hosts", "moderators", "owners"});
  RoomConfig room;
  if (!node["id"]) Fail(node, "'" + name + ".id' is missing");
  room.id = ReadString(node["id"], name + ".id");
  if (!IsValidRoomId(room.id)) {
    Fail(node["id"],
         "room id '" + room.id + "' must be 1 to 128 letters, digits, ':', '_', '-' or '.'");
  }
  if (!node["kind"]) Fail(node, "'" + name + ".kind' is missing (event or world)");
  room.kind = ReadKind(node["kind"], name + ".kind");
  ReadRoomBody(node, name, &room);
  const std::pair<const char*, Role> lists[] = {{"performers", Role::kPerformer},
                                                {"hosts", Role::kHost},
                                                {"moderators", Role::kModerator},
                                                {"owners", Role::kOwner}};
  for (const auto& [key, role] : lists) {
    const YAML::Node list = node[key];
    if (!list) continue;
    for (const std::string& user : ReadStringList(list, name + "." + key)) {
      if (!room.cast.emplace(user, role).second) {
        Fail(list, "user '" + user + "' has two roles in room '" + room.id + "'");
      }
    }
  }
  return room;
}

std::vector<std::string> ReadConflate(const YAML::Node& node) {
  std::vector<std::string> filters;
  for (const std::string& item : ReadStringList(node, "conflate")) {
    if (MemberClassNamed(item)) {
      filters.push_back("rooms/+/" + item + "/+");
    } else if (item.substr(0, kRoomsPrefix.size()) == kRoomsPrefix) {
      filters.push_back(item);  // the broker checks the filter's syntax
    } else {
      Fail(node,
           "'conflate' entries are pose, track, voice, emote or a filter under rooms/, not '" +
               item + "'");
    }
  }
  return filters;
}

void ReadSource(const YAML::Node& root, RoomsConfig* config) {
  if (const YAML::Node source = root["source"]) {
    const std::string value = ReadString(source, "source");
    if (value != "config" && value != "adapter") {
      Fail(source, "'source' must be config or adapter, not '" + value + "'");
    }
    config->source = value == "adapter" ? SourceKind::kAdapter : SourceKind::kConfig;
  }
  if (const YAML::Node adapter = root["adapter"]) config->adapter = ReadString(adapter, "adapter");
  if (const YAML::Node deadline = root["deadline_ms"]) {
    config->deadline_ms = ReadUnsigned(deadline, "deadline_ms", 10, 60'000);
  }
  if (const YAML::Node after = root["unwatch_after_ms"]) {
    config->unwatch_after_ms = ReadUnsigned(after, "unwatch_after_ms", 100, 86'400'000);
  }
  if (config->source != SourceKind::kAdapter) return;
  if (config->adapter.empty()) {
    Fail(root, "'adapter' (host:port of plaza-adapter) is required with source: adapter");
  }
  if (root["rooms"] || root["unknown_rooms"] || root["created_rooms"]) {
    Fail(root,
         "'rooms', 'unknown_rooms' and 'created_rooms' are not used with source: adapter "
         "(the adapter says which rooms exist)");
  }
}

}  // namespace

std::string_view KindName(RoomKind kind) { return kind == RoomKind::kEvent ? "event" : "world"; }

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAudience:
      return "audience";
    case Role::kPerformer:
      return "performer";
    case Role::kHost:
      return "host";
    case Role::kModerator:
      return "moderator";
    case Role::kPeer:
      return "peer";
    case Role::kOwner:
      return "owner";
  }
  return "audience";
}

bool IsStage(Role role) {
  return role == Role::kPerformer || role == Role::kHost || role == Role::kModerator ||
         role == Role::kOwner;
}

Role RoleIn(const RoomConfig& room, std::string_view user_id) {
  const auto it = room.cast.find(std::string(user_id));
  if (it != room.cast.end()) return it->second;
  return room.kind == RoomKind::kEvent ? Role::kAudience : Role::kPeer;
}

RoomsConfig ParseRoomsConfig(std::string_view yaml) {
  RoomsConfig config;
  YAML::Node loaded;
  try {
    loaded = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(std::string("rooms config: not valid YAML: ") + e.what());
  }
  const YAML::Node& root = loaded;
  if (!root.IsDefined() || root.IsNull()) return config;
  RequireKeys(
      root, "config",
      {"source", "adapter", "deadline_ms", "unwatch_after_ms", "rooms", "unknown_rooms",
       "created_rooms", "users", "grace_period_ms", "event_policy", "conflate", "payload_format",
       "snapshot_interval_ms", "metrics_interval_ms", "max_metric_rooms"});
  std::set<std::string> ids;
  if (const YAML::Node rooms = root["rooms"]) {
    if (!rooms.IsSequence()) Fail(rooms, "'rooms' must be a list");
    for (size_t i = 0; i < rooms.size(); ++i) {
      RoomConfig room = ReadRoom(rooms[i], i);
      if (!ids.insert(room.id).second) Fail(rooms[i], "room '" + room.id + "' is listed twice");
      config.rooms.push_back(std::move(room));
    }
  }
  if (const YAML::Node unknown = root["unknown_rooms"]) {
    const std::string value = ReadString(unknown, "unknown_rooms");
    if (value != "refuse" && value != "create") {
      Fail(unknown, "'unknown_rooms' must be refuse or create, not '" + value + "'");
    }
    config.create_unknown_rooms = value == "create";
  }
  if (const YAML::Node created = root["created_rooms"]) {
    RequireKeys(created, "created_rooms", {"capacity", "settings"});
    ReadRoomBody(created, "created_rooms", &config.created_room_template);
  }
  if (const YAML::Node users = root["users"]) {
    RequireMap(users, "users");
    for (const auto& entry : users) {
      const std::string username = entry.first.as<std::string>();
      const std::string name = "users." + username;
      RequireKeys(entry.second, name, {"user_id", "display_name"});
      UserEntry user;
      user.user_id = entry.second["user_id"]
                         ? ReadString(entry.second["user_id"], name + ".user_id")
                         : username;
      if (user.user_id.empty()) Fail(entry.second, "'" + name + ".user_id' is empty");
      user.display_name = entry.second["display_name"]
                              ? ReadString(entry.second["display_name"], name + ".display_name")
                              : user.user_id;
      config.users.emplace(username, std::move(user));
    }
  }
  if (const YAML::Node grace = root["grace_period_ms"]) {
    config.grace_period_ms = ReadUnsigned(grace, "grace_period_ms", 0, 3'600'000);
  }
  if (const YAML::Node policy = root["event_policy"]) {
    RequireKeys(policy, "event_policy", {"neighbourhood_size"});
    if (const YAML::Node size = policy["neighbourhood_size"]) {
      config.neighbourhood_size = ReadUnsigned(size, "event_policy.neighbourhood_size", 1);
    }
  }
  if (const YAML::Node conflate = root["conflate"])
    config.conflate_filters = ReadConflate(conflate);
  if (const YAML::Node format = root["payload_format"]) {
    const std::string value = ReadString(format, "payload_format");
    if (value != "protobuf" && value != "json") {
      Fail(format, "'payload_format' must be protobuf or json, not '" + value + "'");
    }
    config.payload_format = value == "json" ? PayloadFormat::kJson : PayloadFormat::kProtobuf;
  }
  if (const YAML::Node interval = root["snapshot_interval_ms"]) {
    config.snapshot_interval_ms = ReadUnsigned(interval, "snapshot_interval_ms", 0, 600'000);
  }
  if (const YAML::Node interval = root["metrics_interval_ms"]) {
    config.metrics_interval_ms = ReadUnsigned(interval, "metrics_interval_ms", 100, 600'000);
  }
  if (const YAML::Node max = root["max_metric_rooms"]) {
    config.max_metric_rooms = ReadUnsigned(max, "max_metric_rooms", 1, 100'000);
  }
  ReadSource(root, &config);
  return config;
}

}  // namespace plaza::rooms
