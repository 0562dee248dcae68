// Retained messages and wills through the real broker. Retained: replaced by
// the next retained publish, cleared by an empty one, delivered to a new
// subscription flagged retain at min(granted, published) QoS, while live
// forwarding carries retain 0. Wills: published when a connection ends
// without DISCONNECT (socket dropped, keep-alive expired, session taken over,
// protocol error), with their QoS and retain flag; never after DISCONNECT.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "broker_process.h"
#include "mqtt_test_clients.h"
#include "raw_mqtt_client.h"

namespace plaza::testing {
namespace {

// --- Retained --------------------------------------------------------------

TEST(RetainTest, NewSubscriptionGetsRetainedAtMinimumQosWithRetainFlag) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  MosqClient publisher(broker.port(), "publisher");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();
  ASSERT_TRUE(publisher.Publish("r/q0", "zero", 0, true)) << publisher.error();
  ASSERT_TRUE(publisher.Publish("r/q1", "one", 1, true)) << publisher.error();
  ASSERT_TRUE(publisher.Publish("r/q2", "two", 2, true)) << publisher.error();

  PahoClient subscriber(broker.port(), "late-subscriber");
  ASSERT_TRUE(subscriber.Connect()) << subscriber.error();
  ASSERT_EQ(subscriber.Subscribe("r/q2", 1), 1) << subscriber.error();
  auto got = subscriber.Receive();
  ASSERT_TRUE(got) << subscriber.error();
  EXPECT_EQ(*got, Msg("r/q2", "two", 1, true));

  ASSERT_EQ(subscriber.Subscribe("r/q0", 2), 2) << subscriber.error();
  got = subscriber.Receive();
  ASSERT_TRUE(got) << subscriber.error();
  EXPECT_EQ(*got, Msg("r/q0", "zero", 0, true));

  ASSERT_EQ(subscriber.Subscribe("r/q1", 2), 2) << subscriber.error();
  got = subscriber.Receive();
  ASSERT_TRUE(got) << subscriber.error();
  EXPECT_EQ(*got, Msg("r/q1", "one", 1, true));

  // A wildcard subscription gets all three, each flagged retain.
  MosqClient wildcard(broker.port(), "wildcard");
  ASSERT_TRUE(wildcard.Connect()) << wildcard.error();
  ASSERT_EQ(wildcard.Subscribe("r/+", 2), 2) << wildcard.error();
  std::vector<Received> all = ReceiveCount(wildcard, 3);
  std::sort(all.begin(), all.end(),
            [](const Received& a, const Received& b) { return a.topic < b.topic; });
  EXPECT_EQ(all, (std::vector<Received>{Msg("r/q0", "zero", 0, true), Msg("r/q1", "one", 1, true),
                                        Msg("r/q2", "two", 2, true)}));
}

TEST(RetainTest, LiveForwardingHasRetainZero) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  PahoClient paho(broker.port(), "paho-live");
  ASSERT_TRUE(paho.Connect()) << paho.error();
  ASSERT_EQ(paho.Subscribe("live/#", 2), 2) << paho.error();
  MosqClient mosq(broker.port(), "mosq-live");
  ASSERT_TRUE(mosq.Connect()) << mosq.error();
  ASSERT_EQ(mosq.Subscribe("live/#", 2), 2) << mosq.error();

  ASSERT_TRUE(mosq.Publish("live/t", "retained but live", 1, true)) << mosq.error();
  // [MQTT-3.3.1-9]: retain is 0 when forwarded to an existing subscription.
  auto got = paho.Receive();
  ASSERT_TRUE(got) << paho.error();
  EXPECT_EQ(*got, Msg("live/t", "retained but live", 1, false));
  got = mosq.Receive();
  ASSERT_TRUE(got) << mosq.error();
  EXPECT_EQ(*got, Msg("live/t", "retained but live", 1, false));
}

TEST(RetainTest, LaterRetainedPublishReplacesTheEarlierOne) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  MosqClient publisher(broker.port(), "publisher");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();
  ASSERT_TRUE(publisher.Publish("state/door", "open", 1, true)) << publisher.error();
  ASSERT_TRUE(publisher.Publish("state/door", "closed", 2, true)) << publisher.error();
  // A non-retained publish leaves the retained message alone.
  ASSERT_TRUE(publisher.Publish("state/door", "passing by", 1, false)) << publisher.error();

  // QoS 1 throughout: libmosquitto would hand a QoS 2 message over after a
  // later QoS 0 one.
  MosqClient subscriber(broker.port(), "subscriber");
  ASSERT_TRUE(subscriber.Connect()) << subscriber.error();
  ASSERT_EQ(subscriber.Subscribe("state/#", 1), 1) << subscriber.error();
  ASSERT_TRUE(publisher.Publish("state/end", "end", 1)) << publisher.error();
  EXPECT_EQ(
      ReceiveUntil(subscriber, "end"),
      (std::vector<Received>{Msg("state/door", "closed", 1, true), Msg("state/end", "end", 1)}));
}

