// Which subscribers a message reaches and how, seen from real clients:
// '+' and '#' wildcards, '$' topics kept out of wildcards that start with
// one, overlapping subscriptions delivered once at the highest QoS, and the
// order of messages per topic. Every check ends on a marker message from the
// same publisher, so "nothing else arrived" needs no sleep: the broker keeps
// one publisher's messages in order, so anything wrongly routed would arrive
// before the marker.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "broker_process.h"
#include "mqtt_test_clients.h"
#include "raw_mqtt_client.h"

namespace plaza::testing {
namespace {

std::vector<std::string> Topics(const std::vector<Received>& messages) {
  std::vector<std::string> topics;
  for (const Received& m : messages) topics.push_back(m.topic);
  return topics;
}

TEST(RoutingTest, WildcardsMatchLikeTheSpecification) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  MosqClient single(broker.port(), "single-level");
  MosqClient multi(broker.port(), "multi-level");
  MosqClient nested(broker.port(), "nested-multi-level");
  MosqClient both(broker.port(), "plus-then-hash");
  for (MosqClient* client : {&single, &multi, &nested, &both}) {
    ASSERT_TRUE(client->Connect()) << client->error();
  }
  ASSERT_EQ(single.Subscribe("w/+/c", 0), 0) << single.error();
  ASSERT_EQ(multi.Subscribe("w/#", 0), 0) << multi.error();
  ASSERT_EQ(nested.Subscribe("w/a/#", 0), 0) << nested.error();
  ASSERT_EQ(both.Subscribe("+/+/c/#", 0), 0) << both.error();

  MosqClient publisher(broker.port(), "publisher");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();
  for (const char* topic :
       {"w/a/c", "w/b/c", "w/a/b/c", "w/a", "w", "x/a/c", "w/a/c/d", "w//c", "W/a/c", "w/a/"}) {
    ASSERT_TRUE(publisher.Publish(topic, topic)) << publisher.error();
  }
  ASSERT_TRUE(publisher.Publish("w/a/c", "end")) << publisher.error();

  using Topics_ = std::vector<std::string>;
  // '+' matches exactly one level, an empty one included.
  EXPECT_EQ(Topics(ReceiveUntil(single, "end")), (Topics_{"w/a/c", "w/b/c", "w//c", "w/a/c"}));
  // '#' also matches its parent level ("w") [MQTT-4.7.1-2]; topics are case
  // sensitive.
  EXPECT_EQ(Topics(ReceiveUntil(multi, "end")),
            (Topics_{"w/a/c", "w/b/c", "w/a/b/c", "w/a", "w", "w/a/c/d", "w//c", "w/a/", "w/a/c"}));
  EXPECT_EQ(Topics(ReceiveUntil(nested, "end")),
            (Topics_{"w/a/c", "w/a/b/c", "w/a", "w/a/c/d", "w/a/", "w/a/c"}));
  EXPECT_EQ(Topics(ReceiveUntil(both, "end")),
            (Topics_{"w/a/c", "w/b/c", "x/a/c", "w/a/c/d", "w//c", "W/a/c", "w/a/c"}));
}

TEST(RoutingTest, DollarTopicsOnlyMatchFiltersThatNameThem) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  MosqClient hash(broker.port(), "hash");
  MosqClient plus(broker.port(), "plus");
  MosqClient plus_hash(broker.port(), "plus-hash");
  MosqClient dollar(broker.port(), "dollar");
  for (MosqClient* client : {&hash, &plus, &plus_hash, &dollar}) {
    ASSERT_TRUE(client->Connect()) << client->error();
  }
  ASSERT_EQ(hash.Subscribe("#", 1), 1) << hash.error();
  ASSERT_EQ(plus.Subscribe("+/x", 1), 1) << plus.error();
  ASSERT_EQ(plus_hash.Subscribe("+/#", 1), 1) << plus_hash.error();
  ASSERT_EQ(dollar.Subscribe("$test/#", 1), 1) << dollar.error();
  ASSERT_EQ(dollar.Subscribe("$SYS/#", 1), 1) << dollar.error();

  MosqClient publisher(broker.port(), "publisher");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();
  ASSERT_TRUE(publisher.Publish("$test/x", "dollar", 1)) << publisher.error();
  ASSERT_TRUE(publisher.Publish("n/x", "plain", 1)) << publisher.error();
  // Clients may not publish into $SYS: the broker drops it.
  ASSERT_TRUE(publisher.Publish("$SYS/fake", "spoofed", 1)) << publisher.error();
  ASSERT_TRUE(publisher.Publish("$test/end", "dollar end", 1)) << publisher.error();
  ASSERT_TRUE(publisher.Publish("z/x", "end", 1)) << publisher.error();

  // [MQTT-4.7.2-1]: '#' and '+' at the start do not match '$' topics.
  const std::vector<Received> plain = {Msg("n/x", "plain", 1), Msg("z/x", "end", 1)};
  EXPECT_EQ(ReceiveUntil(hash, "end"), plain) << hash.error();
  EXPECT_EQ(ReceiveUntil(plus, "end"), plain) << plus.error();
  EXPECT_EQ(ReceiveUntil(plus_hash, "end"), plain) << plus_hash.error();
  EXPECT_EQ(ReceiveUntil(dollar, "dollar end"),
            (std::vector<Received>{Msg("$test/x", "dollar", 1), Msg("$test/end", "dollar end", 1)}))
      << dollar.error();
}

