// Where the rooms plugin learns what a room is (kind, capacity, settings,
// cast) and which role a joining user has in it: from its configuration
// (ConfigRoomSource, below) or from plaza-adapter (AdapterRoomSource, in
// adapter_room_source.h, built with the adapter). Answers may come later,
// from another thread, so no worker ever waits for the network; a source
// that follows rooms tells the plugin when one of them changes.
#ifndef PLAZA_PLUGINS_ROOMS_ROOM_SOURCE_H_
#define PLAZA_PLUGINS_ROOMS_ROOM_SOURCE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rooms_config.h"

namespace plaza::rooms {

// Why the source refuses a room or a join: the MQTT reason code of the
// join's answer and the reason given in its Reply.
struct Refusal {
  uint8_t reason_code = 0;
  std::string reason;
};

// The source's word on a user joining a room.
struct Admission {
  std::optional<Refusal> refusal;  // set: the join is refused
  std::optional<Role> role;        // unset: the room's default (its cast, else the kind's)
};

class RoomSource {
 public:
  using Found = std::function<void(std::variant<RoomConfig, Refusal>)>;
  using Admitted = std::function<void(Admission)>;
  using Changed = std::function<void(RoomConfig)>;

  // The plugin destroys its source before anything else: no callback may
  // run once the destructor has returned.
  virtual ~RoomSource() = default;
  // The rooms known at start: their settings are published at once.
  virtual std::vector<RoomConfig> Initial() const = 0;
  // A room the plugin does not know yet (or no longer trusts, see Stale).
  // Calls `found` exactly once, with the room or why there is none, either
  // before returning or later from any thread. Runs on a worker: must not
  // block.
  virtual void Lookup(std::string_view room_id, Found found) = 0;
  // Whether `user_id` may join `room_id` and with which role. Calls `done`
  // exactly once, before returning or later from any thread. The default
  // admits everyone with the room's default role.
  virtual void AuthorizeJoin(const std::string& user_id, const std::string& room_id,
                             Admitted done) {
    (void)user_id;
    (void)room_id;
    done(Admission{});
  }

  // Following rooms, for a source whose rooms change while they run. The
  // plugin sets the listener once, before any Follow; it may be called from
  // any thread, never with a lock of the source held.
  virtual void SetChangeListener(Changed changed) { (void)changed; }
  // The plugin runs this room now: tell the listener about its changes.
  virtual void Follow(const std::string& room_id) { (void)room_id; }
  // The room has been empty for a while: stop following it.
  virtual void Unfollow(const std::string& room_id) { (void)room_id; }
  // True when what the plugin knows of a room it runs may be out of date
  // (the source does not follow it, or lost track of it): the next join
  // looks it up again.
  virtual bool Stale(std::string_view room_id) const {
    (void)room_id;
    return false;
  }
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
