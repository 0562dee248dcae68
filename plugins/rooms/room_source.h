// Where the rooms plugin learns what a room is (kind, capacity, settings,
// cast). Today from its configuration (ConfigRoomSource); with the adapter
// integration (issue #9) from the platform, as another implementation of
// this interface: lookups may then answer later, from another thread.
#ifndef PLAZA_PLUGINS_ROOMS_ROOM_SOURCE_H_
#define PLAZA_PLUGINS_ROOMS_ROOM_SOURCE_H_

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "rooms_config.h"

namespace plaza::rooms {

class RoomSource {
 public:
  using Found = std::function<void(std::optional<RoomConfig>)>;
  // The plugin destroys its source before anything else: no `found` may
  // run once the destructor has returned.
  virtual ~RoomSource() = default;
  // The rooms known at start: their settings are published at once.
  virtual std::vector<RoomConfig> Initial() const = 0;
  // A room the plugin does not know yet. Calls `found` exactly once, with
  // the room or nullopt (no such room: the join is refused), either before
  // returning or later from any thread. Runs on a worker: must not block.
  virtual void Lookup(std::string_view room_id, Found found) = 0;
};

// The rooms of the plugin's configuration; unknown rooms are refused, or
// created as worlds from the configured template.
class ConfigRoomSource final : public RoomSource {
 public:
  explicit ConfigRoomSource(const RoomsConfig& config)
      : rooms_(config.rooms),
        create_unknown_(config.create_unknown_rooms),
        template_(config.created_room_template) {}

  std::vector<RoomConfig> Initial() const override { return rooms_; }
  void Lookup(std::string_view room_id, Found found) override;

 private:
  const std::vector<RoomConfig> rooms_;
  const bool create_unknown_;
  const RoomConfig template_;
};

}  // namespace plaza::rooms

#endif  // PLAZA_PLUGINS_ROOMS_ROOM_SOURCE_H_
