// Unit tests of the event room's expected deliveries (src/event_room.h): the
// bench's loss figures for the rooms plugin's event policy rest on them.
#include "event_room.h"

#include <gtest/gtest.h>

namespace plaza::bench {
namespace {

EventLayout Layout(uint32_t performers, uint32_t audience, uint32_t k, DeliveryPolicy policy) {
  EventLayout layout;
  layout.performers = performers;
  layout.audience = audience;
  layout.neighbourhood_size = k;
  layout.policy = policy;
  return layout;
}

TEST(EventRoom, PolicyNames) {
  EXPECT_EQ(ParseDeliveryPolicy("neighbourhood"), DeliveryPolicy::kNeighbourhood);
  EXPECT_EQ(ParseDeliveryPolicy("all"), DeliveryPolicy::kAll);
  EXPECT_FALSE(ParseDeliveryPolicy("neighborhood"));
  EXPECT_FALSE(ParseDeliveryPolicy(""));
  EXPECT_STREQ(DeliveryPolicyName(DeliveryPolicy::kAll), "all");
  EXPECT_STREQ(DeliveryPolicyName(DeliveryPolicy::kNeighbourhood), "neighbourhood");
}

TEST(EventRoom, NeighbourhoodsFollowJoinOrderAfterTheStage) {
  const EventLayout layout = Layout(2, 120, 50, DeliveryPolicy::kNeighbourhood);
  EXPECT_EQ(layout.NeighbourhoodOf(2), 0u);    // aud-0
  EXPECT_EQ(layout.NeighbourhoodOf(51), 0u);   // aud-49
  EXPECT_EQ(layout.NeighbourhoodOf(52), 1u);   // aud-50
  EXPECT_EQ(layout.NeighbourhoodOf(121), 2u);  // aud-119, the last
  EXPECT_EQ(layout.NeighbourhoodMembers(2), 50u);
  EXPECT_EQ(layout.NeighbourhoodMembers(100), 50u);
  EXPECT_EQ(layout.NeighbourhoodMembers(121), 20u);  // the last one is partial
}

TEST(EventRoom, StageReachesAndHearsEveryone) {
  const EventLayout layout = Layout(2, 120, 50, DeliveryPolicy::kNeighbourhood);
  for (uint32_t to = 0; to < layout.members(); ++to) {
    EXPECT_TRUE(layout.Reaches(0, to)) << to;
    EXPECT_TRUE(layout.Reaches(1, to)) << to;
    EXPECT_TRUE(layout.Reaches(to, 0)) << to;
  }
  EXPECT_EQ(layout.Receivers(0), 122u);
  EXPECT_EQ(layout.Receivers(1), 122u);
}

TEST(EventRoom, AudienceReachesStageAndOwnNeighbourhoodOnly) {
  const EventLayout layout = Layout(2, 120, 50, DeliveryPolicy::kNeighbourhood);
  EXPECT_TRUE(layout.Reaches(2, 2));    // itself
  EXPECT_TRUE(layout.Reaches(2, 51));   // same neighbourhood
  EXPECT_FALSE(layout.Reaches(2, 52));  // the next one
  EXPECT_FALSE(layout.Reaches(121, 2));
  EXPECT_TRUE(layout.Reaches(121, 102));
  EXPECT_EQ(layout.Receivers(2), 2u + 50u);
  EXPECT_EQ(layout.Receivers(121), 2u + 20u);
}

TEST(EventRoom, ReceiversCountWhomReachesSays) {
  for (const DeliveryPolicy policy : {DeliveryPolicy::kNeighbourhood, DeliveryPolicy::kAll}) {
    const EventLayout layout = Layout(3, 77, 10, policy);
    for (uint32_t from = 0; from < layout.members(); ++from) {
      uint32_t count = 0;
      for (uint32_t to = 0; to < layout.members(); ++to) count += layout.Reaches(from, to);
      EXPECT_EQ(layout.Receivers(from), count) << from;
    }
  }
}

TEST(EventRoom, WithoutThePluginEveryoneGetsEverything) {
  const EventLayout layout = Layout(2, 500, 50, DeliveryPolicy::kAll);
  EXPECT_TRUE(layout.Reaches(2, 501));
  EXPECT_EQ(layout.Receivers(2), 502u);
  EXPECT_EQ(layout.Receivers(501), 502u);
}

TEST(EventRoom, OutsideTheRoomNothing) {
  const EventLayout layout = Layout(1, 4, 2, DeliveryPolicy::kAll);
  EXPECT_FALSE(layout.Reaches(5, 0));
  EXPECT_FALSE(layout.Reaches(0, 5));
  EXPECT_EQ(layout.Receivers(5), 0u);
}

TEST(EventRoom, NoStage) {
  const EventLayout layout = Layout(0, 5, 2, DeliveryPolicy::kNeighbourhood);
  EXPECT_EQ(layout.Receivers(0), 2u);
  EXPECT_EQ(layout.Receivers(4), 1u);
  EXPECT_FALSE(layout.Reaches(0, 2));
}

TEST(EventRoom, UserNames) {
  const EventLayout layout = Layout(2, 3, 50, DeliveryPolicy::kNeighbourhood);
  EXPECT_EQ(EventUserName(layout, 0), "perf-0");
  EXPECT_EQ(EventUserName(layout, 1), "perf-1");
  EXPECT_EQ(EventUserName(layout, 2), "aud-0");
  EXPECT_EQ(EventUserName(layout, 4), "aud-2");
}

}  // namespace
}  // namespace plaza::bench
