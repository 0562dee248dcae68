// MQTT 5 message rules of the shard: acknowledgement reason codes, forwarded
// properties and mixed protocol versions, Message Expiry Interval, topic
// aliases, Receive Maximum and Maximum Packet Size, subscription options and
// Subscription Identifiers.
#include <gtest/gtest.h>

#include "shard_v5_fixture.h"

namespace plaza::broker::testing {
namespace {

using mqtt::ReasonCode;

TEST_F(ShardV5Test, PublishAcknowledgementsCarrySuccess) {
  const ConnId sub = Connect("sub");
  ASSERT_EQ(Subscribe(sub, {"t", 0}), 0);
  const ConnId id = Connect("pub");
  Publish(id, "t", "x", 1, false, {}, 5);
  auto pubacks = ReceivedOf<mqtt::Puback>(id);
  ASSERT_EQ(pubacks.size(), 1u);
  EXPECT_EQ(pubacks[0].reason_code, ReasonCode::kSuccess);
  Publish(id, "t", "x", 2, false, {}, 6);
  auto pubrecs = ReceivedOf<mqtt::Pubrec>(id);
  ASSERT_EQ(pubrecs.size(), 1u);
  EXPECT_EQ(pubrecs[0].reason_code, ReasonCode::kSuccess);
  Send(id, mqtt::Pubrel{6});
  auto pubcomps = ReceivedOf<mqtt::Pubcomp>(id);
  ASSERT_EQ(pubcomps.size(), 1u);
  EXPECT_EQ(pubcomps[0].reason_code, ReasonCode::kSuccess);
  // A PUBREL for an id never received.
  Send(id, mqtt::Pubrel{77});
  pubcomps = ReceivedOf<mqtt::Pubcomp>(id);
  ASSERT_EQ(pubcomps.size(), 1u);
  EXPECT_EQ(pubcomps[0].reason_code, ReasonCode::kPacketIdentifierNotFound);
}

TEST_F(ShardV5Test, PluginDenialOfAPublishIsAnswered) {
  ScriptedHooks hooks;
  hooks_ = &hooks;
  hooks.publish.verdict = HookVerdict::kDeny;
  hooks.publish.reason_code = 0x97;  // quota exceeded
  const ConnId id = Connect("pub");
  Publish(id, "t", "x", 1);
  auto pubacks = ReceivedOf<mqtt::Puback>(id);
  ASSERT_EQ(pubacks.size(), 1u);
  EXPECT_EQ(pubacks[0].reason_code, ReasonCode::kQuotaExceeded);
  Publish(id, "t", "x", 2, false, {}, 9);
  auto pubrecs = ReceivedOf<mqtt::Pubrec>(id);
  ASSERT_EQ(pubrecs.size(), 1u);
  EXPECT_EQ(pubrecs[0].reason_code, ReasonCode::kQuotaExceeded);
  // 3.1.1 has no negative acknowledgement.
  const ConnId old = Connect("old", 4);
  Publish(old, "t", "x", 1);
  auto old_acks = ReceivedOf<mqtt::Puback>(old);
  ASSERT_EQ(old_acks.size(), 1u);
  EXPECT_EQ(old_acks[0].reason_code, ReasonCode::kSuccess);
}

mqtt::Properties MessageProperties() {
  static const mqtt::UserProperty kUser[] = {{"b", "2"}, {"a", "1"}, {"b", "3"}};
  mqtt::Properties p;
  p.payload_format_indicator = 1;
  p.content_type = "text/plain";
  p.response_topic = "reply/here";
  p.correlation_data = std::string_view("\x00\x01\x02", 3);
  p.user_properties = kUser;
  return p;
}

TEST_F(ShardV5Test, MessagePropertiesAreForwardedUnchanged) {
  const ConnId sub = Connect("sub");
  ASSERT_EQ(Subscribe(sub, {"t", 1}), 1);
  const ConnId old = Connect("old", 4);
  Send(old, mqtt::Subscribe{1, {{"t", 1}}});
  Received(old);
  const ConnId pub = Connect("pub");
  Publish(pub, "t", "hello", 1, false, MessageProperties());
  auto got = ReceivedOf<mqtt::Publish>(sub);
  ASSERT_EQ(got.size(), 1u);
  const mqtt::Properties& p = got[0].properties;
  EXPECT_EQ(got[0].payload, "hello");
  EXPECT_EQ(p.payload_format_indicator, 1);
  EXPECT_EQ(p.content_type, "text/plain");
  EXPECT_EQ(p.response_topic, "reply/here");
  EXPECT_EQ(p.correlation_data, std::string_view("\x00\x01\x02", 3));
  const std::vector<mqtt::UserProperty> expected = {{"b", "2"}, {"a", "1"}, {"b", "3"}};
  EXPECT_EQ(p.user_properties.ToVector(), expected);
  EXPECT_FALSE(p.message_expiry_interval.has_value());
  // The 3.1.1 subscriber gets the same message, without properties.
  auto old_got = ReceivedOf<mqtt::Publish>(old);
  ASSERT_EQ(old_got.size(), 1u);
  EXPECT_EQ(old_got[0].topic, "t");
  EXPECT_EQ(old_got[0].payload, "hello");
}

TEST_F(ShardV5Test, ThreeOneOnePublisherReachesAFiveSubscriber) {
  const ConnId sub = Connect("sub");
  ASSERT_EQ(Subscribe(sub, {"t", 2}), 2);
  const ConnId old = Connect("old", 4);
  Publish(old, "t", "plain", 2);
  auto got = ReceivedOf<mqtt::Publish>(sub);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "plain");
  EXPECT_EQ(got[0].qos, 2);
  EXPECT_TRUE(got[0].properties.user_properties.empty());
  EXPECT_FALSE(got[0].properties.content_type.has_value());
}

TEST_F(ShardV5Test, RemainingExpiryIsForwarded) {
  mqtt::Connect connect = MakeConnect("sub", false);
  connect.properties.session_expiry_interval = 1000;
  const ConnId sub = Connect(connect);
  ASSERT_EQ(Subscribe(sub, {"t", 1}), 1);
  const ConnId pub = Connect("pub");
  mqtt::Properties p;
  p.message_expiry_interval = 30;
  Publish(pub, "t", "soon", 1, false, p);
  auto got = ReceivedOf<mqtt::Publish>(sub);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].properties.message_expiry_interval, 30u);
  // Offline: queued; back after 10 s, 20 s are left.
  Send(sub, mqtt::Disconnect{});
  CompleteCloses();
  Publish(pub, "t", "later", 1, false, p);
  host_.now += 10'000;
  const ConnId again = Open();
  ASSERT_TRUE(ConnectWith(again, connect).session_present);
  got = ReceivedOf<mqtt::Publish>(again);
  ASSERT_EQ(got.size(), 2u);  // the unacknowledged one again, then the queued one
  EXPECT_EQ(got[1].payload, "later");
  EXPECT_EQ(got[1].properties.message_expiry_interval, 20u);
}

