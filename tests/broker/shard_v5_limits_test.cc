// MQTT 5 rules of the shard that come from limits on either side: Server
// Keep Alive (limits.max_keep_alive), topic aliases the broker assigns
// toward a client, "No matching subscribers" (0x10) on acknowledgements,
// and the client's Maximum Packet Size when a session resumes.
#include <gtest/gtest.h>

#include "shard_v5_fixture.h"

namespace plaza::broker::testing {
namespace {

using mqtt::ReasonCode;

mqtt::Connect WithKeepAlive(mqtt::Connect connect, uint16_t keep_alive) {
  connect.keep_alive = keep_alive;
  return connect;
}

TEST_F(ShardV5Test, KeepAliveAboveTheCapIsToldAndHeldTo) {
  limits_.max_keep_alive = 30;
  const ConnId id = Open();
  const mqtt::Connack connack = ConnectWith(id, WithKeepAlive(MakeConnect("a"), 300));
  EXPECT_EQ(connack.reason_code, ReasonCode::kSuccess);
  EXPECT_EQ(connack.properties.server_keep_alive, 30);
  // 1.5 x 30 s of silence closes it, long before 300 s would.
  host_.now += 45'000;
  shard().OnTick();
  EXPECT_FALSE(WasClosed(id));
  host_.now += 1;
  shard().OnTick();
  const auto disconnect = ServerDisconnect(id);
  ASSERT_TRUE(disconnect);
  EXPECT_EQ(disconnect->reason_code, ReasonCode::kKeepAliveTimeout);
  EXPECT_TRUE(WasClosed(id));
}

TEST_F(ShardV5Test, NoKeepAliveIsCappedToo) {
  limits_.max_keep_alive = 30;
  const ConnId id = Open();
  const mqtt::Connack connack = ConnectWith(id, WithKeepAlive(MakeConnect("a"), 0));
  EXPECT_EQ(connack.properties.server_keep_alive, 30);
  host_.now += 45'001;
  shard().OnTick();
  EXPECT_TRUE(WasClosed(id));
}

TEST_F(ShardV5Test, KeepAliveWithinTheCapIsKept) {
  limits_.max_keep_alive = 30;
  const ConnId id = Open();
  const mqtt::Connack connack = ConnectWith(id, WithKeepAlive(MakeConnect("a"), 20));
  EXPECT_FALSE(connack.properties.server_keep_alive.has_value());
  host_.now += 30'001;
  shard().OnTick();
  EXPECT_TRUE(WasClosed(id));
}

TEST_F(ShardV5Test, ThreeOneOneKeepAliveAboveTheCapIsRefused) {
  limits_.max_keep_alive = 30;
  const ConnId id = Open();
  const mqtt::Connack refused =
      ConnectWith(id, WithKeepAlive(MakeConnect("old", true, mqtt::kProtocolLevel311), 60));
  EXPECT_EQ(refused.return_code, mqtt::ConnectReturnCode::kIdentifierRejected);
  EXPECT_TRUE(WasClosed(id));
  const ConnId zero = Open();
  EXPECT_EQ(ConnectWith(zero, WithKeepAlive(MakeConnect("old", true, mqtt::kProtocolLevel311), 0))
                .return_code,
            mqtt::ConnectReturnCode::kIdentifierRejected);
  const ConnId within = Open();
  EXPECT_EQ(
      ConnectWith(within, WithKeepAlive(MakeConnect("old", true, mqtt::kProtocolLevel311), 30))
          .return_code,
      mqtt::ConnectReturnCode::kAccepted);
}

// A subscriber that accepts `aliases` topic aliases from the broker.
mqtt::Connect TakingAliases(std::string_view client_id, uint16_t aliases) {
  mqtt::Connect connect;
  connect.protocol_name = "MQTT";
  connect.protocol_level = mqtt::kProtocolLevel5;
  connect.client_id = client_id;
  connect.keep_alive = 60;
  connect.properties.topic_alias_maximum = aliases;
  return connect;
}

TEST_F(ShardV5Test, BrokerAssignsTopicAliasesToAClientThatTakesThem) {
  const ConnId sub = Connect(TakingAliases("sub", 2));
  ASSERT_EQ(Subscribe(sub, {"room/#", 0}), 0);
  const ConnId pub = Connect("pub");
  const std::string a = "room/1/pose/player-0001";
  const std::string b = "room/1/pose/player-0002";
  const std::string c = "room/1/pose/player-0003";
  for (const std::string& topic : {a, a, b, b, c, a}) Publish(pub, topic, "p");
  auto got = ReceivedOf<mqtt::Publish>(sub);
  ASSERT_EQ(got.size(), 6u);
  // First time: the topic and a new alias; then the alias and no topic.
  EXPECT_EQ(got[0].topic, a);
  EXPECT_EQ(got[0].properties.topic_alias, 1);
  EXPECT_EQ(got[1].topic, "");
  EXPECT_EQ(got[1].properties.topic_alias, 1);
  EXPECT_EQ(got[2].topic, b);
  EXPECT_EQ(got[2].properties.topic_alias, 2);
  EXPECT_EQ(got[3].topic, "");
  EXPECT_EQ(got[3].properties.topic_alias, 2);
  // Both aliases are taken and recently used: c goes without one.
  EXPECT_EQ(got[4].topic, c);
  EXPECT_FALSE(got[4].properties.topic_alias.has_value());
  EXPECT_EQ(got[5].topic, "");
  EXPECT_EQ(got[5].properties.topic_alias, 1);
}

TEST_F(ShardV5Test, AnIdleAliasIsReassigned) {
  const ConnId sub = Connect(TakingAliases("sub", 1));
  ASSERT_EQ(Subscribe(sub, {"#", 0}), 0);
  const ConnId pub = Connect("pub");
  Publish(pub, "old", "x");
  // Three deliveries later "old" is still too recent to lose its alias...
  for (int i = 0; i < 3; ++i) Publish(pub, "y/" + std::to_string(i), "x");
  // ...four later (4 x maximum) it has been idle long enough.
  Publish(pub, "new", "x");
  Publish(pub, "new", "x");
  auto got = ReceivedOf<mqtt::Publish>(sub);
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got[0].properties.topic_alias, 1);
  for (int i = 1; i <= 3; ++i) EXPECT_FALSE(got[i].properties.topic_alias.has_value()) << i;
  EXPECT_EQ(got[4].topic, "new");
  EXPECT_EQ(got[4].properties.topic_alias, 1);
  EXPECT_EQ(got[5].topic, "");
  EXPECT_EQ(got[5].properties.topic_alias, 1);
}

TEST_F(ShardV5Test, AliasesSaveBytesAndKeepTheRestOfThePacket) {
  const std::string topic = "rooms/room-0042/pose/player-0007";
  auto bytes_for = [&](ConnId sub, ConnId pub) {
    mqtt::Properties p;
    p.content_type = "pose";
    Publish(pub, topic, "0123456789", 1, false, p);
    Received(sub);  // the first one, with the topic
    Publish(pub, topic, "0123456789", 1, false, p);
    const size_t bytes = ShardOf(sub).Output(sub)->bytes();
    auto got = ReceivedOf<mqtt::Publish>(sub);
    EXPECT_EQ(got.size(), 1u);
    if (!got.empty()) {
      EXPECT_EQ(got[0].payload, "0123456789");
      EXPECT_EQ(got[0].properties.content_type, "pose");
      EXPECT_EQ(got[0].qos, 1);
    }
    return bytes;
  };
  const ConnId plain = Connect("plain");
  ASSERT_EQ(Subscribe(plain, {"rooms/#", 1}), 1);
  const ConnId pub = Connect("pub");
  const size_t without = bytes_for(plain, pub);
  Send(plain, mqtt::Unsubscribe{2, {"rooms/#"}});
  const ConnId aliased = Connect(TakingAliases("aliased", 8));
  ASSERT_EQ(Subscribe(aliased, {"rooms/#", 1}), 1);
  const size_t with = bytes_for(aliased, pub);
  // The topic (32 bytes) is gone; the alias property costs 3.
  EXPECT_EQ(without - with, topic.size() - 3);
}

TEST_F(ShardV5Test, NoAliasesWhenTheClientOrTheConfigurationSaysNone) {
  const ConnId silent = Connect("silent");  // no Topic Alias Maximum
  ASSERT_EQ(Subscribe(silent, {"t", 0}), 0);
  limits_.max_outbound_topic_aliases = 0;
  shard().SetLimits(limits_);
  const ConnId capped = Connect(TakingAliases("capped", 10));
  ASSERT_EQ(Subscribe(capped, {"t", 0}), 0);
  const ConnId pub = Connect("pub");
  Publish(pub, "t", "x");
  Publish(pub, "t", "x");
  for (ConnId id : {silent, capped}) {
    for (const mqtt::Publish& p : ReceivedOf<mqtt::Publish>(id)) {
      EXPECT_EQ(p.topic, "t");
      EXPECT_FALSE(p.properties.topic_alias.has_value());
    }
  }
}

TEST_F(ShardV5Test, ANewAliasIsNotAssignedWhenItWouldNotFit) {
  mqtt::Connect connect = TakingAliases("small", 4);
  const std::string topic = "a/topic";
  // Exactly the PUBLISH without an alias: 1 + 1 + (2 + 7) + 1 + 1 payload.
  connect.properties.maximum_packet_size = 13;
  const ConnId sub = Connect(connect);
  ASSERT_EQ(Subscribe(sub, {topic, 0}), 0);
  const ConnId pub = Connect("pub");
  Publish(pub, topic, "x");
  Publish(pub, topic, "x");
  auto got = ReceivedOf<mqtt::Publish>(sub);
  ASSERT_EQ(got.size(), 2u);
  for (const mqtt::Publish& p : got) {
    EXPECT_EQ(p.topic, topic);
    EXPECT_FALSE(p.properties.topic_alias.has_value());
  }
}

TEST_F(ShardV5Test, AConflatedReplacementKeepsTheAliasOfWhatItReplaces) {
  ScriptedHooks hooks;
  hooks.conflate = true;
  hooks_ = &hooks;
  const ConnId sub = Connect(TakingAliases("sub", 4));
  ASSERT_EQ(Subscribe(sub, {"pose/#", 1}), 1);
  const ConnId pub = Connect("pub");
  // The subscriber reads nothing meanwhile: the QoS 0 states replace each
  // other in its queue; the first one gave "pose/a" alias 1.
  Publish(pub, "pose/a", "1");
  Publish(pub, "pose/a", "2");
  Publish(pub, "pose/a", "3", 1);  // not conflated: uses alias 1, no topic
  Publish(pub, "pose/a", "4");     // conflated again, into the first frame
  auto got = ReceivedOf<mqtt::Publish>(sub);
  ASSERT_EQ(got.size(), 2u);
  // The frame the client reads first still carries the topic with alias 1.
  EXPECT_EQ(got[0].payload, "4");
  EXPECT_EQ(got[0].topic, "pose/a");
  EXPECT_EQ(got[0].properties.topic_alias, 1);
  EXPECT_EQ(got[1].payload, "3");
  EXPECT_EQ(got[1].topic, "");
  EXPECT_EQ(got[1].properties.topic_alias, 1);
  // A state queued with a known alias and replaced: the replacement names
  // the topic again.
  Publish(pub, "pose/a", "5");
  Publish(pub, "pose/a", "6");
  got = ReceivedOf<mqtt::Publish>(sub);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "6");
  EXPECT_EQ(got[0].topic, "pose/a");
  EXPECT_EQ(got[0].properties.topic_alias, 1);
}

