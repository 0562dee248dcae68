// Every room and the rooms of each connection; see room_registry.h.
#include "room_registry.h"

#include <algorithm>

namespace plaza::rooms {

Room* RoomRegistry::Find(std::string_view id) {
  const auto it = rooms_.find(id);
  return it == rooms_.end() ? nullptr : it->second.get();
}

Room& RoomRegistry::Add(RoomConfig config) {
  if (Room* known = Find(config.id)) return *known;
  std::string id = config.id;
  auto room = std::make_unique<Room>(std::move(config), neighbourhood_size_);
  Room& ref = *room;
  rooms_.emplace(std::move(id), std::move(room));
  return ref;
}

JoinResult RoomRegistry::Join(Room& room, const Connection& connection, const Identity& identity,
                              int64_t now_ms, std::optional<Role> role) {
  JoinResult result = room.Join(connection, identity, now_ms, role);
  if (result.outcome == JoinOutcome::kJoined || result.outcome == JoinOutcome::kRejoined) {
    Attach(connection.handle, &room);
  }
  if (result.displaced) Detach(result.displaced->handle, &room);
  return result;
}

std::optional<Member> RoomRegistry::Leave(Room& room, uint64_t handle) {
  std::optional<Member> left = room.Leave(handle);
  if (left) Detach(handle, &room);
  return left;
}

std::vector<Departure> RoomRegistry::LeaveAll(uint64_t handle) {
  std::vector<Departure> out;
  const auto it = rooms_of_.find(handle);
  if (it == rooms_of_.end()) return out;
  const std::vector<Room*> rooms = std::move(it->second);
  rooms_of_.erase(it);
  for (Room* room : rooms) {
    if (std::optional<Member> left = room->Leave(handle)) out.push_back({room, std::move(*left)});
  }
  return out;
}

std::vector<Room*> RoomRegistry::DropAll(uint64_t handle, int64_t until_ms) {
  std::vector<Room*> out;
  const auto it = rooms_of_.find(handle);
  if (it == rooms_of_.end()) return out;
  const std::vector<Room*> rooms = std::move(it->second);
  rooms_of_.erase(it);
  for (Room* room : rooms) {
    if (room->Drop(handle, until_ms)) out.push_back(room);
  }
  return out;
}

std::vector<Departure> RoomRegistry::Expire(int64_t now_ms) {
  std::vector<Departure> out;
  for (auto& [id, room] : rooms_) {
    for (Member& member : room->Expire(now_ms)) out.push_back({room.get(), std::move(member)});
  }
  return out;
}

void RoomRegistry::ForEach(const std::function<void(Room&)>& fn) {
  for (auto& [id, room] : rooms_) fn(*room);
}

void RoomRegistry::Attach(uint64_t handle, Room* room) {
  std::vector<Room*>& rooms = rooms_of_[handle];
  if (std::find(rooms.begin(), rooms.end(), room) == rooms.end()) rooms.push_back(room);
}

void RoomRegistry::Detach(uint64_t handle, Room* room) {
  const auto it = rooms_of_.find(handle);
  if (it == rooms_of_.end()) return;
  std::vector<Room*>& rooms = it->second;
  rooms.erase(std::remove(rooms.begin(), rooms.end(), room), rooms.end());
  if (rooms.empty()) rooms_of_.erase(it);
}

}  // namespace plaza::rooms
