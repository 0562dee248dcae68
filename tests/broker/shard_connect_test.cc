// Connection and session rules of the shard: CONNECT validation and every
// CONNACK code it sends, client identifiers, takeover, persistent sessions,
// keep-alive, wills and malformed input -- MQTT 3.1.1 sections 3.1 and 4.1.
#include <gtest/gtest.h>

#include "shard_v5_fixture.h"

namespace plaza::broker::testing {
namespace {

using mqtt::ConnectReturnCode;

TEST_F(ShardTest, AcceptsConnectWithCleanSession) {
  const ConnId id = Open();
  const mqtt::Connack connack = ConnectWith(id, MakeConnect("alice"));
  EXPECT_EQ(connack.return_code, ConnectReturnCode::kAccepted);
  EXPECT_FALSE(connack.session_present);
  EXPECT_FALSE(WasClosed(id));
  EXPECT_EQ(shard().session_count(), 1u);
}

TEST_F(ShardTest, FirstPacketOtherThanConnectCloses) {
  const ConnId id = Open();
  Send(id, mqtt::Pingreq{});
  EXPECT_TRUE(Received(id).empty());
  EXPECT_TRUE(WasClosed(id));
}

TEST_F(ShardTest, SecondConnectIsAProtocolViolation) {
  const ConnId id = Connect("alice");
  Send(id, MakeConnect("alice"));
  EXPECT_TRUE(WasClosed(id));
}

TEST_F(ShardTest, UnsupportedProtocolLevelGetsReturnCode1) {
  const ConnId id = Open();
  mqtt::Connect connect = MakeConnect("old");
  connect.protocol_name = "MQIsdp";
  connect.protocol_level = 3;
  std::string bytes;
  // The codec encodes whatever level it is given; the shard must refuse it.
  mqtt::Encode(connect, &bytes);
  SendRaw(id, bytes);
  std::vector<mqtt::Packet> packets = Received(id);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(std::get<mqtt::Connack>(packets[0]).return_code,
            ConnectReturnCode::kUnacceptableProtocolVersion);
  EXPECT_TRUE(WasClosed(id));
}

TEST_F(ShardTest, EmptyClientIdWithCleanSessionIsAssignedOne) {
  const ConnId a = Connect("");
  const ConnId b = Connect("");
  EXPECT_FALSE(WasClosed(a));
  EXPECT_FALSE(WasClosed(b));
  EXPECT_EQ(shard().session_count(), 2u);  // two distinct identifiers
}

TEST_F(ShardTest, EmptyClientIdWithPersistentSessionIsRejected) {
  const ConnId id = Open();
  const mqtt::Connack connack = ConnectWith(id, MakeConnect("", /*clean=*/false));
  EXPECT_EQ(connack.return_code, ConnectReturnCode::kIdentifierRejected);
  EXPECT_TRUE(WasClosed(id));
  EXPECT_EQ(shard().session_count(), 0u);
}

TEST_F(ShardTest, SameClientIdTakesOverAndPublishesTheOldWill) {
  const ConnId watcher = Connect("watcher");
  Subscribe(watcher, "wills/#", 0);

  const ConnId first = Open();
  mqtt::Connect connect = MakeConnect("dup");
  connect.will = mqtt::Will{"wills/dup", "gone", 0, false};
  ConnectWith(first, connect);

  const ConnId second = Connect("dup");
  EXPECT_TRUE(WasClosed(first));
  EXPECT_FALSE(WasClosed(second));
  const auto wills = Publishes(watcher);
  ASSERT_EQ(wills.size(), 1u);
  EXPECT_EQ(wills[0].payload, "gone");
}

TEST_F(ShardTest, DisconnectDiscardsTheWill) {
  const ConnId watcher = Connect("watcher");
  Subscribe(watcher, "wills/#", 0);
  const ConnId id = Open();
  mqtt::Connect connect = MakeConnect("polite");
  connect.will = mqtt::Will{"wills/polite", "gone", 0, false};
  ConnectWith(id, connect);
  Send(id, mqtt::Disconnect{});
  EXPECT_TRUE(WasClosed(id));
  EXPECT_TRUE(Publishes(watcher).empty());
}

TEST_F(ShardTest, NetworkLossPublishesTheWillWithItsQosAndRetain) {
  const ConnId id = Open();
  mqtt::Connect connect = MakeConnect("fragile");
  connect.will = mqtt::Will{"wills/fragile", "lost", 1, true};
  ConnectWith(id, connect);
  shard().OnClosed(id);  // the socket died

  // Retained: a later subscriber gets it, flagged retain, at QoS 1.
  const ConnId late = Connect("late");
  Send(late, mqtt::Subscribe{7, {{"wills/#", 2}}});
  std::vector<mqtt::Packet> packets = Received(late);
  ASSERT_EQ(packets.size(), 2u);
  const auto& will = std::get<mqtt::Publish>(packets[1]);
  EXPECT_EQ(will.topic, "wills/fragile");
  EXPECT_EQ(will.payload, "lost");
  EXPECT_EQ(will.qos, 1);
  EXPECT_TRUE(will.retain);
}

TEST_F(ShardTest, KeepAliveTimeoutClosesAfterOneAndAHalfPeriods) {
  const ConnId watcher = Connect("watcher", true, 0);
  Subscribe(watcher, "wills/#", 0);
  const ConnId id = Open();
  mqtt::Connect connect = MakeConnect("sleepy", true, 10);
  connect.will = mqtt::Will{"wills/sleepy", "timeout", 0, false};
  ConnectWith(id, connect);

  host_.now += 14'000;
  shard().OnTick();
  EXPECT_FALSE(WasClosed(id));
  Send(id, mqtt::Pingreq{});  // any packet counts as activity
  ASSERT_EQ(Received(id).size(), 1u);

  host_.now += 15'000;
  shard().OnTick();
  EXPECT_FALSE(WasClosed(id));
  host_.now += 1;
  shard().OnTick();
  EXPECT_TRUE(WasClosed(id));
  EXPECT_EQ(Publishes(watcher).size(), 1u);
  EXPECT_FALSE(WasClosed(watcher));  // keep-alive 0 never expires
}

TEST_F(ShardTest, ConnectionWithoutConnectTimesOut) {
  const ConnId id = Open();
  host_.now += limits_.connect_timeout_ms - 1;
  shard().OnTick();
  EXPECT_FALSE(WasClosed(id));
  host_.now += 1;
  shard().OnTick();
  EXPECT_TRUE(WasClosed(id));
}

TEST_F(ShardTest, MalformedPacketClosesOnlyThatConnection) {
  const ConnId good = Connect("good");
  const ConnId bad = Connect("bad");
  SendRaw(bad, std::string("\x30\x02\x00", 3) + "\xff");  // truncated topic
  SendRaw(bad, std::string("\xf0\x00", 2));               // reserved type 15
  EXPECT_TRUE(WasClosed(bad));
  EXPECT_FALSE(WasClosed(good));
  EXPECT_EQ(shard().stats().protocol_errors, 1u);
}

TEST_F(ShardTest, PacketOverTheSizeLimitCloses) {
  limits_.max_packet_size = 64;
  const ConnId id = Connect("big");
  Publish(id, "t", std::string(100, 'x'));
  EXPECT_TRUE(WasClosed(id));
}

TEST_F(ShardTest, PacketsSplitAcrossReadsAreReassembled) {
  const ConnId sub = Connect("sub");
  Subscribe(sub, "t", 0);
  const ConnId id = Open();
  std::string bytes;
  mqtt::Encode(MakeConnect("pub"), &bytes);
  mqtt::Publish publish;
  publish.topic = "t";
  publish.payload = "hello";
  mqtt::Encode(publish, &bytes);
  for (char c : bytes) SendRaw(id, std::string_view(&c, 1));
  const auto got = Publishes(sub);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "hello");
}

TEST_F(ShardTest, ResumedSessionReceivesQueuedMessagesInOrder) {
  const ConnId first = Connect("keeper", false);
  Subscribe(first, "news/#", 1);
  Send(first, mqtt::Disconnect{});
  CompleteCloses();
  const ConnId pub = Connect("pub");
  Publish(pub, "news/a", "1", 1);
  Publish(pub, "news/b", "2", 1);
  Publish(pub, "news/c", "dropped: QoS 0 is not queued offline", 0);

  const ConnId again = Open();
  Send(again, MakeConnect("keeper", false));
  std::vector<mqtt::Packet> packets = Received(again);
  ASSERT_EQ(packets.size(), 3u);
  EXPECT_TRUE(std::get<mqtt::Connack>(packets[0]).session_present);
  EXPECT_EQ(std::get<mqtt::Publish>(packets[1]).payload, "1");
  EXPECT_EQ(std::get<mqtt::Publish>(packets[2]).payload, "2");
  EXPECT_EQ(std::get<mqtt::Publish>(packets[2]).qos, 1);
}

TEST_F(ShardTest, UnacknowledgedMessagesAreResentWithDupOnResume) {
  const ConnId first = Connect("flaky", false);
  Subscribe(first, "t", 2);
  const ConnId pub = Connect("pub");
  Publish(pub, "t", "one", 1);
  Publish(pub, "t", "two", 2);
  auto sent = Publishes(first);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_FALSE(sent[0].dup);
  const uint16_t id_one = sent[0].packet_id;
  const uint16_t id_two = sent[1].packet_id;
  // "two" reaches PUBREC; "one" is never acknowledged.
  Send(first, mqtt::Pubrec{id_two});
  ASSERT_EQ(Received(first).size(), 1u);  // PUBREL
  shard().OnClosed(first);

  const ConnId again = Open();
  Send(again, MakeConnect("flaky", false));
  std::vector<mqtt::Packet> packets = Received(again);
  ASSERT_EQ(packets.size(), 3u);
  const auto& resent = std::get<mqtt::Publish>(packets[1]);
  EXPECT_TRUE(resent.dup);
  EXPECT_EQ(resent.packet_id, id_one);
  EXPECT_EQ(resent.payload, "one");
  EXPECT_EQ(std::get<mqtt::Pubrel>(packets[2]).packet_id, id_two);
}

TEST_F(ShardTest, CleanSessionDiscardsThePersistentOne) {
  const ConnId first = Connect("switch", false);
  Subscribe(first, "t", 1);
  Send(first, mqtt::Disconnect{});
  CompleteCloses();
  const ConnId clean = Open();
  EXPECT_FALSE(ConnectWith(clean, MakeConnect("switch", true)).session_present);
  Send(clean, mqtt::Disconnect{});
  CompleteCloses();
  const ConnId again = Open();
  EXPECT_FALSE(ConnectWith(again, MakeConnect("switch", false)).session_present);
  EXPECT_EQ(shard().subscription_count(), 0u);
}

TEST_F(ShardTest, CleanSessionIsForgottenOnClose) {
  const ConnId id = Connect("brief");
  Subscribe(id, "t", 0);
  EXPECT_EQ(shard().subscription_count(), 1u);
  shard().OnClosed(id);
  EXPECT_EQ(shard().session_count(), 0u);
  EXPECT_EQ(shard().subscription_count(), 0u);
}

class ShardHandoffTest : public ShardTest {
 protected:
  ShardHandoffTest() : ShardTest(0, 4) {}
};

TEST_F(ShardHandoffTest, ConnectForAnotherShardIsHandedOverWithItsBytes) {
  std::string client_id = "x";
  for (int i = 0; Shard::ShardFor(client_id, 4) == 0; ++i) client_id = "x" + std::to_string(i);
  const ConnId id = Open();
  std::string bytes;
  mqtt::Encode(MakeConnect(client_id), &bytes);
  mqtt::Encode(mqtt::Pingreq{}, &bytes);
  SendRaw(id, bytes);
  ASSERT_EQ(host_.handoffs.size(), 1u);
  EXPECT_EQ(host_.handoffs[0].target, Shard::ShardFor(client_id, 4));
  EXPECT_EQ(host_.handoffs[0].input, bytes);                        // CONNECT and what followed it
  EXPECT_EQ(host_.handoffs[0].peer, "test:" + std::to_string(id));  // no getpeername()
  EXPECT_EQ(shard().connection_count(), 0u);
}

TEST_F(ShardHandoffTest, AssignedClientIdsStayOnTheirShard) {
  for (int i = 0; i < 20; ++i) Connect("");
  EXPECT_TRUE(host_.handoffs.empty());
  EXPECT_EQ(shard().session_count(), 20u);
}

}  // namespace
}  // namespace plaza::broker::testing