TEST_F(ShardV5Test, ExpiredMessagesAreNeverDelivered) {
  mqtt::Connect connect = MakeConnect("sub", false);
  connect.properties.session_expiry_interval = 1000;
  const ConnId sub = Connect(connect);
  ASSERT_EQ(Subscribe(sub, {"t", 1}), 1);
  Send(sub, mqtt::Disconnect{});
  CompleteCloses();
  const ConnId pub = Connect("pub");
  mqtt::Properties p;
  p.message_expiry_interval = 5;
  Publish(pub, "t", "queued", 1, false, p);
  Publish(pub, "r", "retained", 1, true, p);
  host_.now += 5'000;
  const ConnId again = Open();
  ASSERT_TRUE(ConnectWith(again, connect).session_present);
  EXPECT_TRUE(ReceivedOf<mqtt::Publish>(again).empty());
  EXPECT_EQ(Subscribe(again, {"r", 1}, 0, 2), 1);
  EXPECT_TRUE(ReceivedOf<mqtt::Publish>(again).empty());
  EXPECT_GE(shard().stats().expired_dropped, 2u);
}

TEST_F(ShardV5Test, TopicAliasesFromTheClient) {
  const ConnId sub = Connect("sub");
  ASSERT_EQ(Subscribe(sub, {"long/topic", 0}), 0);
  const ConnId pub = Connect("pub");
  mqtt::Properties p;
  p.topic_alias = 3;
  Publish(pub, "long/topic", "one", 0, false, p);
  Publish(pub, "", "two", 0, false, p);
  auto got = ReceivedOf<mqtt::Publish>(sub);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].topic, "long/topic");
  EXPECT_EQ(got[1].payload, "two");
  EXPECT_FALSE(got[1].properties.topic_alias.has_value());
}

