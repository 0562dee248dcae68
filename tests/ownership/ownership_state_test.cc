// The ownership plugin in the real broker: only the owner's state updates,
// for the epoch it holds, reach the room; a non-owner's and a stale owner's
// are refused (MQTT 5 QoS 1 publishers get 0x87) and counted.
#include <gtest/gtest.h>

#include <memory>

#include "metrics_page.h"
#include "ownership_test_env.h"
#include "v5_client.h"

namespace plaza::testing {
namespace {

class OwnershipStateTest : public ::testing::Test {
 protected:
  void Start(bool metrics = false) {
    ASSERT_TRUE(StartOwnershipBroker(&broker_, "", metrics)) << broker_.error() << broker_.log();
    watcher_ = std::make_unique<MosqClient>(broker_.port(), "watcher");
    ASSERT_TRUE(watcher_->Connect()) << watcher_->error();
    ASSERT_EQ(watcher_->Subscribe("rooms/r/items/+/state/+", 0), 0);
  }

  BrokerProcess broker_;
  std::unique_ptr<MosqClient> watcher_;  // subscribed to every item's state
};

TEST_F(OwnershipStateTest, OnlyTheOwnerAtItsEpochReachesTheRoom) {
  Start(/*metrics=*/true);
  V5Client ann(broker_.port(), "ann-1", "ann");
  V5Client ben(broker_.port(), "ben-1", "ben");
  for (V5Client* client : {&ann, &ben}) ASSERT_EQ(ConnectMember(*client), "");
  ASSERT_EQ(ann.Publish(ItemTopic("r", "ball", "claim"), ""), 0);
  EXPECT_EQ(ann.Publish(ItemTopic("r", "ball", "state/1"), "ann at 1"), 0);
  // Not the owner.
  EXPECT_EQ(ben.Publish(ItemTopic("r", "ball", "state/1"), "ben at 1"), 0x87);
  // Ann lets go and claims again (epoch 3): her epoch-1 updates are stale.
  ASSERT_EQ(ann.Publish(ItemTopic("r", "ball", "release"), ""), 0);
  ASSERT_EQ(ann.Publish(ItemTopic("r", "ball", "claim"), ""), 0);
  EXPECT_EQ(ann.Publish(ItemTopic("r", "ball", "state/1"), "ann late at 1"), 0x87);
  EXPECT_EQ(ann.Publish(ItemTopic("r", "ball", "state/2"), "ann at 2"), 0x87);
  EXPECT_EQ(ann.Publish(ItemTopic("r", "ball", "state/3"), "ann at 3"), 0);
  // An item nobody claimed has no owner to speak for it.
  EXPECT_EQ(ben.Publish(ItemTopic("r", "bat", "state/0"), "ben's bat"), 0x87);
  const std::vector<Received> got = ReceiveUntil(*watcher_, "ann at 3");
  EXPECT_EQ(got, (std::vector<Received>{Msg(ItemTopic("r", "ball", "state/1"), "ann at 1"),
                                        Msg(ItemTopic("r", "ball", "state/3"), "ann at 3")}));
  EXPECT_FALSE(watcher_->Receive(milliseconds(300)));
  EXPECT_TRUE(MetricReads(broker_, "state_stale_dropped_total", "2")) << MetricsPage(broker_);
  EXPECT_TRUE(MetricReads(broker_, "state_not_owner_dropped_total", "2")) << MetricsPage(broker_);
}

TEST_F(OwnershipStateTest, AnMqtt311NonOwnerIsAcknowledgedButNotDelivered) {
  Start();
  MosqClient ann(broker_.port(), "ann");
  MosqClient ben(broker_.port(), "ben");
  for (MosqClient* client : {&ann, &ben}) {
    ASSERT_TRUE(client->Connect()) << client->error();
    ASSERT_TRUE(client->Publish("rooms/r/join", "", 1));
  }
  ASSERT_TRUE(ann.Publish(ItemTopic("r", "ball", "claim"), "", 1));
  ASSERT_TRUE(ben.Publish(ItemTopic("r", "ball", "state/1"), "ben", 1)) << ben.error();
  ASSERT_TRUE(ann.Publish(ItemTopic("r", "ball", "state/1"), "ann", 0));
  const auto got = watcher_->Receive();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->payload, "ann");
  EXPECT_FALSE(watcher_->Receive(milliseconds(300)));
}

TEST_F(OwnershipStateTest, StateIsNeverRetained) {
  Start();
  MosqClient ann(broker_.port(), "ann");
  ASSERT_TRUE(ann.Connect());
  ASSERT_TRUE(ann.Publish("rooms/r/join", "", 1));
  ASSERT_TRUE(ann.Publish(ItemTopic("r", "ball", "claim"), "", 1));
  ASSERT_TRUE(ann.Publish(ItemTopic("r", "ball", "state/1"), "kept?", 1, true));
  const auto live = watcher_->Receive();
  ASSERT_TRUE(live);
  EXPECT_EQ(live->payload, "kept?");
  MosqClient late(broker_.port(), "late");
  ASSERT_TRUE(late.Connect());
  ASSERT_EQ(late.Subscribe("rooms/r/items/+/state/+", 1), 1);
  EXPECT_FALSE(late.Receive(milliseconds(300)));
}

}  // namespace
}  // namespace plaza::testing
