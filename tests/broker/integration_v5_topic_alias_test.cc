// Topic aliases both ways against the real broker. Toward a client: a raw
// MQTT 5 subscriber that accepts aliases sees the topic and an alias on the
// first PUBLISH and only the alias (empty topic, fewer bytes) on the next;
// a client that accepts none gets none. From a client: mosquitto_pub and a
// raw publisher set and use aliases, subscribers get full topics; an alias
// beyond the broker's maximum is 0x94.
#include <gtest/gtest.h>

#include <string>

#include "broker_process.h"
#include "mosquitto_cli.h"
#include "paho5_client.h"
#include "raw_v5_packets.h"

namespace plaza::testing {
namespace {

// A raw v5 subscriber to `filter`, accepting `aliases` topic aliases.
void RawSubscriber(raw::Client* client, uint16_t port, const std::string& id,
                   const std::string& filter, uint16_t aliases) {
  ASSERT_TRUE(client->Open(port));
  const std::string properties = aliases ? raw5::U16Property(0x22, aliases) : std::string();
  ASSERT_TRUE(client->Send(raw5::Connect(id, 60, properties)));
  ASSERT_TRUE(client->ReadPacket());
  ASSERT_TRUE(client->Send(raw5::Subscribe(1, filter, 0)));
  ASSERT_TRUE(client->ReadPacket());
}

raw5::PublishFields NextPublish(raw::Client* client) {
  const std::optional<raw::Packet> packet = client->ReadPacket();
  EXPECT_TRUE(packet);
  if (!packet) return {};
  const auto publish = raw5::ParsePublish(*packet);
  EXPECT_TRUE(publish);
  return publish.value_or(raw5::PublishFields{});
}

TEST(V5TopicAliasTest, TheBrokerAliasesTopicsForAClientThatTakesThem) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithArgs({"--threads", "2"}))) << broker.error();
  raw::Client aliased, plain;
  RawSubscriber(&aliased, broker.port(), "aliased", "rooms/#", 8);
  RawSubscriber(&plain, broker.port(), "plain", "rooms/#", 0);
  const std::string topic = "rooms/room-0042/pose/player-0007";
  for (const char* payload : {"pose-1", "pose-2"}) {
    const CommandResult pub = MosquittoPub(broker.port(), "mqttv5", {"-t", topic, "-m", payload});
    ASSERT_EQ(pub.exit_code, 0) << pub.err;
  }
  const raw5::PublishFields first = NextPublish(&aliased);
  const raw5::PublishFields second = NextPublish(&aliased);
  EXPECT_EQ(first.topic, topic);
  EXPECT_EQ(first.topic_alias, 1);
  EXPECT_EQ(first.payload, "pose-1");
  EXPECT_EQ(second.topic, "");
  EXPECT_EQ(second.topic_alias, 1);
  EXPECT_EQ(second.payload, "pose-2");
  // The bytes saved: the topic, less nothing (both carry the alias).
  EXPECT_EQ(first.wire_size - second.wire_size, topic.size());
  const raw5::PublishFields unaliased = NextPublish(&plain);
  EXPECT_EQ(unaliased.topic, topic);
  EXPECT_FALSE(unaliased.topic_alias);
  EXPECT_EQ(unaliased.wire_size - second.wire_size, topic.size() - 3);
  EXPECT_EQ(NextPublish(&plain).topic, topic);
}

TEST(V5TopicAliasTest, TheConfiguredCapLimitsTheAliases) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithConfig("limits:\n  max_outbound_topic_aliases: 1\n")))
      << broker.error();
  raw::Client client;
  RawSubscriber(&client, broker.port(), "capped", "cap/#", 10);
  for (const char* topic : {"cap/a", "cap/b", "cap/a"}) {
    const CommandResult pub = MosquittoPub(broker.port(), "mqttv5", {"-t", topic, "-m", "x"});
    ASSERT_EQ(pub.exit_code, 0) << pub.err;
  }
  EXPECT_EQ(NextPublish(&client).topic_alias, 1);
  EXPECT_FALSE(NextPublish(&client).topic_alias);  // only one alias to give
  const raw5::PublishFields again = NextPublish(&client);
  EXPECT_EQ(again.topic, "");
  EXPECT_EQ(again.topic_alias, 1);
}

TEST(V5TopicAliasTest, ClientsMayAliasTopicsTowardTheBroker) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithArgs({"--threads", "2"}))) << broker.error();
  Paho5Client sub(broker.port(), "sub");
  ASSERT_TRUE(sub.Connect()) << sub.error();
  ASSERT_EQ(sub.Subscribe("alias/#", 0), 0) << sub.error();
  // mosquitto_pub sets an alias with its topic.
  const CommandResult pub =
      MosquittoPub(broker.port(), "mqttv5",
                   {"-t", "alias/cli", "-m", "from-cli", "-D", "publish", "topic-alias", "3"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  std::optional<Received5> got = sub.Receive();
  ASSERT_TRUE(got) << sub.error();
  EXPECT_EQ(got->topic, "alias/cli");
  // A raw publisher sets alias 5, then uses it with an empty topic.
  raw::Client raw_pub;
  ASSERT_TRUE(raw_pub.Open(broker.port()));
  ASSERT_TRUE(raw_pub.Send(raw5::Connect("raw-pub", 60)));
  ASSERT_TRUE(raw_pub.ReadPacket());
  const std::string alias = raw5::U16Property(0x23, 5);
  ASSERT_TRUE(raw_pub.Send(raw5::Publish("alias/raw", "one", 0, 0, alias)));
  ASSERT_TRUE(raw_pub.Send(raw5::Publish("", "two", 0, 0, alias)));
  for (const char* payload : {"one", "two"}) {
    got = sub.Receive();
    ASSERT_TRUE(got) << sub.error();
    EXPECT_EQ(got->topic, "alias/raw");
    EXPECT_EQ(got->payload, payload);
  }
  // Beyond the broker's Topic Alias Maximum (32): 0x94.
  ASSERT_TRUE(raw_pub.Send(raw5::Publish("alias/raw", "x", 0, 0, raw5::U16Property(0x23, 33))));
  const std::optional<raw::Packet> answer = raw_pub.ReadPacket();
  ASSERT_TRUE(answer);
  const auto disconnect = raw5::ParseDisconnect(*answer);
  ASSERT_TRUE(disconnect);
  EXPECT_EQ(disconnect->reason_code, 0x94);
}

}  // namespace
}  // namespace plaza::testing