TEST_F(ShardV5Test, NoMatchingSubscribersIsTold0x10) {
  const ConnId pub = Connect("pub");
  Publish(pub, "nobody/here", "x", 1);
  auto pubacks = ReceivedOf<mqtt::Puback>(pub);
  ASSERT_EQ(pubacks.size(), 1u);
  EXPECT_EQ(pubacks[0].reason_code, ReasonCode::kNoMatchingSubscribers);
  // QoS 2: 0x10 is not an error, so the flow goes on to PUBCOMP.
  Publish(pub, "nobody/here", "x", 2, false, {}, 7);
  auto pubrecs = ReceivedOf<mqtt::Pubrec>(pub);
  ASSERT_EQ(pubrecs.size(), 1u);
  EXPECT_EQ(pubrecs[0].reason_code, ReasonCode::kNoMatchingSubscribers);
  EXPECT_FALSE(pubrecs[0].properties.reason_string.has_value());
  Send(pub, mqtt::Pubrel{7});
  auto pubcomps = ReceivedOf<mqtt::Pubcomp>(pub);
  ASSERT_EQ(pubcomps.size(), 1u);
  EXPECT_EQ(pubcomps[0].reason_code, ReasonCode::kSuccess);
  // A subscriber that only matches with No Local does not count.
  mqtt::SubscribeFilter own{"nobody/#", 0};
  own.no_local = true;
  ASSERT_EQ(Subscribe(pub, own), 0);
  Publish(pub, "nobody/here", "x", 1);
  pubacks = ReceivedOf<mqtt::Puback>(pub);
  ASSERT_EQ(pubacks.size(), 1u);
  EXPECT_EQ(pubacks[0].reason_code, ReasonCode::kNoMatchingSubscribers);
  // A shared subscription counts.
  const ConnId member = Connect("member");
  ASSERT_EQ(Subscribe(member, {"$share/g/nobody/#", 0}), 0);
  Publish(pub, "nobody/here", "x", 1);
  pubacks = ReceivedOf<mqtt::Puback>(pub);
  ASSERT_EQ(pubacks.size(), 1u);
  EXPECT_EQ(pubacks[0].reason_code, ReasonCode::kSuccess);
}