TEST(RetainTest, EmptyRetainedPayloadClearsTheTopic) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  MosqClient publisher(broker.port(), "publisher");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();
  ASSERT_TRUE(publisher.Publish("clr/a", "to be cleared", 1, true)) << publisher.error();
  ASSERT_TRUE(publisher.Publish("clr/b", "kept", 1, true)) << publisher.error();

  MosqClient existing(broker.port(), "existing");
  ASSERT_TRUE(existing.Connect()) << existing.error();
  ASSERT_EQ(existing.Subscribe("clr/a", 1), 1) << existing.error();
  auto got = existing.Receive();
  ASSERT_TRUE(got) << existing.error();
  EXPECT_EQ(*got, Msg("clr/a", "to be cleared", 1, true));

  ASSERT_TRUE(publisher.Publish("clr/a", "", 1, true)) << publisher.error();
  // Existing subscribers get the empty message as a normal one
  // [MQTT-3.3.1-10].
  got = existing.Receive();
  ASSERT_TRUE(got) << existing.error();
  EXPECT_EQ(*got, Msg("clr/a", "", 1, false));

  MosqClient later(broker.port(), "later");
  ASSERT_TRUE(later.Connect()) << later.error();
  ASSERT_EQ(later.Subscribe("clr/#", 1), 1) << later.error();
  ASSERT_TRUE(publisher.Publish("clr/end", "end", 1)) << publisher.error();
  // [MQTT-3.3.1-11]: nothing retained is left on clr/a.
  EXPECT_EQ(ReceiveUntil(later, "end"),
            (std::vector<Received>{Msg("clr/b", "kept", 1, true), Msg("clr/end", "end", 1)}));
}

// --- Wills -----------------------------------------------------------------

// A subscriber to will/# that every will test watches.
class WillTest : public ::testing::Test {
 protected:
  void StartBroker(BrokerOptions options = {}) {
    ASSERT_TRUE(broker_.Start(std::move(options))) << broker_.error();
    watcher_ = std::make_unique<MosqClient>(broker_.port(), "will-watcher");
    ASSERT_TRUE(watcher_->Connect()) << watcher_->error();
    ASSERT_EQ(watcher_->Subscribe("will/#", 2), 2) << watcher_->error();
  }

  BrokerProcess broker_;
  std::unique_ptr<MosqClient> watcher_;
};

TEST_F(WillTest, PublishedWhenSocketIsDroppedWithoutDisconnect) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  const Will will{"will/raw", "raw client vanished", 1, false};
  raw::Client client;
  const auto connack = client.Connect(broker_.port(), "dropper", 60, true, &will);
  ASSERT_TRUE(connack);
  ASSERT_EQ(connack->return_code, 0);
  client.Close();
  const auto got = watcher_->Receive();
  ASSERT_TRUE(got) << watcher_->error();
  EXPECT_EQ(*got, Msg("will/raw", "raw client vanished", 1, false));
}

TEST_F(WillTest, PublishedWhenConnectionIsReset) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  const Will will{"will/reset", "reset", 2, false};
  raw::Client client;
  ASSERT_TRUE(client.Connect(broker_.port(), "resetter", 60, true, &will));
  client.Reset();
  const auto got = watcher_->Receive();
  ASSERT_TRUE(got) << watcher_->error();
  EXPECT_EQ(*got, Msg("will/reset", "reset", 2, false));
}

TEST_F(WillTest, PublishedWhenLibmosquittoClientDies) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  MosqClient client(broker_.port(), "dying");
  ASSERT_TRUE(client.SetWill({"will/mosq", "libmosquitto died", 2, false})) << client.error();
  ASSERT_TRUE(client.Connect()) << client.error();
  client.Kill();
  const auto got = watcher_->Receive();
  ASSERT_TRUE(got) << watcher_->error();
  EXPECT_EQ(*got, Msg("will/mosq", "libmosquitto died", 2, false));
}

