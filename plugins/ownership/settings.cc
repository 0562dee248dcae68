// Parsing and checking of the ownership plugin's YAML (see settings.h).
#include "settings.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <initializer_list>
#include <set>
#include <stdexcept>
#include <utility>

namespace plaza::ownership {
namespace {

bool IsIdChar(char c, bool allow_colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || (allow_colon && c == ':');
}

bool IsValidId(std::string_view id, bool allow_colon) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!IsIdChar(c, allow_colon)) return false;
  }
  return true;
}

[[noreturn]] void Fail(const std::string& what) {
  throw std::invalid_argument("ownership config: " + what);
}

template <typename T>
T Read(const YAML::Node& node, const std::string& key) {
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    Fail("'" + key + "' has a bad value (line " + std::to_string(node.Mark().line + 1) + ")");
  }
}

// One of a few words, each standing for a value.
template <typename E>
E ReadChoice(const YAML::Node& node, const std::string& key,
             std::initializer_list<std::pair<std::string_view, E>> choices) {
  const std::string word = Read<std::string>(node, key);
  std::string names;
  for (const auto& [name, value] : choices) {
    if (name == word) return value;
    names += (names.empty() ? "" : " or ") + std::string(name);
  }
  Fail("'" + key + "' must be " + names + ", not '" + word + "'");
}

void CheckKeys(const YAML::Node& map, const std::set<std::string>& known,
               const std::string& where) {
  for (const auto& entry : map) {
    const std::string key = entry.first.as<std::string>();
    if (known.count(key) == 0) Fail("unknown key '" + key + "' in " + where);
  }
}

void ParseRateLimit(const YAML::Node& node, Settings* settings) {
  if (!node.IsMap()) Fail("'rate_limit' must be a map {ops_per_second, burst}");
  CheckKeys(node, {"ops_per_second", "burst"}, "rate_limit");
  if (node["ops_per_second"]) {
    settings->rate_per_second = Read<double>(node["ops_per_second"], "rate_limit.ops_per_second");
  }
  settings->rate_burst = settings->rate_per_second;
  if (node["burst"]) settings->rate_burst = Read<double>(node["burst"], "rate_limit.burst");
  if (!std::isfinite(settings->rate_per_second) || settings->rate_per_second < 0) {
    Fail("'rate_limit.ops_per_second' must be 0 (off) or positive");
  }
  if (!std::isfinite(settings->rate_burst) ||
      (settings->rate_per_second > 0 && settings->rate_burst < 1)) {
    Fail("'rate_limit.burst' must be at least 1");
  }
}

void ParseGroups(const YAML::Node& node, Settings* settings) {
  if (!node.IsSequence()) Fail("'groups' must be a list of {items: [...], room: ...}");
  for (const YAML::Node& entry : node) {
    if (!entry.IsMap()) Fail("every entry of 'groups' must be a map");
    CheckKeys(entry, {"items", "room"}, "a group");
    Group group;
    if (entry["room"]) {
      group.room = Read<std::string>(entry["room"], "groups.room");
      if (!IsValidRoomId(*group.room)) Fail("bad room id '" + *group.room + "' in a group");
    }
    if (!entry["items"] || !entry["items"].IsSequence()) Fail("a group needs a list 'items'");
    std::set<std::string> seen;
    for (const YAML::Node& item : entry["items"]) {
      const std::string id = Read<std::string>(item, "groups.items");
      if (!IsValidItemId(id)) Fail("bad item id '" + id + "' in a group");
      if (!seen.insert(id).second) Fail("item '" + id + "' is listed twice in one group");
      group.items.push_back(id);
    }
    if (group.items.size() < 2) Fail("a group needs at least two items");
    settings->groups.push_back(std::move(group));
  }
}

}  // namespace

bool IsValidRoomId(std::string_view room) { return IsValidId(room, true); }
bool IsValidItemId(std::string_view item) { return IsValidId(item, false); }

const Group* Settings::GroupOf(std::string_view room, std::string_view item) const {
  const auto it = group_index_.find(std::string(item));
  if (it == group_index_.end()) return nullptr;
  const Group* any_room = nullptr;
  for (size_t index : it->second) {
    const Group& group = groups[index];
    if (!group.room) {
      any_room = &group;
    } else if (*group.room == room) {
      return &group;  // a room's own group wins over one for every room
    }
  }
  return any_room;
}

void Settings::Index() {
  group_index_.clear();
  for (size_t i = 0; i < groups.size(); ++i) {
    for (const std::string& item : groups[i].items) {
      std::vector<size_t>& indexes = group_index_[item];
      for (size_t other : indexes) {
        if (groups[other].room == groups[i].room) {
          Fail("item '" + item + "' is in two groups for the same room");
        }
      }
      indexes.push_back(i);
    }
  }
}

Settings ParseSettings(std::string_view yaml) {
  Settings settings;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    Fail(std::string("not valid YAML: ") + e.what());
  }
  if (!root.IsDefined() || root.IsNull()) {
    settings.Index();
    return settings;
  }
  if (!root.IsMap()) Fail("expected a map of settings");
  CheckKeys(
      root,
      {"payload_format", "fallback", "lease_ms", "rate_limit", "max_items_per_room", "groups"},
      "the configuration");
  if (root["payload_format"]) {
    settings.payload_format = ReadChoice<PayloadFormat>(
        root["payload_format"], "payload_format",
        {{"protobuf", PayloadFormat::kProtobuf}, {"json", PayloadFormat::kJson}});
  }
  if (root["fallback"]) {
    settings.fallback = ReadChoice<Fallback>(
        root["fallback"], "fallback",
        {{"free", Fallback::kFree}, {"longest_present", Fallback::kLongestPresent}});
  }
  if (root["lease_ms"]) {
    const int64_t lease = Read<int64_t>(root["lease_ms"], "lease_ms");
    if (lease < 0 || lease > 86'400'000) Fail("'lease_ms' must be 0 (off) to 86400000");
    settings.lease_ms = static_cast<uint32_t>(lease);
  }
  if (root["rate_limit"]) ParseRateLimit(root["rate_limit"], &settings);
  if (root["max_items_per_room"]) {
    const int64_t max = Read<int64_t>(root["max_items_per_room"], "max_items_per_room");
    if (max < 1 || max > 1'000'000) Fail("'max_items_per_room' must be 1 to 1000000");
    settings.max_items_per_room = static_cast<size_t>(max);
  }
  if (root["groups"]) ParseGroups(root["groups"], &settings);
  settings.Index();
  for (const Group& group : settings.groups) {
    if (group.items.size() > settings.max_items_per_room) {
      Fail("a group has more items than 'max_items_per_room'");
    }
  }
  return settings;
}

}  // namespace plaza::ownership
