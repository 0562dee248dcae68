// The membership model of one room, with the time passed in: capacity (and
// the cast admitted past it), roles, rejoin within the grace period (no
// events, joined_at kept), expiry after it, takeovers and second devices,
// and the audience neighbourhoods of an event.
#include <gtest/gtest.h>

#include <string>

#include "room.h"

namespace plaza::rooms {
namespace {

RoomConfig Config(RoomKind kind, uint32_t capacity = 0) {
  RoomConfig config;
  config.id = kind == RoomKind::kEvent ? "event:1" : "world:1";
  config.kind = kind;
  config.capacity = capacity;
  return config;
}

Connection Conn(uint64_t handle, const std::string& client_id) { return {handle, client_id}; }
Identity User(const std::string& id) { return {id, "Name of " + id}; }

TEST(RoomTest, JoinAddsAMemberWithTheKindsDefaultRole) {
  Room world(Config(RoomKind::kWorld), 50);
  const JoinResult joined = world.Join(Conn(1, "c1"), User("ana"), 1000);
  EXPECT_EQ(joined.outcome, JoinOutcome::kJoined);
  EXPECT_EQ(joined.member.role, Role::kPeer);
  EXPECT_EQ(joined.member.joined_at_ms, 1000);
  EXPECT_EQ(joined.member.display_name, "Name of ana");
  EXPECT_EQ(joined.member.group, kNoGroup);  // worlds have no neighbourhoods
  EXPECT_EQ(world.size(), 1u);
  EXPECT_EQ(world.version(), 1u);

  Room event(Config(RoomKind::kEvent), 50);
  EXPECT_EQ(event.Join(Conn(1, "c1"), User("ana"), 0).member.role, Role::kAudience);
}

TEST(RoomTest, CastRolesComeFromTheConfig) {
  RoomConfig config = Config(RoomKind::kEvent);
  config.cast = {{"star", Role::kPerformer}, {"mc", Role::kHost}, {"mod", Role::kModerator}};
  Room room(config, 50);
  EXPECT_EQ(room.Join(Conn(1, "a"), User("star"), 0).member.role, Role::kPerformer);
  EXPECT_EQ(room.Join(Conn(2, "b"), User("mc"), 0).member.role, Role::kHost);
  EXPECT_EQ(room.Join(Conn(3, "c"), User("mod"), 0).member.role, Role::kModerator);
  const JoinResult fan = room.Join(Conn(4, "d"), User("fan"), 0);
  EXPECT_EQ(fan.member.role, Role::kAudience);
  EXPECT_EQ(fan.member.group, 0u);
  // The stage has no neighbourhood.
  EXPECT_EQ(room.FindUser("star")->group, kNoGroup);
}

TEST(RoomTest, CapacityRefusesTheNextMemberButNotTheCast) {
  RoomConfig config = Config(RoomKind::kEvent, 2);
  config.cast = {{"star", Role::kPerformer}};
  Room room(config, 50);
  EXPECT_EQ(room.Join(Conn(1, "a"), User("a"), 0).outcome, JoinOutcome::kJoined);
  EXPECT_EQ(room.Join(Conn(2, "b"), User("b"), 0).outcome, JoinOutcome::kJoined);
  const JoinResult full = room.Join(Conn(3, "c"), User("c"), 0);
  EXPECT_EQ(full.outcome, JoinOutcome::kFull);
  EXPECT_EQ(room.size(), 2u);
  EXPECT_EQ(room.version(), 2u);
  EXPECT_EQ(room.Join(Conn(4, "s"), User("star"), 0).outcome, JoinOutcome::kJoined);
  // A seat frees up when someone leaves.
  ASSERT_TRUE(room.Leave(1));
  EXPECT_EQ(room.Join(Conn(3, "c"), User("c"), 0).outcome, JoinOutcome::kFull);  // 3 > 2 still
  ASSERT_TRUE(room.Leave(2));
  EXPECT_EQ(room.Join(Conn(3, "c"), User("c"), 0).outcome, JoinOutcome::kJoined);
}

TEST(RoomTest, MembersInGraceHoldTheirSeatAgainstCapacity) {
  Room room(Config(RoomKind::kWorld, 1), 50);
  ASSERT_EQ(room.Join(Conn(1, "a"), User("a"), 0).outcome, JoinOutcome::kJoined);
  ASSERT_TRUE(room.Drop(1, 10'000));
  EXPECT_EQ(room.Join(Conn(2, "b"), User("b"), 100).outcome, JoinOutcome::kFull);
  EXPECT_EQ(room.Expire(10'000).size(), 1u);
  EXPECT_EQ(room.Join(Conn(2, "b"), User("b"), 10'001).outcome, JoinOutcome::kJoined);
}

TEST(RoomTest, JoiningTwiceOnOneConnectionChangesNothing) {
  Room room(Config(RoomKind::kWorld), 50);
  room.Join(Conn(1, "a"), User("ana"), 5);
  const JoinResult again = room.Join(Conn(1, "a"), User("ana"), 99);
  EXPECT_EQ(again.outcome, JoinOutcome::kAlreadyMember);
  EXPECT_EQ(again.member.joined_at_ms, 5);
  EXPECT_EQ(room.version(), 1u);
}

TEST(RoomTest, AConnectionIsInARoomAsOneUserOnly) {
  Room room(Config(RoomKind::kWorld), 50);
  room.Join(Conn(1, "a"), User("ana"), 0);
  EXPECT_EQ(room.Join(Conn(1, "a"), User("bob"), 0).outcome, JoinOutcome::kConflict);
  EXPECT_EQ(room.size(), 1u);
}

TEST(RoomTest, RejoinWithinGraceKeepsTheMemberWithoutAChange) {
  Room room(Config(RoomKind::kEvent), 50);
  room.Join(Conn(1, "phone"), User("ana"), 1000);
  room.TakeSeatChanges();
  ASSERT_TRUE(room.Drop(1, 1000 + 10'000));
  EXPECT_EQ(room.in_grace(), 1u);
  EXPECT_EQ(room.NextExpiry(), 11'000);
  // Still a member (the snapshot keeps them), the seat stays too.
  ASSERT_NE(room.FindUser("ana"), nullptr);
  EXPECT_TRUE(room.TakeSeatChanges().empty());
  EXPECT_TRUE(room.Expire(10'999).empty());
  // A takeover: the same client id on a new connection.
  const JoinResult back = room.Join(Conn(2, "phone"), User("ana"), 5000);
  EXPECT_EQ(back.outcome, JoinOutcome::kRejoined);
  EXPECT_EQ(back.member.joined_at_ms, 1000);
  EXPECT_FALSE(back.displaced);
  EXPECT_EQ(room.version(), 1u);  // no change of the member list
  EXPECT_EQ(room.in_grace(), 0u);
  EXPECT_TRUE(room.Expire(20'000).empty());
  // The new connection is the member now: leaving with it works.
  EXPECT_FALSE(room.Leave(1));
  EXPECT_TRUE(room.Leave(2));
  EXPECT_EQ(room.version(), 2u);
}

TEST(RoomTest, RejoinFromAnotherClientIdMovesTheSeat) {
  Room room(Config(RoomKind::kEvent), 50);
  room.Join(Conn(1, "phone"), User("ana"), 0);
  room.Drop(1, 10'000);
  room.TakeSeatChanges();
  const JoinResult back = room.Join(Conn(2, "laptop"), User("ana"), 10);
  EXPECT_EQ(back.outcome, JoinOutcome::kRejoined);
  EXPECT_EQ(back.member.group, 0u);  // the same neighbourhood
  const std::vector<SeatChange> changes = room.TakeSeatChanges();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].client_id, "phone");
  EXPECT_FALSE(changes[0].seat);
  EXPECT_EQ(changes[1].client_id, "laptop");
  ASSERT_TRUE(changes[1].seat);
  EXPECT_EQ(changes[1].seat->group, 0u);
}

TEST(RoomTest, ASecondLiveConnectionDisplacesTheFirst) {
  Room room(Config(RoomKind::kWorld), 50);
  room.Join(Conn(1, "phone"), User("ana"), 0);
  const JoinResult second = room.Join(Conn(2, "laptop"), User("ana"), 10);
  EXPECT_EQ(second.outcome, JoinOutcome::kRejoined);
  ASSERT_TRUE(second.displaced);
  EXPECT_EQ(second.displaced->handle, 1u);
  EXPECT_EQ(second.displaced->client_id, "phone");
  // The displaced connection's end no longer touches the member.
  EXPECT_FALSE(room.Drop(1, 100));
  EXPECT_EQ(room.in_grace(), 0u);
  EXPECT_EQ(room.size(), 1u);
}

TEST(RoomTest, GraceEndsWithTheMemberRemoved) {
  Room room(Config(RoomKind::kEvent), 50);
  room.Join(Conn(1, "a"), User("ana"), 0);
  room.Join(Conn(2, "b"), User("bob"), 0);
  room.Drop(1, 500);
  room.Drop(2, 300);
  room.TakeSeatChanges();
  std::vector<Member> gone = room.Expire(300);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].user_id, "bob");
  EXPECT_EQ(room.version(), 3u);
  gone = room.Expire(1000);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].user_id, "ana");
  EXPECT_EQ(room.size(), 0u);
  EXPECT_EQ(room.TakeSeatChanges().size(), 2u);  // both seats taken back
  // A rejoin after the grace period is a new join with a new joined_at.
  const JoinResult again = room.Join(Conn(3, "a"), User("ana"), 2000);
  EXPECT_EQ(again.outcome, JoinOutcome::kJoined);
  EXPECT_EQ(again.member.joined_at_ms, 2000);
}

TEST(RoomTest, AnExpiringMemberLeavesAnotherUsersSeatAlone) {
  Room room(Config(RoomKind::kWorld), 50);
  room.Join(Conn(1, "shared-id"), User("ana"), 0);
  room.Drop(1, 500);
  // Someone else connects with the same client id and joins.
  room.Join(Conn(2, "shared-id"), User("bob"), 10);
  room.TakeSeatChanges();
  ASSERT_EQ(room.Expire(500).size(), 1u);
  EXPECT_TRUE(room.TakeSeatChanges().empty()) << "bob's seat was taken away";
}

TEST(RoomTest, NeighbourhoodsFillInJoinOrderAndReuseHoles) {
  Room room(Config(RoomKind::kEvent), 3);
  for (uint64_t i = 1; i <= 7; ++i) {
    const JoinResult r = room.Join(Conn(i, "c" + std::to_string(i)), User("u" + std::to_string(i)),
                                   static_cast<int64_t>(i));
    EXPECT_EQ(r.member.group, (i - 1) / 3) << "member " << i;
  }
  EXPECT_EQ(room.group_sizes(), (std::vector<uint32_t>{3, 3, 1}));
  room.Leave(2);  // a hole in neighbourhood 0
  EXPECT_EQ(room.Join(Conn(8, "c8"), User("u8"), 8).member.group, 0u);
  EXPECT_EQ(room.Join(Conn(9, "c9"), User("u9"), 9).member.group, 2u);
  EXPECT_EQ(room.group_sizes(), (std::vector<uint32_t>{3, 3, 2}));
}

TEST(RoomTest, SnapshotOrderIsJoinOrder) {
  Room room(Config(RoomKind::kWorld), 50);
  for (const char* user : {"zed", "amy", "max"}) {
    room.Join(Conn(room.size() + 1, user), User(user), 0);
  }
  std::vector<std::string> order;
  for (const Member* m : room.MembersInJoinOrder()) order.push_back(m->user_id);
  EXPECT_EQ(order, (std::vector<std::string>{"zed", "amy", "max"}));
}

}  // namespace
}  // namespace plaza::rooms