// What a raw subscriber reads, in wire order, until the payload `last`. A
// client library would reorder: libmosquitto hands a QoS 2 message over only
// after PUBREL, so a later QoS 0 message overtakes it.
std::vector<Received> ReadUntil(raw::Client& client, std::string_view last) {
  std::vector<Received> received;
  while (true) {
    const std::optional<raw::Packet> packet = client.ReadPacket();
    if (!packet) break;
    const std::optional<raw::PublishFields> publish = raw::ParsePublish(*packet);
    if (!publish) {
      ADD_FAILURE() << "expected PUBLISH, read packet type " << int{packet->type};
      break;
    }
    received.push_back(
        Received{publish->topic, publish->payload, publish->qos, publish->retain, publish->dup});
    if (publish->payload == last) break;
  }
  return received;
}

TEST(RoutingTest, OverlappingSubscriptionsDeliverOnceAtHighestQos) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  raw::Client subscriber;
  ASSERT_TRUE(subscriber.Connect(broker.port(), "overlapping"));
  ASSERT_EQ(subscriber.Subscribe("o/#", 0, 1), 0);
  ASSERT_EQ(subscriber.Subscribe("o/+", 2, 2), 2);
  ASSERT_EQ(subscriber.Subscribe("o/a", 1, 3), 1);
  ASSERT_EQ(subscriber.Subscribe("+/a", 0, 4), 0);

  MosqClient publisher(broker.port(), "publisher");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();
  ASSERT_TRUE(publisher.Publish("o/a", "four filters", 2)) << publisher.error();
  ASSERT_TRUE(publisher.Publish("o/b", "two filters", 2)) << publisher.error();
  ASSERT_TRUE(publisher.Publish("o/a/b", "one filter", 2)) << publisher.error();
  ASSERT_TRUE(publisher.Publish("o/a", "capped by publish", 1)) << publisher.error();
  ASSERT_TRUE(publisher.Publish("o/end", "end", 0)) << publisher.error();

  EXPECT_EQ(ReadUntil(subscriber, "end"),
            (std::vector<Received>{Msg("o/a", "four filters", 2), Msg("o/b", "two filters", 2),
                                   Msg("o/a/b", "one filter", 0),
                                   Msg("o/a", "capped by publish", 1), Msg("o/end", "end", 0)}));
}

TEST(RoutingTest, ResubscribingReplacesTheGrantedQos) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  MosqClient subscriber(broker.port(), "resubscriber");
  ASSERT_TRUE(subscriber.Connect()) << subscriber.error();
  ASSERT_EQ(subscriber.Subscribe("r/t", 2), 2) << subscriber.error();
  ASSERT_EQ(subscriber.Subscribe("r/t", 0), 0) << subscriber.error();
  MosqClient publisher(broker.port(), "publisher");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();
  ASSERT_TRUE(publisher.Publish("r/t", "once at qos 0", 2)) << publisher.error();
  ASSERT_TRUE(publisher.Publish("r/t", "end", 2)) << publisher.error();
  EXPECT_EQ(ReceiveUntil(subscriber, "end"),
            (std::vector<Received>{Msg("r/t", "once at qos 0", 0), Msg("r/t", "end", 0)}));
}

// Stops at the first message out of place rather than report a thousand.
void ExpectNumbered(const std::vector<Received>& received, int count, const std::string& who) {
  EXPECT_EQ(received.size(), size_t(count)) << who;
  for (size_t i = 0; i < received.size(); ++i) {
    const Received expected = Msg("seq/t", std::to_string(i), 1);
    if (received[i] != expected) {
      ADD_FAILURE() << who << ": message " << i << " is " << ::testing::PrintToString(received[i])
                    << ", expected " << ::testing::PrintToString(expected);
      return;
    }
  }
}

// 1000 numbered QoS 1 messages on one topic reach two subscribers in order:
// a Paho client that acknowledges as they come, and a libmosquitto client
// that reads nothing until all are published, so most of its messages go
// through the broker's session queue behind the inflight window.
TEST(RoutingTest, ThousandQos1MessagesKeepTheirOrder) {
  constexpr int kCount = 1000;
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  PahoClient fast(broker.port(), "fast-subscriber");
  ASSERT_TRUE(fast.Connect()) << fast.error();
  ASSERT_EQ(fast.Subscribe("seq/t", 1), 1) << fast.error();
  MosqClient late(broker.port(), "late-reader");
  ASSERT_TRUE(late.Connect()) << late.error();
  ASSERT_EQ(late.Subscribe("seq/#", 2), 2) << late.error();

  MosqClient publisher(broker.port(), "publisher");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();
  for (int i = 0; i < kCount; ++i) {
    ASSERT_TRUE(publisher.Publish("seq/t", std::to_string(i), 1)) << publisher.error();
  }

  ExpectNumbered(ReceiveCount(fast, kCount), kCount, "Paho");
  ExpectNumbered(ReceiveCount(late, kCount), kCount, "libmosquitto");
}

}  // namespace
}  // namespace plaza::testing
