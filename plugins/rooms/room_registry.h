// Every room the plugin knows, and which rooms each live connection is a
// member of (so a disconnect finds its rooms without a scan). Pure logic
// like Room: the caller holds the lock and passes the time.
#ifndef PLAZA_PLUGINS_ROOMS_ROOM_REGISTRY_H_
#define PLAZA_PLUGINS_ROOMS_ROOM_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "room.h"

namespace plaza::rooms {

// A member who left (or whose grace period ended), with their room.
struct Departure {
  Room* room = nullptr;
  Member member;
};

class RoomRegistry {
 public:
  explicit RoomRegistry(uint32_t neighbourhood_size) : neighbourhood_size_(neighbourhood_size) {}

  Room* Find(std::string_view id);
  // Adds the room, or returns the one already known by that id.
  Room& Add(RoomConfig config);

  JoinResult Join(Room& room, const Connection& connection, const Identity& identity,
                  int64_t now_ms, std::optional<Role> role = std::nullopt);
  std::optional<Member> Leave(Room& room, uint64_t handle);
  // The connection is gone and said goodbye (or was kicked): its members
  // leave every room at once.
  std::vector<Departure> LeaveAll(uint64_t handle);
  // The connection dropped: its members wait for a rejoin until `until_ms`.
  // The rooms where it held one.
  std::vector<Room*> DropAll(uint64_t handle, int64_t until_ms);
  // Every member whose grace period is over at `now_ms`, removed.
  std::vector<Departure> Expire(int64_t now_ms);

  void ForEach(const std::function<void(Room&)>& fn);
  size_t room_count() const { return rooms_.size(); }

 private:
  void Attach(uint64_t handle, Room* room);
  void Detach(uint64_t handle, Room* room);

  uint32_t neighbourhood_size_;
  std::map<std::string, std::unique_ptr<Room>, std::less<>> rooms_;
  std::unordered_map<uint64_t, std::vector<Room*>> rooms_of_;  // live connection -> rooms
};

}  // namespace plaza::rooms

#endif  // PLAZA_PLUGINS_ROOMS_ROOM_REGISTRY_H_