TEST_F(ShardV5Test, NoMatchingSubscribersIsNotSaidWhenAPluginSeesPublishes) {
  // A plugin with a publish hook may act on the message (a room command).
  ScriptedHooks hooks;
  hooks_ = &hooks;
  const ConnId pub = Connect("pub");
  Publish(pub, "rooms/r/join", "", 1);
  auto pubacks = ReceivedOf<mqtt::Puback>(pub);
  ASSERT_EQ(pubacks.size(), 1u);
  EXPECT_EQ(pubacks[0].reason_code, ReasonCode::kSuccess);
}

TEST_F(ShardV5Test, ThreeOneOnePublishersGetAPlainPuback) {
  const ConnId old = Connect("old", mqtt::kProtocolLevel311);
  Publish(old, "nobody", "x", 1);
  auto pubacks = ReceivedOf<mqtt::Puback>(old);
  ASSERT_EQ(pubacks.size(), 1u);
  EXPECT_EQ(pubacks[0].reason_code, ReasonCode::kSuccess);
}

class ShardV5ClusterTest : public ShardV5Test {
 protected:
  ShardV5ClusterTest() { shard_count_ = 4; }
};

TEST_F(ShardV5ClusterTest, NoMatchingSubscribersLooksAtEveryShard) {
  const ConnId pub = Connect("pub");
  // A subscriber on another shard than the publisher.
  std::string name;
  for (int n = 0; name.empty(); ++n) {
    const std::string id = "sub" + std::to_string(n);
    if (Shard::ShardFor(id, shard_count_) != Shard::ShardFor("pub", shard_count_)) name = id;
  }
  const ConnId sub = Connect(name);
  ASSERT_EQ(Subscribe(sub, {"a/+/c", 1}), 1);
  Publish(pub, "a/b/c", "x", 1);
  auto pubacks = ReceivedOf<mqtt::Puback>(pub);
  ASSERT_EQ(pubacks.size(), 1u);
  EXPECT_EQ(pubacks[0].reason_code, ReasonCode::kSuccess);
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(sub).size(), 1u);
  // The summary of the other shards is by the first two levels: nothing
  // there starts with x/.
  Publish(pub, "x/b/c", "x", 1);
  pubacks = ReceivedOf<mqtt::Puback>(pub);
  ASSERT_EQ(pubacks.size(), 1u);
  EXPECT_EQ(pubacks[0].reason_code, ReasonCode::kNoMatchingSubscribers);
  // Gone again: nobody.
  Send(sub, mqtt::Unsubscribe{3, {"a/+/c"}});
  Publish(pub, "a/b/c", "x", 1);
  pubacks = ReceivedOf<mqtt::Puback>(pub);
  ASSERT_EQ(pubacks.size(), 1u);
  EXPECT_EQ(pubacks[0].reason_code, ReasonCode::kNoMatchingSubscribers);
}

