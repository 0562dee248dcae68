// The ownership plugin's configuration (its `config:` subtree in the
// broker's YAML; config/ownership.yaml is a commented example), parsed and
// checked once so the hooks only read plain fields. A bad value is refused
// with an error naming the key, never half-applied.
#ifndef PLAZA_PLUGINS_OWNERSHIP_SETTINGS_H_
#define PLAZA_PLUGINS_OWNERSHIP_SETTINGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace plaza::ownership {

enum class PayloadFormat { kProtobuf, kJson };

// What happens to an item whose owner leaves, disconnects or lets the lease
// run out.
enum class Fallback {
  kFree,            // nobody owns it
  kLongestPresent,  // the room's member present the longest takes it
};

// Items that always share one owner and one epoch.
struct Group {
  std::optional<std::string> room;  // only in this room; every room if absent
  std::vector<std::string> items;
};

struct Settings {
  PayloadFormat payload_format = PayloadFormat::kProtobuf;
  Fallback fallback = Fallback::kFree;
  // An owner that sends no state update (nor a claim) for this long loses
  // the item; 0 turns leases off.
  uint32_t lease_ms = 0;
  // Claim, release and transfer requests per item (per group) and second;
  // 0 turns the limit off. `rate_burst` requests may come at once.
  double rate_per_second = 0;
  double rate_burst = 0;
  // Distinct item ids a room may hold, so clients cannot grow the broker
  // without bound by claiming made-up items.
  size_t max_items_per_room = 1024;
  std::vector<Group> groups;

  // The group `item` belongs to in `room`, or nullptr.
  const Group* GroupOf(std::string_view room, std::string_view item) const;

  // Builds the lookup behind GroupOf; Parse calls it.
  void Index();

 private:
  // item id -> indexes into groups (one per room it is configured for).
  std::unordered_map<std::string, std::vector<size_t>> group_index_;
};

// Parses the plugin's YAML. Throws std::invalid_argument with a message
// naming the bad key or value.
Settings ParseSettings(std::string_view yaml);

// Item and room ids as docs/protocol.md allows them.
bool IsValidRoomId(std::string_view room);
bool IsValidItemId(std::string_view item);

}  // namespace plaza::ownership

#endif  // PLAZA_PLUGINS_OWNERSHIP_SETTINGS_H_
