// One room's membership, as the rooms plugin keeps it: who is in it, with
// which role, since when, in which audience neighbourhood, and who dropped
// off and is waiting out the grace period. Pure logic, no broker: the time
// is an argument and the caller holds the lock, so tests drive it directly.
#ifndef PLAZA_PLUGINS_ROOMS_ROOM_H_
#define PLAZA_PLUGINS_ROOMS_ROOM_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rooms_config.h"

namespace plaza::rooms {

// Who a joining client is: from the auth plugin's attributes, the users
// table, or its user name / client id.
struct Identity {
  std::string user_id;
  std::string display_name;
};

// A live MQTT connection.
struct Connection {
  uint64_t handle = 0;
  std::string client_id;
};

// An audience member's neighbourhood; members not in the audience have none.
inline constexpr uint32_t kNoGroup = std::numeric_limits<uint32_t>::max();

struct Member {
  std::string user_id;
  std::string display_name;
  Role role = Role::kAudience;
  int64_t joined_at_ms = 0;  // the first join, kept across a rejoin
  uint64_t order = 0;        // join order in the room
  uint32_t group = kNoGroup;
  std::string client_id;  // of the current (or, during grace, the last) connection
  uint64_t handle = 0;    // 0 while waiting out the grace period
  int64_t grace_until_ms = 0;
};

// What the delivery policy needs to know of a member, by client id.
struct Seat {
  uint32_t group = kNoGroup;
  bool stage = false;
};
// A seat given to (seat set) or taken from (seat empty) a client id.
struct SeatChange {
  std::string client_id;
  std::optional<Seat> seat;
};

enum class JoinOutcome {
  kJoined,         // a new member: presence event and snapshot
  kRejoined,       // the same user on another connection: no event
  kAlreadyMember,  // this connection already is the member: nothing to do
  kFull,           // refused: the room is at capacity
  kConflict,       // refused: this connection is in the room as another user
};

struct JoinResult {
  JoinOutcome outcome = JoinOutcome::kJoined;
  Member member;  // after the join (unset when refused)
  // The user's previous connection, still open, that is no longer the
  // member (a second device, or a takeover seen before its disconnect).
  std::optional<Connection> displaced;
};

class Room {
 public:
  Room(RoomConfig config, uint32_t neighbourhood_size);

  const RoomConfig& config() const { return config_; }
  // The room changed (kind, capacity, settings, cast; the id stays): new
  // joins follow the new config, members keep their role and seat.
  void Reconfigure(RoomConfig config);
  const std::string& id() const { return config_.id; }
  size_t size() const { return members_.size(); }
  // Grows with every change of the member list (a join, a leave, an expiry).
  uint64_t version() const { return version_; }

  // `role`: the one the room source gave (unset: the room's default).
  JoinResult Join(const Connection& connection, const Identity& identity, int64_t now_ms,
                  std::optional<Role> role = std::nullopt);
  // An explicit leave: the member of this connection, removed.
  std::optional<Member> Leave(uint64_t handle);
  // The connection ended without a leave: its member stays until `until_ms`
  // for a rejoin. True if the connection held a member here.
  bool Drop(uint64_t handle, int64_t until_ms);
  // The members whose grace period is over at `now_ms`, removed.
  std::vector<Member> Expire(int64_t now_ms);
  // When the next grace period ends, if any is running.
  std::optional<int64_t> NextExpiry() const;
  size_t in_grace() const { return in_grace_; }

  const Member* FindUser(std::string_view user_id) const;
  // Every member, in join order (the snapshot's order).
  std::vector<const Member*> MembersInJoinOrder() const;
  // Seat changes since the last call, for the delivery table.
  std::vector<SeatChange> TakeSeatChanges();
  // Members per neighbourhood (index = group), for tests and metrics.
  const std::vector<uint32_t>& group_sizes() const { return group_sizes_; }

 private:
  using Members = std::unordered_map<std::string, Member>;
  bool Neighbourhoods(Role role) const {
    return config_.kind == RoomKind::kEvent && role == Role::kAudience;
  }
  uint32_t TakeGroupSlot();
  void Remove(Members::iterator it);
  void SeatMember(const Member& member);
  void UnseatMember(const Member& member);

  RoomConfig config_;
  uint32_t neighbourhood_size_;
  Members members_;                                          // by user id
  std::unordered_map<uint64_t, std::string> by_handle_;      // live connection -> user id
  std::unordered_map<std::string, std::string> seat_owner_;  // client id -> user id
  std::vector<uint32_t> group_sizes_;
  uint64_t next_order_ = 0;
  uint64_t version_ = 0;
  size_t in_grace_ = 0;  // members whose connection dropped
  std::vector<SeatChange> seat_changes_;
};

}  // namespace plaza::rooms

#endif  // PLAZA_PLUGINS_ROOMS_ROOM_H_