TEST_F(ShardV5Test, TopicAliasOutOfRangeIs0x94) {
  const ConnId pub = Connect("pub");
  mqtt::Properties p;
  p.topic_alias = kTopicAliasMaximum + 1;
  Publish(pub, "t", "x", 0, false, p);
  const auto disconnect = ServerDisconnect(pub);
  ASSERT_TRUE(disconnect);
  EXPECT_EQ(disconnect->reason_code, ReasonCode::kTopicAliasInvalid);
  EXPECT_TRUE(WasClosed(pub));
}

TEST_F(ShardV5Test, UnknownTopicAliasIsAProtocolError) {
  const ConnId pub = Connect("pub");
  mqtt::Properties p;
  p.topic_alias = 2;
  Publish(pub, "", "x", 0, false, p);
  const auto disconnect = ServerDisconnect(pub);
  ASSERT_TRUE(disconnect);
  EXPECT_EQ(disconnect->reason_code, ReasonCode::kProtocolError);
}

TEST_F(ShardV5Test, SubscriptionIdentifierFromAClientIsAProtocolError) {
  const ConnId pub = Connect("pub");
  static const uint32_t kIds[] = {4};
  mqtt::Properties p;
  p.subscription_identifiers = kIds;
  Publish(pub, "t", "x", 0, false, p);
  const auto disconnect = ServerDisconnect(pub);
  ASSERT_TRUE(disconnect);
  EXPECT_EQ(disconnect->reason_code, ReasonCode::kProtocolError);
}

TEST_F(ShardV5Test, ClientReceiveMaximumLimitsInflight) {
  limits_.max_inflight = 10;
  mqtt::Connect connect = MakeConnect("sub");
  connect.properties.receive_maximum = 2;
  const ConnId sub = Connect(connect);
  ASSERT_EQ(Subscribe(sub, {"t", 1}), 1);
  const ConnId pub = Connect("pub");
  for (int i = 0; i < 5; ++i) Publish(pub, "t", "x", 1);
  auto got = ReceivedOf<mqtt::Publish>(sub);
  ASSERT_EQ(got.size(), 2u);
  Send(sub, mqtt::Puback{got[0].packet_id});
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(sub).size(), 1u);
}

TEST_F(ShardV5Test, ExceedingTheServersReceiveMaximumIs0x93) {
  limits_.max_inflight = 2;
  const ConnId pub = Connect("pub");
  for (uint16_t i = 1; i <= 3; ++i) Publish(pub, "t", "x", 2, false, {}, i);
  const auto disconnect = ServerDisconnect(pub);
  ASSERT_TRUE(disconnect);
  EXPECT_EQ(disconnect->reason_code, ReasonCode::kReceiveMaximumExceeded);
}

TEST_F(ShardV5Test, MessageTooLargeForTheClientIsNotSent) {
  mqtt::Connect connect = MakeConnect("small");
  connect.properties.maximum_packet_size = 64;
  const ConnId sub = Connect(connect);
  ASSERT_EQ(Subscribe(sub, {"t", 1}), 1);
  const ConnId pub = Connect("pub");
  Publish(pub, "t", std::string(100, 'x'), 1);
  Publish(pub, "t", "fits", 1);
  auto got = ReceivedOf<mqtt::Publish>(sub);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "fits");
  EXPECT_EQ(shard().stats().oversize_dropped, 1u);
}

TEST_F(ShardV5Test, NoLocalSkipsTheClientsOwnMessages) {
  const ConnId id = Connect("self");
  mqtt::SubscribeFilter filter{"t", 0};
  filter.no_local = true;
  ASSERT_EQ(Subscribe(id, filter), 0);
  Publish(id, "t", "mine");
  EXPECT_TRUE(ReceivedOf<mqtt::Publish>(id).empty());
  const ConnId other = Connect("other");
  Publish(other, "t", "theirs");
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(id).size(), 1u);
}