TEST_F(ShardV5ClusterTest, ASharedMemberOnThePublishersShardCounts) {
  // Member and publisher on one shard, the group's home on another.
  const size_t home = Shard::ShardFor("$share/g/t", shard_count_);
  std::vector<std::string> names;
  for (int n = 0; names.size() < 2; ++n) {
    const std::string id = "c" + std::to_string(n);
    if (Shard::ShardFor(id, shard_count_) == (home + 1) % shard_count_) names.push_back(id);
  }
  const ConnId member = Connect(names[0]);
  ASSERT_EQ(Subscribe(member, {"$share/g/t", 0}), 0);
  const ConnId pub = Connect(names[1]);
  Publish(pub, "t", "x", 1);
  auto pubacks = ReceivedOf<mqtt::Puback>(pub);
  ASSERT_EQ(pubacks.size(), 1u);
  EXPECT_EQ(pubacks[0].reason_code, ReasonCode::kSuccess);
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(member).size(), 1u);
}

TEST_F(ShardV5Test, MessagesTooLargeForTheResumingConnectionAreDropped) {
  mqtt::Connect big = MakeConnect("sub", false);
  big.properties.session_expiry_interval = 1000;
  big.properties.receive_maximum = 1;  // one in flight, the rest queued
  const ConnId sub = Connect(big);
  ASSERT_EQ(Subscribe(sub, {"t", 1}), 1);
  const ConnId pub = Connect("pub");
  Publish(pub, "t", std::string(200, 'a'), 1);  // in flight, unacknowledged
  Publish(pub, "t", std::string(200, 'b'), 1);  // queued
  Publish(pub, "t", "small", 1);                // queued
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(sub).size(), 1u);
  Send(sub, mqtt::Disconnect{});
  CompleteCloses();
  // Back with a Maximum Packet Size the large ones exceed.
  mqtt::Connect small = big;
  small.properties.maximum_packet_size = 100;
  const ConnId again = Open();
  ASSERT_TRUE(ConnectWith(again, small).session_present);
  auto got = ReceivedOf<mqtt::Publish>(again);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "small");
  EXPECT_EQ(shard().stats().oversize_dropped, 2u);
}

}  // namespace
}  // namespace plaza::broker::testing
