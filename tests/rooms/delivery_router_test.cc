// The delivery hook's memoised routing (DeliveryRouter, SeatCache) decides
// exactly as the plain policy (RouteDelivery) does, also when what it
// remembers went stale between two messages: a member who moved
// neighbourhood or left, a client id seated again on a new connection, a
// handle that comes back with another client id, a room whose kind
// changed, the same topic from another publisher. Its memo stays bounded,
// and routing on many threads against a writer is race-free (TSan).
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "delivery_router.h"
#include "sample_seats.h"
#include "seat_cache.h"

namespace plaza::rooms {
namespace {

struct Subscriber {
  uint64_t handle;
  std::string client_id;
};

class DeliveryRouterTest : public ::testing::Test {
 protected:
  void SetUp() override { FillSampleSeats(table_); }

  // Routes one message through the router and through RouteDelivery (into
  // its own stats) and expects the same answer; returns the router's.
  Routed Both(const std::string& topic, std::optional<std::string_view> from, const Subscriber& to,
              std::vector<plaza_user_property> properties = {}) {
    plaza_message message{};
    message.struct_size = sizeof(message);
    message.topic = {topic.data(), topic.size()};
    message.user_properties = properties.empty() ? nullptr : properties.data();
    message.user_property_count = properties.size();
    const plaza::MessageView view(&message);
    const Routed fast = router_.Route(view, from, to.handle, to.client_id);
    const Routed plain =
        RouteDelivery(table_.Current(), reference_stats_, view, from, to.client_id);
    EXPECT_EQ(fast.delivery, plain.delivery)
        << topic << " from " << from.value_or("(server)") << " to " << to.client_id;
    EXPECT_EQ(fast.payload, plain.payload) << topic << " to " << to.client_id;
    return fast;
  }
  Delivery Route(const std::string& topic, std::optional<std::string_view> from,
                 const Subscriber& to) {
    return Both(topic, from, to).delivery;
  }

  // Every topic class from every kind of publisher to every subscriber.
  void RouteEverything(const std::vector<Subscriber>& subscribers) {
    const std::vector<std::string> topics = {
        "rooms/event:1/pose/x",
        "rooms/event:1/voice/x",
        "rooms/event:1/items/ball/state",
        "rooms/event:1/join",
        "rooms/event:1/server/presence",
        "rooms/event:1/server/members",
        "rooms/event:1/server/settings",
        "rooms/world:1/pose/x",
        "rooms/world:1/leave",
        "rooms/other/pose/x",
        "chat/lobby",
        "rooms/event:1",
    };
    const std::vector<std::optional<std::string_view>> publishers = {
        "star", "a1", "a2", "b1", "p1", "stranger", std::string_view(), std::nullopt};
    const plaza_user_property about_group_0{{"neighbourhood", 13}, {"0", 1}};
    for (const std::string& topic : topics) {
      for (const auto& from : publishers) {
        // Twice in a row, as a fan-out does, so the second round hits the memos.
        for (int round = 0; round < 2; ++round) {
          for (const Subscriber& to : subscribers) {
            Both(topic, from, to);
            Both(topic, from, to, {about_group_0});
          }
        }
      }
    }
  }

  void ExpectSameCounts() {
    const std::vector<RoomCounts> fast = stats_.Totals();
    const std::vector<RoomCounts> plain = reference_stats_.Totals();
    ASSERT_EQ(fast.size(), plain.size());
    for (size_t i = 0; i < fast.size(); ++i) {
      EXPECT_EQ(fast[i].delivered, plain[i].delivered) << "room " << i;
      EXPECT_EQ(fast[i].dropped, plain[i].dropped) << "room " << i;
    }
  }

