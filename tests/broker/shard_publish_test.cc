// Message flow rules of the shard: QoS 0/1/2 handshakes both ways, routing
// through wildcards and '$' topics, overlapping subscriptions, retained
// messages, and the slow-subscriber policy -- MQTT 3.1.1 sections 3.3-3.11
// and 4.3-4.7.
#include <gtest/gtest.h>

#include "shard_v5_fixture.h"

namespace plaza::broker::testing {
namespace {

TEST_F(ShardTest, Qos0IsForwardedWithoutPacketId) {
  const ConnId sub = Connect("sub");
  Subscribe(sub, "a/b", 0);
  const ConnId pub = Connect("pub");
  Publish(pub, "a/b", "hi");
  EXPECT_TRUE(Received(pub).empty());  // no acknowledgement for QoS 0
  const auto got = Publishes(sub);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].topic, "a/b");
  EXPECT_EQ(got[0].payload, "hi");
  EXPECT_EQ(got[0].qos, 0);
  EXPECT_FALSE(got[0].retain);
}

TEST_F(ShardTest, Qos1PublishIsAcknowledgedAndDelivered) {
  const ConnId sub = Connect("sub");
  Subscribe(sub, "t", 1);
  const ConnId pub = Connect("pub");
  Publish(pub, "t", "m", 1, false, 42);
  std::vector<mqtt::Packet> acks = Received(pub);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(std::get<mqtt::Puback>(acks[0]).packet_id, 42);
  const auto got = Publishes(sub);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].qos, 1);
  EXPECT_NE(got[0].packet_id, 0);
}

TEST_F(ShardTest, Qos2InboundDeliversOnceAndCompletesTheHandshake) {
  const ConnId sub = Connect("sub");
  Subscribe(sub, "t", 2);
  const ConnId pub = Connect("pub");
  Publish(pub, "t", "once", 2, false, 9);
  Publish(pub, "t", "once", 2, false, 9);  // a re-send before PUBREL
  std::vector<mqtt::Packet> acks = Received(pub);
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(std::get<mqtt::Pubrec>(acks[0]).packet_id, 9);
  EXPECT_EQ(std::get<mqtt::Pubrec>(acks[1]).packet_id, 9);
  EXPECT_EQ(Publishes(sub).size(), 1u);
  Send(pub, mqtt::Pubrel{9});
  acks = Received(pub);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(std::get<mqtt::Pubcomp>(acks[0]).packet_id, 9);
  // After PUBREL the id is free: the same id is a new message.
  Publish(pub, "t", "again", 2, false, 9);
  EXPECT_EQ(Publishes(sub).size(), 1u);
}

TEST_F(ShardTest, Qos2OutboundRunsTheFullHandshake) {
  const ConnId sub = Connect("sub");
  Subscribe(sub, "t", 2);
  const ConnId pub = Connect("pub");
  Publish(pub, "t", "x", 2);
  const auto got = Publishes(sub);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].qos, 2);
  Send(sub, mqtt::Pubrec{got[0].packet_id});
  std::vector<mqtt::Packet> packets = Received(sub);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(std::get<mqtt::Pubrel>(packets[0]).packet_id, got[0].packet_id);
  Send(sub, mqtt::Pubcomp{got[0].packet_id});
  EXPECT_TRUE(Received(sub).empty());
}

TEST_F(ShardTest, DeliveryQosIsTheLowerOfSubscriptionAndMessage) {
  const ConnId low = Connect("low");
  Subscribe(low, "t", 0);
  const ConnId high = Connect("high");
  Subscribe(high, "t", 2);
  const ConnId pub = Connect("pub");
  Publish(pub, "t", "x", 1);
  EXPECT_EQ(Publishes(low)[0].qos, 0);
  EXPECT_EQ(Publishes(high)[0].qos, 1);
}

