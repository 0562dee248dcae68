// One room's membership; see room.h.
#include "room.h"

#include <algorithm>

namespace plaza::rooms {

Room::Room(RoomConfig config, uint32_t neighbourhood_size)
    : config_(std::move(config)), neighbourhood_size_(std::max<uint32_t>(neighbourhood_size, 1)) {}

void Room::Reconfigure(RoomConfig config) {
  config.id = config_.id;
  config_ = std::move(config);
}

JoinResult Room::Join(const Connection& connection, const Identity& identity, int64_t now_ms,
                      std::optional<Role> given_role) {
  JoinResult result;
  if (const auto held = by_handle_.find(connection.handle);
      held != by_handle_.end() && held->second != identity.user_id) {
    result.outcome = JoinOutcome::kConflict;
    return result;
  }
  auto it = members_.find(identity.user_id);
  if (it != members_.end()) {
    Member& member = it->second;
    if (member.handle == connection.handle) {
      result.outcome = JoinOutcome::kAlreadyMember;
      result.member = member;
      return result;
    }
    // The same user again: a rejoin within the grace period, a takeover, or
    // a second device. One seat per user: the newest connection holds it.
    if (member.handle != 0) {
      result.displaced = Connection{member.handle, member.client_id};
      by_handle_.erase(member.handle);
    } else {
      --in_grace_;
    }
    if (member.client_id != connection.client_id) UnseatMember(member);
    member.handle = connection.handle;
    member.client_id = connection.client_id;
    member.grace_until_ms = 0;
    by_handle_[connection.handle] = member.user_id;
    SeatMember(member);
    result.outcome = JoinOutcome::kRejoined;
    result.member = member;
    return result;
  }
  const Role role = given_role.value_or(RoleIn(config_, identity.user_id));
  // The cast (and whoever the source put on the stage) is admitted past
  // the capacity.
  const bool cast = config_.cast.count(identity.user_id) != 0 || IsStage(role);
  if (config_.capacity != 0 && members_.size() >= config_.capacity && !cast) {
    result.outcome = JoinOutcome::kFull;
    return result;
  }
  Member member;
  member.user_id = identity.user_id;
  member.display_name = identity.display_name.empty() ? identity.user_id : identity.display_name;
  member.role = role;
  member.joined_at_ms = now_ms;
  member.order = next_order_++;
  member.group = Neighbourhoods(role) ? TakeGroupSlot() : kNoGroup;
  member.client_id = connection.client_id;
  member.handle = connection.handle;
  by_handle_[connection.handle] = member.user_id;
  SeatMember(member);
  ++version_;
  result.outcome = JoinOutcome::kJoined;
  result.member = member;
  members_.emplace(member.user_id, std::move(member));
  return result;
}

std::optional<Member> Room::Leave(uint64_t handle) {
  const auto held = by_handle_.find(handle);
  if (held == by_handle_.end()) return std::nullopt;
  const auto it = members_.find(held->second);
  if (it == members_.end()) return std::nullopt;  // not reached: the maps agree
  Member member = it->second;
  Remove(it);
  return member;
}

bool Room::Drop(uint64_t handle, int64_t until_ms) {
  const auto held = by_handle_.find(handle);
  if (held == by_handle_.end()) return false;
  const auto it = members_.find(held->second);
  by_handle_.erase(held);
  if (it == members_.end()) return false;
  // The seat stays: a takeover with the same client id is seated at once.
  it->second.handle = 0;
  ++in_grace_;
  it->second.grace_until_ms = until_ms;
  return true;
}

std::vector<Member> Room::Expire(int64_t now_ms) {
  std::vector<Member> expired;
  if (in_grace_ == 0) return expired;
  for (auto it = members_.begin(); it != members_.end();) {
    const Member& member = it->second;
    if (member.handle != 0 || member.grace_until_ms > now_ms) {
      ++it;
      continue;
    }
    expired.push_back(member);
    auto next = std::next(it);
    Remove(it);
    it = next;
  }
  std::sort(expired.begin(), expired.end(),
            [](const Member& a, const Member& b) { return a.order < b.order; });
  return expired;
}

std::optional<int64_t> Room::NextExpiry() const {
  std::optional<int64_t> next;
  for (const auto& [user, member] : members_) {
    if (member.handle != 0) continue;
    if (!next || member.grace_until_ms < *next) next = member.grace_until_ms;
  }
  return next;
}

const Member* Room::FindUser(std::string_view user_id) const {
  const auto it = members_.find(std::string(user_id));
  return it == members_.end() ? nullptr : &it->second;
}

std::vector<const Member*> Room::MembersInJoinOrder() const {
  std::vector<const Member*> out;
  out.reserve(members_.size());
  for (const auto& [user, member] : members_) out.push_back(&member);
  std::sort(out.begin(), out.end(),
            [](const Member* a, const Member* b) { return a->order < b->order; });
  return out;
}

std::vector<SeatChange> Room::TakeSeatChanges() {
  std::vector<SeatChange> out;
  out.swap(seat_changes_);
  return out;
}

uint32_t Room::TakeGroupSlot() {
  // The first neighbourhood with room: join order, with holes left by
  // leavers filled before a new neighbourhood opens.
  for (uint32_t g = 0; g < group_sizes_.size(); ++g) {
    if (group_sizes_[g] < neighbourhood_size_) {
      ++group_sizes_[g];
      return g;
    }
  }
  group_sizes_.push_back(1);
  return static_cast<uint32_t>(group_sizes_.size() - 1);
}

void Room::Remove(Members::iterator it) {
  const Member& member = it->second;
  if (member.group != kNoGroup && member.group < group_sizes_.size()) {
    --group_sizes_[member.group];
  }
  if (member.handle != 0) {
    by_handle_.erase(member.handle);
  } else {
    --in_grace_;
  }
  UnseatMember(member);
  members_.erase(it);
  ++version_;
}

void Room::SeatMember(const Member& member) {
  seat_owner_[member.client_id] = member.user_id;
  seat_changes_.push_back({member.client_id, Seat{member.group, IsStage(member.role)}});
}

void Room::UnseatMember(const Member& member) {
  // Another user may hold the client id by now (this one's grace ran out
  // after it reconnected as someone else): theirs stays.
  const auto owner = seat_owner_.find(member.client_id);
  if (owner == seat_owner_.end() || owner->second != member.user_id) return;
  seat_owner_.erase(owner);
  seat_changes_.push_back({member.client_id, std::nullopt});
}

}  // namespace plaza::rooms