TEST_F(WillTest, PublishedOnKeepAliveTimeout) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  const Will will{"will/silent", "timed out", 1, false};
  raw::Client client;
  ASSERT_TRUE(client.Connect(broker_.port(), "silent-with-will", /*keep_alive=*/1, true, &will));
  const auto got = watcher_->Receive();
  ASSERT_TRUE(got) << watcher_->error();
  EXPECT_EQ(*got, Msg("will/silent", "timed out", 1, false));
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_TRUE(broker_.WaitForLog("(silent-with-will): keep-alive timeout")) << broker_.log();
}

TEST_F(WillTest, PublishedOnTakeover) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  const Will will{"will/taken", "taken over", 1, false};
  raw::Client first;
  ASSERT_TRUE(first.Connect(broker_.port(), "contested", 60, true, &will));
  raw::Client second;
  const auto connack = second.Connect(broker_.port(), "contested");
  ASSERT_TRUE(connack);
  EXPECT_EQ(connack->return_code, 0);
  EXPECT_TRUE(first.WaitForClose());
  const auto got = watcher_->Receive();
  ASSERT_TRUE(got) << watcher_->error();
  EXPECT_EQ(*got, Msg("will/taken", "taken over", 1, false));
}

TEST_F(WillTest, PublishedOnProtocolError) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  const Will will{"will/broken", "spoke nonsense", 0, false};
  raw::Client client;
  ASSERT_TRUE(client.Connect(broker_.port(), "nonsense", 60, true, &will));
  ASSERT_TRUE(client.Send(std::string("\xf0\x00", 2)));  // packet type 15 is reserved
  EXPECT_TRUE(client.WaitForClose());
  const auto got = watcher_->Receive();
  ASSERT_TRUE(got) << watcher_->error();
  EXPECT_EQ(*got, Msg("will/broken", "spoke nonsense", 0, false));
}

TEST_F(WillTest, RetainFlagAndQosAreHonoured) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  const Will will{"will/last", "last words", 2, true};
  raw::Client client;
  ASSERT_TRUE(client.Connect(broker_.port(), "retaining", 60, true, &will));
  client.Close();
  // Live: QoS 2, retain 0 like any forwarded message.
  const auto live = watcher_->Receive();
  ASSERT_TRUE(live) << watcher_->error();
  EXPECT_EQ(*live, Msg("will/last", "last words", 2, false));
  // Stored as retained: a later subscriber gets it with the retain flag.
  PahoClient later(broker_.port(), "later");
  ASSERT_TRUE(later.Connect()) << later.error();
  ASSERT_EQ(later.Subscribe("will/last", 1), 1) << later.error();
  const auto retained = later.Receive();
  ASSERT_TRUE(retained) << later.error();
  EXPECT_EQ(*retained, Msg("will/last", "last words", 1, true));
}

// One worker thread, so the will (had it been published when the broker
// closed the connection) would be routed before the marker published after.
TEST_F(WillTest, NotPublishedAfterDisconnect) {
  ASSERT_NO_FATAL_FAILURE(StartBroker(WithArgs({"--threads", "1"})));
  const Will will{"will/polite", "should never be seen", 1, true};
  raw::Client client;
  ASSERT_TRUE(client.Connect(broker_.port(), "polite", 60, true, &will));
  ASSERT_TRUE(client.Send(raw::Disconnect()));
  EXPECT_TRUE(client.WaitForClose()) << "the broker did not close after DISCONNECT";

  MosqClient mosq(broker_.port(), "polite-mosq");
  ASSERT_TRUE(mosq.SetWill({"will/polite", "should never be seen either", 1, true}));
  ASSERT_TRUE(mosq.Connect()) << mosq.error();
  ASSERT_TRUE(mosq.Disconnect()) << mosq.error();

  MosqClient publisher(broker_.port(), "publisher");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();
  ASSERT_TRUE(publisher.Publish("will/marker", "end", 1)) << publisher.error();
  EXPECT_EQ(ReceiveUntil(*watcher_, "end"), (std::vector<Received>{Msg("will/marker", "end", 1)}));
  // Nor retained.
  MosqClient later(broker_.port(), "later");
  ASSERT_TRUE(later.Connect()) << later.error();
  ASSERT_EQ(later.Subscribe("will/#", 1), 1) << later.error();
  ASSERT_TRUE(publisher.Publish("will/marker", "end again", 1)) << publisher.error();
  EXPECT_EQ(ReceiveUntil(later, "end again"),
            (std::vector<Received>{Msg("will/marker", "end again", 1)}));
}

}  // namespace
}  // namespace plaza::testing
