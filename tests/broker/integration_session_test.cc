// Sessions across connections: a persistent session (clean session 0) keeps
// subscriptions and queues QoS 1/2 messages while its client is away, resumes
// with session present = 1 and re-sends what was not acknowledged; a clean
// session forgets all; a second connection with the same client id takes the
// session over; keep-alive closes silent clients and spares pinging ones.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "broker_process.h"
#include "mqtt_test_clients.h"
#include "raw_mqtt_client.h"

namespace plaza::testing {
namespace {

TEST(SessionTest, PahoPersistentSessionGetsQueuedMessagesOnResume) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  {
    PahoClient subscriber(broker.port(), "persistent-paho");
    ASSERT_TRUE(subscriber.Connect(/*clean_session=*/false)) << subscriber.error();
    EXPECT_FALSE(subscriber.session_present());  // a new session
    ASSERT_EQ(subscriber.Subscribe("sess/#", 1), 1) << subscriber.error();
    ASSERT_TRUE(subscriber.Disconnect()) << subscriber.error();
  }
  MosqClient publisher(broker.port(), "publisher");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();
  ASSERT_TRUE(publisher.Publish("sess/a", "one", 1)) << publisher.error();
  ASSERT_TRUE(publisher.Publish("sess/b", "two", 2)) << publisher.error();
  ASSERT_TRUE(publisher.Publish("sess/a", "three", 1)) << publisher.error();

  PahoClient resumed(broker.port(), "persistent-paho");
  ASSERT_TRUE(resumed.Connect(/*clean_session=*/false)) << resumed.error();
  EXPECT_TRUE(resumed.session_present());
  EXPECT_EQ(IgnoringDup(ReceiveCount(resumed, 3)),
            (std::vector<Received>{Msg("sess/a", "one", 1), Msg("sess/b", "two", 1),
                                   Msg("sess/a", "three", 1)}))
      << resumed.error();
  // The subscription itself survived: live messages flow too.
  ASSERT_TRUE(publisher.Publish("sess/c", "live", 1)) << publisher.error();
  const auto live = resumed.Receive();
  ASSERT_TRUE(live) << resumed.error();
  EXPECT_EQ(*live, Msg("sess/c", "live", 1));
}

TEST(SessionTest, MosquittoPersistentSessionGetsQueuedMessagesOnResume) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  {
    MosqClient subscriber(broker.port(), "persistent-mosq", /*clean_session=*/false);
    ASSERT_TRUE(subscriber.Connect()) << subscriber.error();
    EXPECT_FALSE(subscriber.session_present());
    ASSERT_EQ(subscriber.Subscribe("sess/#", 2), 2) << subscriber.error();
    ASSERT_TRUE(subscriber.Disconnect()) << subscriber.error();
  }
  MosqClient publisher(broker.port(), "publisher");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();
  for (int i = 0; i < 30; ++i) {  // more than the inflight window (20)
    ASSERT_TRUE(publisher.Publish("sess/n", std::to_string(i), 2)) << publisher.error();
  }
  MosqClient resumed(broker.port(), "persistent-mosq", /*clean_session=*/false);
  ASSERT_TRUE(resumed.Connect()) << resumed.error();
  EXPECT_TRUE(resumed.session_present());
  const std::vector<Received> received = IgnoringDup(ReceiveCount(resumed, 30));
  ASSERT_EQ(received.size(), 30u) << resumed.error();
  for (int i = 0; i < 30; ++i) EXPECT_EQ(received[i], Msg("sess/n", std::to_string(i), 2));
}

TEST(SessionTest, CleanSessionDiscardsThePersistentOne) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  {
    MosqClient subscriber(broker.port(), "cleaned", /*clean_session=*/false);
    ASSERT_TRUE(subscriber.Connect()) << subscriber.error();
    ASSERT_EQ(subscriber.Subscribe("gone/#", 1), 1) << subscriber.error();
    ASSERT_TRUE(subscriber.Disconnect()) << subscriber.error();
  }
  MosqClient publisher(broker.port(), "publisher");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();
  ASSERT_TRUE(publisher.Publish("gone/1", "queued", 1)) << publisher.error();
  {
    MosqClient clean(broker.port(), "cleaned", /*clean_session=*/true);
    ASSERT_TRUE(clean.Connect()) << clean.error();
    EXPECT_FALSE(clean.session_present());
    // Neither the queued message nor the old subscription is left.
    ASSERT_EQ(clean.Subscribe("marker", 1), 1) << clean.error();
    ASSERT_TRUE(publisher.Publish("gone/2", "after clean", 1)) << publisher.error();
    ASSERT_TRUE(publisher.Publish("marker", "end", 1)) << publisher.error();
    EXPECT_EQ(ReceiveUntil(clean, "end"), (std::vector<Received>{Msg("marker", "end", 1)}));
    ASSERT_TRUE(clean.Disconnect()) << clean.error();
  }
  // A clean session ends with its connection [MQTT-3.1.2-6].
  MosqClient again(broker.port(), "cleaned", /*clean_session=*/false);
  ASSERT_TRUE(again.Connect()) << again.error();
  EXPECT_FALSE(again.session_present());
}

