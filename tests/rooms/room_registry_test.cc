// The registry of rooms: a connection's memberships across rooms, leaving
// or dropping them all when it ends, and expiry across rooms.
#include <gtest/gtest.h>

#include "room_registry.h"

namespace plaza::rooms {
namespace {

RoomConfig World(const std::string& id) {
  RoomConfig config;
  config.id = id;
  config.kind = RoomKind::kWorld;
  return config;
}

TEST(RoomRegistryTest, AddIsIdempotent) {
  RoomRegistry registry(50);
  Room& a = registry.Add(World("a"));
  EXPECT_EQ(&registry.Add(World("a")), &a);
  EXPECT_EQ(registry.Find("a"), &a);
  EXPECT_EQ(registry.Find("b"), nullptr);
  EXPECT_EQ(registry.room_count(), 1u);
}

TEST(RoomRegistryTest, LeaveAllEndsEveryMembershipOfAConnection) {
  RoomRegistry registry(50);
  Room& a = registry.Add(World("a"));
  Room& b = registry.Add(World("b"));
  registry.Join(a, {1, "c1"}, {"ana", "Ana"}, 0);
  registry.Join(b, {1, "c1"}, {"ana", "Ana"}, 0);
  registry.Join(b, {2, "c2"}, {"bob", "Bob"}, 0);
  const std::vector<Departure> gone = registry.LeaveAll(1);
  ASSERT_EQ(gone.size(), 2u);
  EXPECT_EQ(gone[0].member.user_id, "ana");
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(b.size(), 1u);
  EXPECT_TRUE(registry.LeaveAll(1).empty());
}

TEST(RoomRegistryTest, DropAllThenExpire) {
  RoomRegistry registry(50);
  Room& a = registry.Add(World("a"));
  Room& b = registry.Add(World("b"));
  registry.Join(a, {1, "c1"}, {"ana", "Ana"}, 0);
  registry.Join(b, {1, "c1"}, {"ana", "Ana"}, 0);
  EXPECT_EQ(registry.DropAll(1, 100).size(), 2u);
  EXPECT_TRUE(registry.Expire(99).empty());
  // A rejoin in one room keeps that membership; the other expires.
  EXPECT_EQ(registry.Join(a, {2, "c1"}, {"ana", "Ana"}, 50).outcome, JoinOutcome::kRejoined);
  const std::vector<Departure> gone = registry.Expire(100);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].room, &b);
  // The new connection is indexed: its end finds room a.
  EXPECT_EQ(registry.LeaveAll(2).size(), 1u);
}

TEST(RoomRegistryTest, ADisplacedConnectionNoLongerHoldsTheRoom) {
  RoomRegistry registry(50);
  Room& a = registry.Add(World("a"));
  registry.Join(a, {1, "phone"}, {"ana", "Ana"}, 0);
  const JoinResult second = registry.Join(a, {2, "laptop"}, {"ana", "Ana"}, 0);
  ASSERT_TRUE(second.displaced);
  EXPECT_TRUE(registry.LeaveAll(1).empty());
  EXPECT_EQ(a.size(), 1u);
}

}  // namespace
}  // namespace plaza::rooms