TEST_F(ShardTest, OverlappingSubscriptionsDeliverOnceAtTheHighestQos) {
  const ConnId sub = Connect("sub");
  Subscribe(sub, "a/#", 0, 1);
  Subscribe(sub, "a/+", 2, 2);
  Subscribe(sub, "a/b", 1, 3);
  const ConnId pub = Connect("pub");
  Publish(pub, "a/b", "x", 2);
  const auto got = Publishes(sub);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].qos, 2);
}

TEST_F(ShardTest, WildcardsMatchLevels) {
  const ConnId plus = Connect("plus");
  Subscribe(plus, "room/+/pose", 0);
  const ConnId hash = Connect("hash");
  Subscribe(hash, "room/#", 0);
  const ConnId pub = Connect("pub");
  Publish(pub, "room/7/pose", "1");
  Publish(pub, "room/7/voice", "2");
  Publish(pub, "room", "3");  // "room/#" matches its parent level
  Publish(pub, "other/7/pose", "4");
  EXPECT_EQ(Publishes(plus).size(), 1u);
  const auto all = Publishes(hash);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].payload, "3");
}

TEST_F(ShardTest, DollarTopicsAreNotMatchedByLeadingWildcards) {
  const ConnId hash = Connect("hash");
  Subscribe(hash, "#", 0);
  const ConnId plus = Connect("plus");
  Subscribe(plus, "+/info", 0);
  const ConnId exact = Connect("exact");
  Subscribe(exact, "$test/#", 0);
  const ConnId pub = Connect("pub");
  Publish(pub, "$test/info", "x");
  EXPECT_TRUE(Publishes(hash).empty());
  EXPECT_TRUE(Publishes(plus).empty());
  EXPECT_EQ(Publishes(exact).size(), 1u);
}

TEST_F(ShardTest, ClientsCannotPublishIntoSys) {
  const ConnId sub = Connect("sub");
  Subscribe(sub, "$SYS/#", 0);
  const ConnId pub = Connect("pub");
  Publish(pub, "$SYS/broker/fake", "x", 1);
  EXPECT_EQ(Received(pub).size(), 1u);  // still acknowledged
  EXPECT_TRUE(Publishes(sub).empty());
}

TEST_F(ShardTest, InvalidFilterGetsSubackFailureAndOthersStillSubscribe) {
  const ConnId id = Connect("sub");
  Send(id, mqtt::Subscribe{5, {{"a/b#", 0}, {"ok/+", 1}, {"x/#/y", 0}}});
  std::vector<mqtt::Packet> packets = Received(id);
  ASSERT_EQ(packets.size(), 1u);
  const auto& suback = std::get<mqtt::Suback>(packets[0]);
  EXPECT_EQ(suback.packet_id, 5);
  EXPECT_EQ(suback.return_codes, (std::vector<uint8_t>{0x80, 1, 0x80}));
  EXPECT_FALSE(WasClosed(id));
}

TEST_F(ShardTest, SubscriptionLimitPerClientRefusesTheExtraFilter) {
  limits_.max_subscriptions_per_client = 2;
  const ConnId id = Connect("sub");
  Send(id, mqtt::Subscribe{1, {{"a", 0}, {"b", 0}, {"c", 0}, {"a", 1}}});
  const std::vector<mqtt::Packet> packets = Received(id);
  const auto& suback = std::get<mqtt::Suback>(packets[0]);
  // Re-subscribing to an existing filter is a replacement, not a new one.
  EXPECT_EQ(suback.return_codes, (std::vector<uint8_t>{0, 0, 0x80, 1}));
}

TEST_F(ShardTest, UnsubscribeStopsDeliveryAndIsAlwaysAcknowledged) {
  const ConnId sub = Connect("sub");
  Subscribe(sub, "t", 0);
  Send(sub, mqtt::Unsubscribe{3, {"t", "never-subscribed"}});
  std::vector<mqtt::Packet> packets = Received(sub);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(std::get<mqtt::Unsuback>(packets[0]).packet_id, 3);
  const ConnId pub = Connect("pub");
  Publish(pub, "t", "x");
  EXPECT_TRUE(Publishes(sub).empty());
  EXPECT_EQ(shard().subscription_count(), 0u);
}

