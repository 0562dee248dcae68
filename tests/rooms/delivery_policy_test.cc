// The delivery rules: a world is all-to-all; in an event the stage reaches
// and hears everyone, and an audience member reaches the stage and their
// own neighbourhood only; requests reach no one; the server's broadcasts
// and topics outside rooms pass untouched. Every decision is counted.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "delivery_policy.h"
#include "sample_seats.h"

namespace plaza::rooms {
namespace {

class DeliveryPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override { FillSampleSeats(table_); }
  Routed RouteMessage(const std::string& topic, std::optional<std::string_view> from,
                      std::string_view to, std::vector<plaza_user_property> properties = {}) {
    plaza_message message{};
    message.struct_size = sizeof(message);
    message.topic = {topic.data(), topic.size()};
    message.user_properties = properties.empty() ? nullptr : properties.data();
    message.user_property_count = properties.size();
    return RouteDelivery(table_.Current(), stats_, plaza::MessageView(&message), from, to);
  }
  Delivery Route(const std::string& topic, std::optional<std::string_view> from,
                 std::string_view to) {
    return RouteMessage(topic, from, to).delivery;
  }

  DeliveryTable table_;
  DeliveryStats stats_{3};
};

TEST_F(DeliveryPolicyTest, EventStageReachesEveryoneAndHearsEveryone) {
  const RoomSeats& event = *table_.Current().Find("event:1");
  for (const char* to : {"a1", "a2", "b1", "outsider"}) {
    EXPECT_EQ(DecideEvent(event, "star", to), Delivery::kPass) << to;
  }
  for (const char* from : {"a1", "b1", "outsider"}) {
    EXPECT_EQ(DecideEvent(event, from, "star"), Delivery::kPass) << from;
  }
}

TEST_F(DeliveryPolicyTest, EventAudienceReachesOnlyItsNeighbourhood) {
  const RoomSeats& event = *table_.Current().Find("event:1");
  EXPECT_EQ(DecideEvent(event, "a1", "a2"), Delivery::kPass);
  EXPECT_EQ(DecideEvent(event, "a1", "a1"), Delivery::kPass);  // its own echo
  EXPECT_EQ(DecideEvent(event, "a1", "b1"), Delivery::kDrop);
  EXPECT_EQ(DecideEvent(event, "b1", "a2"), Delivery::kDrop);
  // Non-members are in no neighbourhood.
  EXPECT_EQ(DecideEvent(event, "a1", "outsider"), Delivery::kDrop);
  EXPECT_EQ(DecideEvent(event, "outsider", "a1"), Delivery::kDrop);
}

TEST_F(DeliveryPolicyTest, RoutesByTopicClass) {
  for (const char* topic : {"rooms/event:1/pose/b", "rooms/event:1/track/b",
                            "rooms/event:1/voice/b", "rooms/event:1/emote/b"}) {
    EXPECT_EQ(Route(topic, "a1", "b1"), Delivery::kDrop) << topic;
    EXPECT_EQ(Route(topic, "a1", "a2"), Delivery::kPass) << topic;
  }
  // Other classes under the room are not governed by the policy.
  EXPECT_EQ(Route("rooms/event:1/items/ball/state/1", "a1", "b1"), Delivery::kPass);
  // The server's broadcasts reach everyone.
  EXPECT_EQ(Route("rooms/event:1/server/presence", std::nullopt, "b1"), Delivery::kPass);
  EXPECT_EQ(Route("rooms/event:1/pose/x", std::string_view(), "b1"), Delivery::kPass);
  // Requests are for the server, not for subscribers.
  EXPECT_EQ(Route("rooms/event:1/join", "a1", "b1"), Delivery::kDrop);
  EXPECT_EQ(Route("rooms/world:1/leave", "p1", "p2"), Delivery::kDrop);
  // A world is all-to-all.
  EXPECT_EQ(Route("rooms/world:1/pose/p1", "p1", "p2"), Delivery::kPass);
  EXPECT_EQ(Route("rooms/world:1/voice/p1", "stranger", "p2"), Delivery::kPass);
  // Topics outside known rooms pass untouched.
  EXPECT_EQ(Route("rooms/other/pose/x", "a1", "b1"), Delivery::kPass);
  EXPECT_EQ(Route("chat/lobby", "a1", "b1"), Delivery::kPass);
  EXPECT_EQ(Route("rooms/", "a1", "b1"), Delivery::kPass);
  EXPECT_EQ(Route("rooms/event:1", "a1", "b1"), Delivery::kPass);
}

TEST_F(DeliveryPolicyTest, EventPresenceOfTheAudienceReachesItsNeighbourhoodAndTheStage) {
  const plaza_user_property about_group_0{{"neighbourhood", 13}, {"0", 1}};
  const std::string presence = "rooms/event:1/server/presence";
  EXPECT_EQ(RouteMessage(presence, std::nullopt, "a2", {about_group_0}).delivery, Delivery::kPass);
  EXPECT_EQ(RouteMessage(presence, std::nullopt, "star", {about_group_0}).delivery,
            Delivery::kPass);
  EXPECT_EQ(RouteMessage(presence, std::nullopt, "b1", {about_group_0}).delivery, Delivery::kDrop);
  EXPECT_EQ(RouteMessage(presence, std::nullopt, "outsider", {about_group_0}).delivery,
            Delivery::kDrop);
  // About the stage: everyone hears of it.
  EXPECT_EQ(RouteMessage(presence, std::nullopt, "b1").delivery, Delivery::kPass);
  EXPECT_EQ(RouteMessage(presence, std::nullopt, "outsider").delivery, Delivery::kPass);
  // A world has no neighbourhoods.
  EXPECT_EQ(
      RouteMessage("rooms/world:1/server/presence", std::nullopt, "p1", {about_group_0}).delivery,
      Delivery::kPass);
}

TEST_F(DeliveryPolicyTest, EachSubscriberGetsItsCopyOfAnEventSnapshot) {
  const std::string members = "rooms/event:1/server/members";
  // No views yet: the published copy passes.
  EXPECT_EQ(RouteMessage(members, std::nullopt, "a1").delivery, Delivery::kPass);
  auto views = std::make_shared<MemberViews>();
  views->outsider = "stage only";
  views->stage = "everyone";
  views->by_group = {"stage and group 0", "stage and group 1"};
  table_.SetViews("event:1", views);
  Routed routed = RouteMessage(members, std::nullopt, "a1");
  EXPECT_EQ(routed.delivery, Delivery::kRewrite);
  EXPECT_EQ(routed.payload, "stage and group 0");
  EXPECT_EQ(RouteMessage(members, std::nullopt, "b1").payload, "stage and group 1");
  EXPECT_EQ(RouteMessage(members, std::nullopt, "star").payload, "everyone");
  EXPECT_EQ(RouteMessage(members, std::nullopt, "outsider").delivery, Delivery::kPass);
  // The views survive later seat changes.
  table_.Apply("event:1", {{"a9", Seat{1, false}}});
  EXPECT_EQ(RouteMessage(members, std::nullopt, "a9").payload, "stage and group 1");
}

TEST_F(DeliveryPolicyTest, CountsDeliveriesAndDropsPerRoom) {
  Route("rooms/event:1/pose/a", "a1", "a2");
  Route("rooms/event:1/pose/a", "a1", "b1");
  Route("rooms/event:1/pose/a", "a1", "star");
  Route("rooms/world:1/pose/p", "p1", "p2");
  Route("chat/x", "p1", "p2");
  CountPublish(table_.Current(), stats_, "rooms/event:1/pose/a", "a1", 30);
  CountPublish(table_.Current(), stats_, "rooms/event:1/pose/a", "stranger", 30);
  const std::vector<RoomCounts> totals = stats_.Totals();
  ASSERT_EQ(totals.size(), 3u);
  EXPECT_EQ(totals[0].delivered, 2u);
  EXPECT_EQ(totals[0].dropped, 1u);
  EXPECT_EQ(totals[0].messages_in, 1u);  // members only
  EXPECT_EQ(totals[0].bytes_in, 30u);
  EXPECT_EQ(totals[1].delivered, 1u);
  EXPECT_EQ(totals[2].delivered, 0u);
}

TEST(DeliveryStatsTest, ThreadsCountIntoTheirOwnSlots) {
  DeliveryStats stats(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&stats] {
      for (int i = 0; i < 10'000; ++i) stats.AddDelivered(1);
      stats.AddIn(0, 5);
      stats.AddDropped(7);  // out of range: ignored
    });
  }
  for (std::thread& t : threads) t.join();
  const std::vector<RoomCounts> totals = stats.Totals();
  EXPECT_EQ(totals[1].delivered, 40'000u);
  EXPECT_EQ(totals[0].messages_in, 4u);
  EXPECT_EQ(totals[0].bytes_in, 20u);
}

}  // namespace
}  // namespace plaza::rooms