TEST_F(ShardV5Test, RetainAsPublishedKeepsTheFlag) {
  const ConnId keep = Connect("keep");
  mqtt::SubscribeFilter filter{"t", 0};
  filter.retain_as_published = true;
  ASSERT_EQ(Subscribe(keep, filter), 0);
  const ConnId plain = Connect("plain");
  ASSERT_EQ(Subscribe(plain, {"t", 0}), 0);
  const ConnId pub = Connect("pub");
  Publish(pub, "t", "r", 0, true);
  auto kept = ReceivedOf<mqtt::Publish>(keep);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_TRUE(kept[0].retain);
  auto cleared = ReceivedOf<mqtt::Publish>(plain);
  ASSERT_EQ(cleared.size(), 1u);
  EXPECT_FALSE(cleared[0].retain);
}

TEST_F(ShardV5Test, RetainHandlingDecidesWhatASubscriptionGets) {
  const ConnId pub = Connect("pub");
  Publish(pub, "r", "kept", 0, true);
  const ConnId id = Connect("sub");
  mqtt::SubscribeFilter filter{"r", 0};
  filter.retain_handling = mqtt::kRetainDoNotSend;
  ASSERT_EQ(Subscribe(id, filter), 0);
  EXPECT_TRUE(ReceivedOf<mqtt::Publish>(id).empty());
  // 1: only for a new subscription; this one exists already.
  filter.retain_handling = mqtt::kRetainSendIfNewSubscription;
  ASSERT_EQ(Subscribe(id, filter), 0);
  EXPECT_TRUE(ReceivedOf<mqtt::Publish>(id).empty());
  filter.filter = "#";
  ASSERT_EQ(Subscribe(id, filter), 0);
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(id).size(), 1u);
  // 0: always.
  filter.retain_handling = mqtt::kRetainSendAtSubscribe;
  ASSERT_EQ(Subscribe(id, filter), 0);
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(id).size(), 1u);
}

TEST_F(ShardV5Test, SubscriptionIdentifiersAreSentWithDeliveries) {
  const ConnId id = Connect("sub");
  ASSERT_EQ(Subscribe(id, {"a/+", 0}, 7), 0);
  ASSERT_EQ(Subscribe(id, {"a/b", 0}, 300), 0);
  ASSERT_EQ(Subscribe(id, {"#", 0}), 0);
  const ConnId pub = Connect("pub");
  Publish(pub, "a/b", "x");
  auto got = ReceivedOf<mqtt::Publish>(id);
  ASSERT_EQ(got.size(), 1u);  // one copy, with both identifiers
  std::vector<uint32_t> ids = got[0].properties.subscription_identifiers.ToVector();
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<uint32_t>{7, 300}));
  Publish(pub, "c", "x");
  got = ReceivedOf<mqtt::Publish>(id);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].properties.subscription_identifiers.empty());
}

TEST_F(ShardV5Test, SubackAndUnsubackReasonCodes) {
  limits_.max_subscriptions_per_client = 1;
  const ConnId id = Connect("sub");
  mqtt::Subscribe subscribe{1, {{"ok", 1}, {"bad/#/x", 0}, {"$share//t", 0}, {"more", 0}}};
  Send(id, subscribe);
  auto subacks = ReceivedOf<mqtt::Suback>(id);
  ASSERT_EQ(subacks.size(), 1u);
  EXPECT_EQ(subacks[0].return_codes, (std::vector<uint8_t>{1, 0x8F, 0x8F, 0x97}));
  Send(id, mqtt::Unsubscribe{2, {"ok", "never"}});
  auto unsubacks = ReceivedOf<mqtt::Unsuback>(id);
  ASSERT_EQ(unsubacks.size(), 1u);
  EXPECT_EQ(unsubacks[0].reason_codes,
            (std::vector<ReasonCode>{ReasonCode::kSuccess, ReasonCode::kNoSubscriptionExisted}));
}

TEST_F(ShardV5Test, PluginDenialOfASubscriptionPassesItsCode) {
  ScriptedHooks hooks;
  hooks_ = &hooks;
  hooks.subscribe.verdict = HookVerdict::kDeny;
  hooks.subscribe.reason_code = 0x87;
  const ConnId id = Connect("sub");
  EXPECT_EQ(Subscribe(id, {"t", 0}), 0x87);
  const ConnId old = Connect("old", 4);
  Send(old, mqtt::Subscribe{1, {{"t", 0}}});
  auto subacks = ReceivedOf<mqtt::Suback>(old);
  ASSERT_EQ(subacks.size(), 1u);
  EXPECT_EQ(subacks[0].return_codes, (std::vector<uint8_t>{0x80}));
}

}  // namespace
}  // namespace plaza::broker::testing
