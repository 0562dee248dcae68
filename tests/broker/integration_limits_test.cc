// The limits: section of the configuration, enforced by the running broker:
// max_connections, max_subscriptions_per_client, max_inflight, and
// max_queued_messages for offline sessions (the excess is dropped) and for
// online subscribers that stop acknowledging (they are disconnected).
// (max_packet_size, the topic limits and connect_timeout_ms are in
// integration_robustness_test.cc.) One worker thread where a test relies on
// the order in which the broker handles two connections.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "broker_process.h"
#include "mqtt_test_clients.h"
#include "raw_mqtt_client.h"

namespace plaza::testing {
namespace {

TEST(LimitsTest, MaxConnectionsRefusesTheExtraConnection) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithConfig("limits:\n  max_connections: 2\n"))) << broker.error();
  raw::Client first;
  ASSERT_TRUE(first.Connect(broker.port(), "first"));
  raw::Client second;
  ASSERT_TRUE(second.Connect(broker.port(), "second"));
  raw::Client third;
  ASSERT_TRUE(third.Open(broker.port()));  // the kernel accepts; the broker closes
  third.Send(raw::Connect("third", 60));
  EXPECT_TRUE(third.WaitForClose());
  EXPECT_FALSE(third.ReadPacket(milliseconds(0))) << "the third connection got an answer";
  EXPECT_TRUE(broker.WaitForLog("max_connections (2) reached")) << broker.log();
  EXPECT_TRUE(first.Ping());
  EXPECT_TRUE(second.Ping());

  // A freed slot can be used again (once the broker has counted the close).
  first.Close();
  EXPECT_TRUE(WaitUntil([&] {
    raw::Client again;
    const auto connack = again.Connect(broker.port(), "again");
    return connack && connack->return_code == 0;
  })) << broker.log();
}

TEST(LimitsTest, MaxSubscriptionsPerClientRefusesTheExtraFilter) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithConfig("limits:\n  max_subscriptions_per_client: 2\n")))
      << broker.error();
  raw::Client client;
  ASSERT_TRUE(client.Connect(broker.port(), "collector"));
  EXPECT_EQ(client.Subscribe("a", 1, 1), 1);
  EXPECT_EQ(client.Subscribe("b", 2, 2), 2);
  EXPECT_EQ(client.Subscribe("c", 1, 3), 0x80);
  // Re-subscribing to a filter it has is not a new subscription.
  EXPECT_EQ(client.Subscribe("a", 0, 4), 0);
  EXPECT_TRUE(client.Ping());
}

TEST(LimitsTest, MaxInflightHoldsBackUnacknowledgedMessages) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithConfig("limits:\n  max_inflight: 2\n", {"--threads", "1"})))
      << broker.error();
  raw::Client subscriber;
  ASSERT_TRUE(subscriber.Connect(broker.port(), "slow-acker"));
  ASSERT_EQ(subscriber.Subscribe("inf/#", 1), 1);
  MosqClient publisher(broker.port(), "publisher");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(publisher.Publish("inf/t", std::to_string(i), 1)) << publisher.error();
  }
  // Two PUBLISHes, then nothing until a PUBACK: the PINGRESP comes next.
  std::vector<uint16_t> ids;
  for (int i = 0; i < 2; ++i) {
    const auto packet = subscriber.ReadPacket();
    ASSERT_TRUE(packet);
    const auto publish = raw::ParsePublish(*packet);
    ASSERT_TRUE(publish) << "packet type " << int{packet->type};
    EXPECT_EQ(publish->payload, std::to_string(i));
    ids.push_back(publish->packet_id);
  }
  ASSERT_TRUE(subscriber.Send(raw::Pingreq()));
  auto packet = subscriber.ReadPacket();
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->type, raw::kPingresp) << "a third message was sent with two unacknowledged";
  // Each PUBACK frees one slot, in order.
  for (int next = 2; next < 5; ++next) {
    ASSERT_TRUE(subscriber.Send(raw::Ack(raw::kPuback, ids[next - 2])));
    packet = subscriber.ReadPacket();
    ASSERT_TRUE(packet);
    const auto publish = raw::ParsePublish(*packet);
    ASSERT_TRUE(publish) << "packet type " << int{packet->type};
    EXPECT_EQ(publish->payload, std::to_string(next));
    ids.push_back(publish->packet_id);
  }
}

TEST(LimitsTest, OfflineSessionKeepsAtMostMaxQueuedMessages) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithConfig("limits:\n  max_queued_messages: 3\n", {"--threads", "1"})))
      << broker.error();
  {
    MosqClient subscriber(broker.port(), "offline", /*clean_session=*/false);
    ASSERT_TRUE(subscriber.Connect()) << subscriber.error();
    ASSERT_EQ(subscriber.Subscribe("q/#", 1), 1) << subscriber.error();
    ASSERT_TRUE(subscriber.Disconnect()) << subscriber.error();
  }
  MosqClient publisher(broker.port(), "publisher");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(publisher.Publish("q/t", std::to_string(i), 1)) << publisher.error();
  }
  MosqClient resumed(broker.port(), "offline", /*clean_session=*/false);
  ASSERT_TRUE(resumed.Connect()) << resumed.error();
  EXPECT_TRUE(resumed.session_present());
  ASSERT_TRUE(publisher.Publish("q/t", "end", 1)) << publisher.error();
  // The oldest three were kept, the rest dropped.
  EXPECT_EQ(IgnoringDup(ReceiveUntil(resumed, "end")),
            (std::vector<Received>{Msg("q/t", "0", 1), Msg("q/t", "1", 1), Msg("q/t", "2", 1),
                                   Msg("q/t", "end", 1)}));
}

TEST(LimitsTest, SubscriberThatStopsAcknowledgingIsDisconnected) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(
      WithConfig("limits:\n  max_inflight: 1\n  max_queued_messages: 3\n", {"--threads", "1"})))
      << broker.error();
  raw::Client stuck;
  const Will will{"stuck/will", "could not keep up", 1, false};
  ASSERT_TRUE(stuck.Connect(broker.port(), "stuck", 60, true, &will));
  ASSERT_EQ(stuck.Subscribe("flood/#", 1), 1);
  MosqClient watcher(broker.port(), "watcher");
  ASSERT_TRUE(watcher.Connect()) << watcher.error();
  ASSERT_EQ(watcher.Subscribe("stuck/#", 1), 1) << watcher.error();
  MosqClient publisher(broker.port(), "publisher");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();
  // 1 in flight + 3 queued fit; the fifth overflows.
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(publisher.Publish("flood/t", std::to_string(i), 1)) << publisher.error();
  }
  EXPECT_TRUE(stuck.WaitForClose());
  EXPECT_TRUE(broker.WaitForLog("(stuck): queue overflow")) << broker.log();
  // An overflow is not a clean disconnect: the will goes out.
  const auto got = watcher.Receive();
  ASSERT_TRUE(got) << watcher.error();
  EXPECT_EQ(*got, Msg("stuck/will", "could not keep up", 1));
  // The publisher is unaffected.
  ASSERT_TRUE(publisher.Publish("flood/t", "still fine", 1)) << publisher.error();
}

}  // namespace
}  // namespace plaza::testing
