// The ownership model's rules (see ownership_model.h). Every change of owner
// goes through SetOwner, which raises the epoch and tells the sink, under
// the room's write lock.
#include "ownership_model.h"

#include <algorithm>
#include <tuple>

namespace plaza::ownership {

OwnershipModel::OwnershipModel(std::shared_ptr<const Settings> settings, Clock clock,
                               OwnerSink* sink)
    : clock_(std::move(clock)), sink_(sink), settings_(std::move(settings)) {}

void OwnershipModel::SetSettings(std::shared_ptr<const Settings> settings) {
  std::lock_guard lock(settings_mutex_);
  settings_ = std::move(settings);
}

std::shared_ptr<const Settings> OwnershipModel::settings() const {
  std::lock_guard lock(settings_mutex_);
  return settings_;
}

OwnershipModel::Room* OwnershipModel::FindRoom(std::string_view room) const {
  std::shared_lock lock(rooms_mutex_);
  const auto it = rooms_.find(room);
  return it == rooms_.end() ? nullptr : it->second.get();
}

OwnershipModel::Room* OwnershipModel::FindOrAddRoom(std::string_view room) {
  if (Room* found = FindRoom(room)) return found;
  std::unique_lock lock(rooms_mutex_);
  auto [it, added] = rooms_.try_emplace(std::string(room), nullptr);
  if (added) it->second = std::make_unique<Room>(std::string(room));
  return it->second.get();
}

OwnershipModel::Slot* OwnershipModel::SlotFor(Room& room, std::string_view item,
                                              const Settings& settings, Outcome* refusal) {
  if (const auto it = room.slots.find(item); it != room.slots.end()) return it->second;
  auto slot = std::make_unique<Slot>();
  if (const Group* group = settings.GroupOf(room.id, item)) {
    // Items of the group already seen keep their slot (only possible when a
    // reload changed the groups).
    for (const std::string& member : group->items) {
      if (room.slots.count(member) == 0) slot->items.push_back(member);
    }
    slot->grouped = slot->items.size() > 1;
  } else {
    slot->items.emplace_back(item);
  }
  if (room.slots.size() + slot->items.size() > settings.max_items_per_room) {
    *refusal = {Result::kTooManyItems,
                "the room holds " + std::to_string(room.slots.size()) + " items already"};
    return nullptr;
  }
  Slot* raw = slot.get();
  for (const std::string& member : raw->items) room.slots.emplace(member, raw);
  room.owned.push_back(std::move(slot));
  return raw;
}

bool OwnershipModel::AddMember(Room& room, const Member& member) {
  auto [it, added] = room.members.try_emplace(member.handle);
  if (added) it->second = MemberEntry{member.user_id, member.joined_at_ms, room.next_seq++};
  return added;
}

void OwnershipModel::RememberRoomOf(ClientHandle handle, Room* room) {
  std::lock_guard lock(clients_mutex_);
  std::vector<Room*>& rooms = rooms_of_[handle];
  if (std::find(rooms.begin(), rooms.end(), room) == rooms.end()) rooms.push_back(room);
}

void OwnershipModel::SetOwner(Room& room, Slot& slot, ClientHandle owner, const std::string& user,
                              ChangeKind kind) {
  const int64_t change = (owner != 0 ? 1 : 0) - (slot.owner != 0 ? 1 : 0);
  items_owned_.fetch_add(change * static_cast<int64_t>(slot.items.size()),
                         std::memory_order_relaxed);
  slot.owner = owner;
  slot.owner_user = owner != 0 ? user : std::string();
  ++slot.epoch;
  slot.last_activity_ms.store(clock_(), std::memory_order_relaxed);
  if (sink_ == nullptr) return;
  for (const std::string& item : slot.items) {
    OwnerChange out;
    out.room_id = room.id;
    out.item_id = item;
    out.owner_user_id = slot.owner_user;
    out.epoch = slot.epoch;
    out.kind = kind;
    if (slot.grouped) out.group = slot.items;
    sink_->OnOwnerChanged(std::move(out));
  }
}

const std::pair<const ClientHandle, OwnershipModel::MemberEntry>* OwnershipModel::LongestPresent(
    const Room& room, ClientHandle except, std::optional<std::string_view> user_id) const {
  const std::pair<const ClientHandle, MemberEntry>* best = nullptr;
  for (const auto& entry : room.members) {
    if (entry.first == except) continue;
    if (user_id && entry.second.user_id != *user_id) continue;
    if (best == nullptr || std::tie(entry.second.joined_at_ms, entry.second.seq) <
                               std::tie(best->second.joined_at_ms, best->second.seq)) {
      best = &entry;
    }
  }
  return best;
}

void OwnershipModel::EndOwnership(Room& room, Slot& slot, ChangeKind kind,
                                  const Settings& settings) {
  if (settings.fallback == Fallback::kLongestPresent) {
    if (const auto* heir = LongestPresent(room, slot.owner, std::nullopt)) {
      SetOwner(room, slot, heir->first, heir->second.user_id, kind);
      return;
    }
  }
  SetOwner(room, slot, 0, std::string(), kind);
}

void OwnershipModel::EndOwnershipsOf(Room& room, ClientHandle handle, const Settings& settings) {
  for (const auto& slot : room.owned) {
    if (slot->owner == handle) EndOwnership(room, *slot, ChangeKind::kOwnerLeft, settings);
  }
}

bool OwnershipModel::Admit(Slot& slot, const Settings& settings, uint64_t expected_epoch,
                           Outcome* refusal) {
  if (!slot.bucket.Take(clock_(), settings.rate_per_second, settings.rate_burst)) {
    *refusal = {Result::kRateLimited, "too many requests for this item"};
    return false;
  }
  if (expected_epoch != 0 && expected_epoch != slot.epoch) {
    *refusal = {Result::kStaleEpoch,
                "stale epoch: the item is at epoch " + std::to_string(slot.epoch)};
    return false;
  }
  return true;
}

Outcome OwnershipModel::Claim(std::string_view room_id, std::string_view item,
                              const Member& requester, uint64_t expected_epoch) {
  const std::shared_ptr<const Settings> settings = this->settings();
  Room* room = FindOrAddRoom(room_id);
  Outcome outcome;
  bool new_member = false;
  {
    std::unique_lock lock(room->mutex);
    new_member = AddMember(*room, requester);
    Slot* slot = SlotFor(*room, item, *settings, &outcome);
    if (slot != nullptr && Admit(*slot, *settings, expected_epoch, &outcome)) {
      if (slot->owner == requester.handle) {
        slot->last_activity_ms.store(clock_(), std::memory_order_relaxed);
        outcome.detail = "already yours";
      } else if (slot->owner != 0) {
        outcome = {Result::kHeld,
                   "held by " + slot->owner_user + " at epoch " + std::to_string(slot->epoch)};
      } else {
        SetOwner(*room, *slot, requester.handle, requester.user_id, ChangeKind::kClaimed);
      }
    }
  }
  if (new_member) RememberRoomOf(requester.handle, room);
  return outcome;
}

Outcome OwnershipModel::ForOwner(std::string_view room_id, std::string_view item,
                                 ClientHandle requester, uint64_t expected_epoch,
                                 const std::function<Outcome(Room&, Slot&)>& op) {
  const std::shared_ptr<const Settings> settings = this->settings();
  Room* room = FindRoom(room_id);
  if (room == nullptr) return {Result::kNotOwner, "nobody owns it"};
  std::unique_lock lock(room->mutex);
  const auto it = room->slots.find(item);
  if (it == room->slots.end()) return {Result::kNotOwner, "nobody owns it"};
  Slot& slot = *it->second;
  Outcome outcome;
  if (!Admit(slot, *settings, expected_epoch, &outcome)) return outcome;
  if (slot.owner != requester) return {Result::kNotOwner, "you do not own it"};
  return op(*room, slot);
}

Outcome OwnershipModel::Release(std::string_view room_id, std::string_view item,
                                ClientHandle requester, uint64_t expected_epoch) {
  return ForOwner(room_id, item, requester, expected_epoch, [this](Room& room, Slot& slot) {
    SetOwner(room, slot, 0, std::string(), ChangeKind::kReleased);
    return Outcome{};
  });
}

Outcome OwnershipModel::Transfer(std::string_view room_id, std::string_view item,
                                 ClientHandle requester, std::string_view to_user_id,
                                 uint64_t expected_epoch) {
  return ForOwner(room_id, item, requester, expected_epoch, [&](Room& room, Slot& slot) {
    // The recipient's connection present the longest (the requester's own
    // counts too: a transfer to oneself changes nothing).
    const auto* heir = LongestPresent(room, 0, to_user_id);
    if (heir == nullptr) {
      return Outcome{Result::kNoSuchMember, "'" + std::string(to_user_id) + "' is not in the room"};
    }
    if (heir->first != requester) {
      SetOwner(room, slot, heir->first, heir->second.user_id, ChangeKind::kTransferred);
    }
    return Outcome{};
  });
}

StateCheck OwnershipModel::CheckState(std::string_view room_id, std::string_view item,
                                      uint64_t epoch, ClientHandle publisher) const {
  const Room* room = FindRoom(room_id);
  if (room == nullptr) return StateCheck::kNotOwner;
  std::shared_lock lock(room->mutex);
  const auto it = room->slots.find(item);
  if (it == room->slots.end()) return StateCheck::kNotOwner;
  const Slot& slot = *it->second;
  if (epoch != slot.epoch) return StateCheck::kStaleEpoch;
  if (slot.owner == 0 || slot.owner != publisher) return StateCheck::kNotOwner;
  slot.last_activity_ms.store(clock_(), std::memory_order_relaxed);
  return StateCheck::kAccepted;
}

void OwnershipModel::Join(std::string_view room_id, const Member& member) {
  Room* room = FindOrAddRoom(room_id);
  bool added;
  {
    std::unique_lock lock(room->mutex);
    added = AddMember(*room, member);
  }
  if (added) RememberRoomOf(member.handle, room);
}

void OwnershipModel::Leave(std::string_view room_id, ClientHandle handle) {
  Room* room = FindRoom(room_id);
  if (room == nullptr) return;
  const std::shared_ptr<const Settings> settings = this->settings();
  {
    std::unique_lock lock(room->mutex);
    room->members.erase(handle);
    EndOwnershipsOf(*room, handle, *settings);
  }
  std::lock_guard lock(clients_mutex_);
  const auto it = rooms_of_.find(handle);
  if (it == rooms_of_.end()) return;
  std::vector<Room*>& rooms = it->second;
  rooms.erase(std::remove(rooms.begin(), rooms.end(), room), rooms.end());
  if (rooms.empty()) rooms_of_.erase(it);
}

void OwnershipModel::Disconnect(ClientHandle handle) {
  std::vector<Room*> rooms;
  {
    std::lock_guard lock(clients_mutex_);
    const auto it = rooms_of_.find(handle);
    if (it == rooms_of_.end()) return;
    rooms = std::move(it->second);
    rooms_of_.erase(it);
  }
  const std::shared_ptr<const Settings> settings = this->settings();
  for (Room* room : rooms) {
    std::unique_lock lock(room->mutex);
    room->members.erase(handle);
    EndOwnershipsOf(*room, handle, *settings);
  }
}

size_t OwnershipModel::ExpireLeases() {
  const std::shared_ptr<const Settings> settings = this->settings();
  if (settings->lease_ms == 0) return 0;
  std::vector<Room*> rooms;
  {
    std::shared_lock lock(rooms_mutex_);
    rooms.reserve(rooms_.size());
    for (const auto& entry : rooms_) rooms.push_back(entry.second.get());
  }
  const auto expired = [&](const Slot& slot) {
    return slot.owner != 0 &&
           clock_() - slot.last_activity_ms.load(std::memory_order_relaxed) >= settings->lease_ms;
  };
  size_t count = 0;
  for (Room* room : rooms) {
    {
      // Most rooms have nothing due: look with the read lock first.
      std::shared_lock lock(room->mutex);
      if (std::none_of(room->owned.begin(), room->owned.end(),
                       [&](const auto& slot) { return expired(*slot); })) {
        continue;
      }
    }
    std::unique_lock lock(room->mutex);
    for (const auto& slot : room->owned) {
      if (!expired(*slot)) continue;
      EndOwnership(*room, *slot, ChangeKind::kLeaseExpired, *settings);
      ++count;
    }
  }
  return count;
}

std::optional<OwnershipModel::OwnerState> OwnershipModel::Owner(std::string_view room_id,
                                                                std::string_view item) const {
  const Room* room = FindRoom(room_id);
  if (room == nullptr) return std::nullopt;
  std::shared_lock lock(room->mutex);
  const auto it = room->slots.find(item);
  if (it == room->slots.end()) return std::nullopt;
  return OwnerState{it->second->owner, it->second->owner_user, it->second->epoch};
}

}  // namespace plaza::ownership