TEST_F(ShardTest, RetainedMessageIsSentAfterSubackWithRetainFlag) {
  const ConnId pub = Connect("pub");
  Publish(pub, "status/a", "old", 1, true);
  Publish(pub, "status/a", "new", 2, true);  // replaces
  Publish(pub, "status/b", "b", 0, true);
  const ConnId sub = Connect("sub");
  Send(sub, mqtt::Subscribe{1, {{"status/+", 1}}});
  std::vector<mqtt::Packet> packets = Received(sub);
  ASSERT_EQ(packets.size(), 3u);
  ASSERT_TRUE(std::holds_alternative<mqtt::Suback>(packets[0]));
  std::map<std::string, mqtt::Publish> by_topic;
  for (size_t i = 1; i < packets.size(); ++i) {
    const auto& p = std::get<mqtt::Publish>(packets[i]);
    by_topic[std::string(p.topic)] = p;
  }
  EXPECT_EQ(by_topic["status/a"].payload, "new");
  EXPECT_EQ(by_topic["status/a"].qos, 1);  // min(granted 1, published 2)
  EXPECT_TRUE(by_topic["status/a"].retain);
  EXPECT_EQ(by_topic["status/b"].qos, 0);
}

TEST_F(ShardTest, ForwardedRetainedPublishHasRetainZero) {
  const ConnId sub = Connect("sub");
  Subscribe(sub, "t", 0);
  const ConnId pub = Connect("pub");
  Publish(pub, "t", "x", 0, true);
  const auto got = Publishes(sub);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].retain);
}

TEST_F(ShardTest, EmptyRetainedPayloadClearsTheTopicAndIsStillForwarded) {
  const ConnId pub = Connect("pub");
  Publish(pub, "t", "x", 0, true);
  EXPECT_EQ(shard().retained_count(), 1u);
  const ConnId sub = Connect("sub");
  Subscribe(sub, "t", 0);
  Received(sub);
  Publish(pub, "t", "", 0, true);
  EXPECT_EQ(shard().retained_count(), 0u);
  EXPECT_EQ(Publishes(sub).size(), 1u);
  const ConnId late = Connect("late");
  Subscribe(late, "t", 0);
  EXPECT_TRUE(Publishes(late).empty());
}

TEST_F(ShardTest, InflightWindowHoldsBackTheRestUntilAcknowledged) {
  limits_.max_inflight = 2;
  const ConnId sub = Connect("sub");
  Subscribe(sub, "t", 1);
  const ConnId pub = Connect("pub");
  for (int i = 0; i < 5; ++i) Publish(pub, "t", std::to_string(i), 1);
  auto got = Publishes(sub);
  ASSERT_EQ(got.size(), 2u);
  Send(sub, mqtt::Puback{got[0].packet_id});
  auto next = Publishes(sub);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].payload, "2");  // order is kept
}

TEST_F(ShardTest, OrderIsKeptPerTopicForEachSubscriber) {
  const ConnId sub = Connect("sub");
  Subscribe(sub, "t", 1);
  const ConnId pub = Connect("pub");
  std::vector<std::string> payloads;
  for (int i = 0; i < 100; ++i) payloads.push_back(std::to_string(i));
  for (const std::string& p : payloads) Publish(pub, "t", p, 1);
  std::vector<std::string> seen;
  for (int round = 0; round < 20 && seen.size() < payloads.size(); ++round) {
    for (const auto& p : Publishes(sub)) {
      seen.emplace_back(p.payload);
      Send(sub, mqtt::Puback{p.packet_id});
    }
  }
  EXPECT_EQ(seen, payloads);
}