// [MQTT-4.4.0-1]: a QoS 1 PUBLISH that was not acknowledged is re-sent on
// resume with DUP set and its original packet id.
TEST(SessionTest, UnacknowledgedMessageIsResentWithDupOnResume) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithArgs({"--log-level", "debug"}))) << broker.error();
  raw::Client subscriber;
  auto connack = subscriber.Connect(broker.port(), "no-ack", 60, /*clean_session=*/false);
  ASSERT_TRUE(connack);
  EXPECT_EQ(connack->return_code, 0);
  EXPECT_FALSE(connack->session_present);
  ASSERT_EQ(subscriber.Subscribe("dup/#", 1), 1);

  MosqClient publisher(broker.port(), "publisher");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();
  ASSERT_TRUE(publisher.Publish("dup/t", "unacked", 1)) << publisher.error();
  auto packet = subscriber.ReadPacket();
  ASSERT_TRUE(packet);
  const auto first = raw::ParsePublish(*packet);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->payload, "unacked");
  EXPECT_FALSE(first->dup);
  subscriber.Close();  // no PUBACK
  // Only once the broker has seen the close is the next message queued
  // rather than sent (and later re-sent with DUP).
  ASSERT_TRUE(broker.WaitForLog("(no-ack): connection lost")) << broker.log();

  ASSERT_TRUE(publisher.Publish("dup/t", "queued while away", 1)) << publisher.error();
  raw::Client resumed;
  connack = resumed.Connect(broker.port(), "no-ack", 60, /*clean_session=*/false);
  ASSERT_TRUE(connack);
  EXPECT_EQ(connack->return_code, 0);
  EXPECT_TRUE(connack->session_present);
  packet = resumed.ReadPacket();
  ASSERT_TRUE(packet);
  const auto again = raw::ParsePublish(*packet);
  ASSERT_TRUE(again) << "packet type " << int{packet->type};
  EXPECT_EQ(again->payload, "unacked");
  EXPECT_TRUE(again->dup);
  EXPECT_EQ(again->packet_id, first->packet_id);
  EXPECT_EQ(again->qos, 1);
  ASSERT_TRUE(resumed.Send(raw::Ack(raw::kPuback, again->packet_id)));
  packet = resumed.ReadPacket();
  ASSERT_TRUE(packet);
  const auto next = raw::ParsePublish(*packet);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->payload, "queued while away");
  EXPECT_FALSE(next->dup);
}

// A QoS 2 message whose PUBREC was sent resumes with PUBREL, not PUBLISH.
TEST(SessionTest, Qos2ReleaseIsResentOnResume) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  raw::Client subscriber;
  ASSERT_TRUE(subscriber.Connect(broker.port(), "half-qos2", 60, /*clean_session=*/false));
  ASSERT_EQ(subscriber.Subscribe("q2/#", 2), 2);
  MosqClient publisher(broker.port(), "publisher");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();
  ASSERT_TRUE(publisher.Publish("q2/t", "exactly once", 2)) << publisher.error();
  auto packet = subscriber.ReadPacket();
  ASSERT_TRUE(packet);
  const auto publish = raw::ParsePublish(*packet);
  ASSERT_TRUE(publish);
  ASSERT_TRUE(subscriber.Send(raw::Ack(raw::kPubrec, publish->packet_id)));
  packet = subscriber.ReadPacket();
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->type, raw::kPubrel);
  subscriber.Close();  // no PUBCOMP

  raw::Client resumed;
  const auto connack = resumed.Connect(broker.port(), "half-qos2", 60, /*clean_session=*/false);
  ASSERT_TRUE(connack);
  EXPECT_TRUE(connack->session_present);
  packet = resumed.ReadPacket();
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->type, raw::kPubrel);
  EXPECT_EQ(packet->body, std::string({char(publish->packet_id >> 8), char(publish->packet_id)}));
  ASSERT_TRUE(resumed.Send(raw::Ack(raw::kPubcomp, publish->packet_id)));
  EXPECT_TRUE(resumed.Ping());
}