  DeliveryTable table_;
  DeliveryStats stats_{3};
  DeliveryStats reference_stats_{3};
  DeliveryRouter router_{table_, stats_};
  const Subscriber star_{1, "star"}, a1_{2, "a1"}, a2_{3, "a2"}, b1_{4, "b1"}, p1_{5, "p1"},
      outsider_{6, "outsider"};
  const std::vector<Subscriber> everyone_ = {star_, a1_, a2_, b1_, p1_, outsider_};
};

TEST_F(DeliveryRouterTest, DecidesAsThePolicyForEveryClassOfTraffic) {
  RouteEverything(everyone_);
  EXPECT_EQ(Route("rooms/event:1/pose/a1", "a1", a2_), Delivery::kPass);
  EXPECT_EQ(Route("rooms/event:1/pose/a1", "a1", b1_), Delivery::kDrop);
  EXPECT_EQ(Route("rooms/event:1/pose/a1", "a1", star_), Delivery::kPass);
  EXPECT_EQ(Route("rooms/event:1/pose/star", "star", b1_), Delivery::kPass);
  ExpectSameCounts();
}

TEST_F(DeliveryRouterTest, SeesEachChangeBetweenTwoMessages) {
  const std::string pose = "rooms/event:1/pose/a1";
  EXPECT_EQ(Route(pose, "a1", b1_), Delivery::kDrop);
  // b1 moves to a1's neighbourhood: the same message again reaches it.
  table_.Apply("event:1", {{"b1", Seat{0, false}}});
  EXPECT_EQ(Route(pose, "a1", b1_), Delivery::kPass);
  // a1 moves away: its pose leaves its old neighbourhood.
  table_.Apply("event:1", {{"a1", Seat{2, false}}});
  EXPECT_EQ(Route(pose, "a1", a2_), Delivery::kDrop);
  EXPECT_EQ(Route(pose, "a1", star_), Delivery::kPass);
  // a2 goes on stage, then leaves the room.
  table_.Apply("event:1", {{"a2", Seat{kNoGroup, true}}});
  EXPECT_EQ(Route(pose, "a1", a2_), Delivery::kPass);
  EXPECT_EQ(Route("rooms/event:1/pose/a2", "a2", b1_), Delivery::kPass);
  table_.Apply("event:1", {{"a2", std::nullopt}});
  EXPECT_EQ(Route(pose, "a1", a2_), Delivery::kDrop);
  // The room becomes a world: everything reaches everyone.
  table_.PutRoom("event:1", RoomKind::kWorld, 0);
  EXPECT_EQ(Route(pose, "a1", b1_), Delivery::kPass);
  RouteEverything(everyone_);
  ExpectSameCounts();
}

TEST_F(DeliveryRouterTest, TheSameTopicFromAnotherPublisherIsDecidedAgain) {
  const std::string pose = "rooms/event:1/pose/x";
  EXPECT_EQ(Route(pose, "a1", a2_), Delivery::kPass);
  EXPECT_EQ(Route(pose, "b1", a2_), Delivery::kDrop);
  EXPECT_EQ(Route(pose, "star", b1_), Delivery::kPass);
  EXPECT_EQ(Route(pose, std::nullopt, b1_), Delivery::kPass);
  EXPECT_EQ(Route(pose, "a1", b1_), Delivery::kDrop);
}

TEST_F(DeliveryRouterTest, ASeatFollowsItsClientIdAcrossConnections) {
  const std::string pose = "rooms/event:1/pose/a1";
  EXPECT_EQ(Route(pose, "a1", a2_), Delivery::kPass);
  // a2 reconnects (a takeover keeps the seat of its client id): a new handle.
  const Subscriber a2_again{42, "a2"};
  EXPECT_EQ(Route(pose, "a1", a2_again), Delivery::kPass);
  // A handle that comes back with another client id gets that id's seat.
  const Subscriber b1_on_a2s_handle{a2_.handle, "b1"};
  EXPECT_EQ(Route(pose, "a1", b1_on_a2s_handle), Delivery::kDrop);
  EXPECT_EQ(Route(pose, "a1", a2_), Delivery::kPass);
  // A broker that gives no handles.
  EXPECT_EQ(Route(pose, "a1", Subscriber{0, "a2"}), Delivery::kPass);
  EXPECT_EQ(Route(pose, "a1", Subscriber{0, "b1"}), Delivery::kDrop);
  ExpectSameCounts();
}

TEST_F(DeliveryRouterTest, PresenceAndSnapshotsFollowTheSubscribersSeat) {
  const plaza_user_property about_group_1{{"neighbourhood", 13}, {"1", 1}};
  const std::string presence = "rooms/event:1/server/presence";
  EXPECT_EQ(Both(presence, std::nullopt, b1_, {about_group_1}).delivery, Delivery::kPass);
  EXPECT_EQ(Both(presence, std::nullopt, a1_, {about_group_1}).delivery, Delivery::kDrop);
  EXPECT_EQ(Both(presence, std::nullopt, a1_).delivery, Delivery::kPass);  // about the stage
  auto views = std::make_shared<MemberViews>();
  views->stage = "everyone";
  views->by_group = {"group 0", "group 1"};
  table_.SetViews("event:1", views);
  const std::string members = "rooms/event:1/server/members";
  EXPECT_EQ(Both(members, std::nullopt, a1_).payload, "group 0");
  EXPECT_EQ(Both(members, std::nullopt, b1_).payload, "group 1");
  EXPECT_EQ(Both(members, std::nullopt, star_).payload, "everyone");
  EXPECT_EQ(Both(members, std::nullopt, outsider_).delivery, Delivery::kPass);
  table_.Apply("event:1", {{"a1", Seat{1, false}}});
  EXPECT_EQ(Both(members, std::nullopt, a1_).payload, "group 1");
  ExpectSameCounts();
}

TEST(SeatCacheTest, StaysBoundedAsConnectionsComeAndGo) {
  DeliveryTable table;
  table.PutRoom("r", RoomKind::kEvent, 0);
  SeatCache cache;
  uint64_t handle = 1;
  for (int change = 0; change < 50; ++change) {
    // 100 new connections per generation, the old ones gone.
    const std::string id = "c" + std::to_string(change);
    table.Apply("r", {{id, Seat{uint32_t(change), false}}});
    uint64_t generation = 0;
    const std::shared_ptr<const DeliveryWorld> world = table.Snapshot(&generation);
    const RoomSeats& room = *world->Find("r");
    for (int i = 0; i < 100; ++i, ++handle) {
      const Seat* seat = cache.Find(generation, handle, room, id);
      ASSERT_NE(seat, nullptr);
      EXPECT_EQ(seat->group, uint32_t(change));
      EXPECT_EQ(cache.Find(generation, handle, room, "nobody"), nullptr);
    }
  }
  EXPECT_LE(cache.size(), 400u) << "entries of gone generations are kept";
}

TEST(DeliveryRouterThreadsTest, ThreadsRouteWhileSeatsChange) {
  DeliveryTable table;
  DeliveryStats stats(1);
  table.PutRoom("event:1", RoomKind::kEvent, 0);
  table.Apply("event:1", {{"star", Seat{kNoGroup, true}}, {"a", Seat{0, false}}});
  DeliveryRouter router(table, stats);
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      const std::string topic = "rooms/event:1/pose/a";
      plaza_message message{};
      message.struct_size = sizeof(message);
      message.topic = {topic.data(), topic.size()};
      const std::string id = "sub" + std::to_string(t);
      while (!stop.load()) {
        // The stage always hears a; the others come and go.
        if (router.Route(plaza::MessageView(&message), "a", 1, "star").delivery !=
            Delivery::kPass) {
          ++wrong;
        }
        router.Route(plaza::MessageView(&message), "a", 2 + t, id);
      }
    });
  }
  for (int i = 0; i < 500; ++i) {
    table.Apply("event:1", {{"sub" + std::to_string(i % 3), Seat{uint32_t(i % 2), false}}});
  }
  stop = true;
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace plaza::rooms