TEST_F(ShardTest, SlowSubscriberLosesQos0PastTheByteLimitAndOthersDoNot) {
  limits_.max_queued_bytes = 1024;
  const ConnId slow = Connect("slow");
  Subscribe(slow, "t", 0);
  const ConnId fast = Connect("fast");
  Subscribe(fast, "t", 0);
  const ConnId pub = Connect("pub");
  const std::string payload(100, 'p');
  for (int i = 0; i < 50; ++i) {
    Publish(pub, "t", payload);
    Received(fast);  // the fast one keeps draining its socket
  }
  const size_t kept = Publishes(slow).size();
  EXPECT_LT(kept, 50u);
  EXPECT_GE(kept, 9u);
  EXPECT_EQ(shard().stats().qos0_dropped, 50u - kept);
  EXPECT_FALSE(WasClosed(slow));
}

TEST_F(ShardTest, OnlineSubscriberPastItsQueueLimitIsDisconnected) {
  limits_.max_inflight = 1;
  limits_.max_queued_messages = 3;
  const ConnId sub = Connect("sub", false);
  Subscribe(sub, "t", 1);
  const ConnId pub = Connect("pub");
  for (int i = 0; i < 4; ++i) Publish(pub, "t", "x", 1);  // 1 inflight + 3 queued
  EXPECT_FALSE(WasClosed(sub));
  Publish(pub, "t", "x", 1);
  EXPECT_TRUE(WasClosed(sub));
  EXPECT_EQ(shard().stats().overflow_disconnects, 1u);
  EXPECT_FALSE(WasClosed(pub));
}

TEST_F(ShardTest, OfflineSessionDropsPastItsQueueLimit) {
  limits_.max_queued_messages = 2;
  const ConnId sub = Connect("sub", false);
  Subscribe(sub, "t", 1);
  shard().OnClosed(sub);
  const ConnId pub = Connect("pub");
  for (int i = 0; i < 5; ++i) Publish(pub, "t", std::to_string(i), 1);
  EXPECT_EQ(shard().stats().queued_dropped, 3u);
  const ConnId again = Open();
  Send(again, MakeConnect("sub", false));
  std::vector<mqtt::Packet> packets = Received(again);
  ASSERT_EQ(packets.size(), 3u);  // CONNACK and the two oldest
  EXPECT_EQ(std::get<mqtt::Publish>(packets[1]).payload, "0");
  EXPECT_EQ(std::get<mqtt::Publish>(packets[2]).payload, "1");
}

TEST_F(ShardTest, TopicPastTheLevelLimitCloses) {
  limits_.max_topic_levels = 3;
  const ConnId id = Connect("deep");
  Publish(id, "a/b/c/d", "x");
  EXPECT_TRUE(WasClosed(id));
}

class ShardPairTest : public ShardTest {
 protected:
  ShardPairTest() : ShardTest(0, 2) {}
};

TEST_F(ShardPairTest, LocalPublishIsBroadcastAndRemoteMessagesAreRouted) {
  std::string id = "s";
  for (int i = 0; Shard::ShardFor(id, 2) != 0; ++i) id = "s" + std::to_string(i);
  const ConnId sub = Connect(id);
  Subscribe(sub, "t", 0);
  std::string pub_id = "p";
  for (int i = 0; Shard::ShardFor(pub_id, 2) != 0; ++i) pub_id = "p" + std::to_string(i);
  const ConnId pub = Connect(pub_id);
  Publish(pub, "t", "local");
  ASSERT_EQ(host_.broadcasts.size(), 1u);
  EXPECT_EQ(host_.broadcasts[0]->payload(), "local");

  shard().OnRemoteMessage(MakeMessage("t", "remote", 0, true));
  const auto got = Publishes(sub);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].payload, "remote");
  EXPECT_EQ(shard().retained_count(), 1u);
  EXPECT_EQ(host_.broadcasts.size(), 1u);  // remote messages are not re-broadcast
}

}  // namespace
}  // namespace plaza::broker::testing