// --- Takeover --------------------------------------------------------------

TEST(SessionTest, SecondConnectionWithSameIdTakesOver) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  raw::Client first;
  auto connack = first.Connect(broker.port(), "twin");
  ASSERT_TRUE(connack);
  ASSERT_EQ(connack->return_code, 0);
  ASSERT_TRUE(first.Ping());

  raw::Client second;
  connack = second.Connect(broker.port(), "twin");
  ASSERT_TRUE(connack);
  EXPECT_EQ(connack->return_code, 0);
  EXPECT_FALSE(connack->session_present);  // clean sessions
  EXPECT_TRUE(first.WaitForClose()) << "the first connection was not closed";
  EXPECT_TRUE(second.Ping()) << "the second connection did not survive";
  EXPECT_TRUE(broker.WaitForLog("client twin reconnected"));
}

TEST(SessionTest, TakeoverKeepsThePersistentSession) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  MosqClient first(broker.port(), "roaming", /*clean_session=*/false);
  ASSERT_TRUE(first.Connect()) << first.error();
  ASSERT_EQ(first.Subscribe("roam/#", 1), 1) << first.error();

  MosqClient second(broker.port(), "roaming", /*clean_session=*/false);
  ASSERT_TRUE(second.Connect()) << second.error();
  EXPECT_TRUE(second.session_present());
  // The first client sees its connection lost.
  EXPECT_FALSE(first.Receive());
  EXPECT_NE(first.error().find("lost"), std::string::npos) << first.error();

  MosqClient publisher(broker.port(), "publisher");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();
  ASSERT_TRUE(publisher.Publish("roam/x", "to the new connection", 1)) << publisher.error();
  const auto got = second.Receive();
  ASSERT_TRUE(got) << second.error();
  EXPECT_EQ(*got, Msg("roam/x", "to the new connection", 1));
}

TEST(SessionTest, PahoClientIsDisconnectedByTakeover) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  PahoClient paho(broker.port(), "taken");
  ASSERT_TRUE(paho.Connect()) << paho.error();
  ASSERT_EQ(paho.Subscribe("t/#", 0), 0) << paho.error();
  raw::Client thief;
  const auto connack = thief.Connect(broker.port(), "taken");
  ASSERT_TRUE(connack);
  EXPECT_EQ(connack->return_code, 0);
  EXPECT_FALSE(paho.Receive());
  EXPECT_EQ(paho.error(), "connection lost");
}

// --- Keep-alive ------------------------------------------------------------

// [MQTT-3.1.2-24]: closed after one and a half keep-alive periods of silence,
// and not before the period itself.
TEST(SessionTest, SilentClientIsClosedAfterKeepAlive) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  raw::Client silent;
  const auto connack = silent.Connect(broker.port(), "silent", /*keep_alive=*/1);
  ASSERT_TRUE(connack);
  ASSERT_EQ(connack->return_code, 0);
  EXPECT_FALSE(silent.WaitForClose(milliseconds(1000))) << "closed within the keep-alive period";
  EXPECT_TRUE(silent.WaitForClose()) << "still open long after 1.5 x keep-alive";
  EXPECT_TRUE(broker.WaitForLog("(silent): keep-alive timeout")) << broker.log();
}

TEST(SessionTest, PingingClientStaysConnected) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  raw::Client pinger;
  ASSERT_TRUE(pinger.Connect(broker.port(), "pinger", /*keep_alive=*/1));
  raw::Client publisher;  // any packet counts as activity, not only PINGREQ
  ASSERT_TRUE(publisher.Connect(broker.port(), "chatty", /*keep_alive=*/1));
  for (int i = 0; i < 10; ++i) {  // 3 s: twice the 1.5 s limit
    std::this_thread::sleep_for(milliseconds(300));
    ASSERT_TRUE(pinger.Ping()) << "round " << i;
    ASSERT_TRUE(publisher.Send(raw::Publish("nobody/listens", "x", 0))) << "round " << i;
  }
  EXPECT_TRUE(pinger.Ping());
  EXPECT_FALSE(publisher.closed());
  ASSERT_TRUE(publisher.Send(raw::Publish("nobody/listens", "x", 1, false, 1)));
  const auto ack = publisher.ReadPacket();
  ASSERT_TRUE(ack) << "the publishing client was closed";
  EXPECT_EQ(ack->type, raw::kPuback);
  EXPECT_EQ(broker.CountInLog("keep-alive timeout"), 0u) << broker.log();
}

}  // namespace
}  // namespace plaza::testing
