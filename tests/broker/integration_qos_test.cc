// QoS 0, 1 and 2 end to end through a running plaza-broker, with every kind
// of client it has to interoperate with: Paho C++, libmosquitto, Debian's
// mosquitto_pub/mosquitto_sub, and a raw socket for the handshakes seen
// packet by packet.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "broker_process.h"
#include "mqtt_test_clients.h"
#include "raw_mqtt_client.h"

namespace plaza::testing {
namespace {

std::string BinaryPayload() {
  std::string bytes;
  for (int i = 0; i < 512; ++i) bytes.push_back(static_cast<char>(i % 256));
  return bytes;
}

// --- Paho C++ --------------------------------------------------------------

// One Paho client per test: Paho's network thread serves every client of the
// process and notices a new connection only after a 1 s poll timeout, so a
// second Paho connection costs seconds. libmosquitto is the other side.
class PahoQosTest : public ::testing::TestWithParam<int> {};

TEST_P(PahoQosTest, PublishedQosReachesSubscriberUnchanged) {
  const int qos = GetParam();
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  PahoClient paho(broker.port(), "paho");
  ASSERT_TRUE(paho.Connect()) << paho.error();
  ASSERT_EQ(paho.Subscribe("qos/#", 2), 2) << paho.error();
  MosqClient mosq(broker.port(), "mosq");
  ASSERT_TRUE(mosq.Connect()) << mosq.error();
  ASSERT_EQ(mosq.Subscribe("qos/paho/#", 2), 2) << mosq.error();

  // Paho to Paho (its own subscription) and to libmosquitto.
  const std::string large(200 * 1024, 'x');
  ASSERT_TRUE(paho.Publish("qos/paho/text", "hello", qos)) << paho.error();
  ASSERT_TRUE(paho.Publish("qos/paho/binary", BinaryPayload(), qos)) << paho.error();
  ASSERT_TRUE(paho.Publish("qos/paho/empty", "", qos)) << paho.error();
  ASSERT_TRUE(paho.Publish("qos/paho/large", large, qos)) << paho.error();
  const std::vector<Received> expected = {
      Msg("qos/paho/text", "hello", qos), Msg("qos/paho/binary", BinaryPayload(), qos),
      Msg("qos/paho/empty", "", qos), Msg("qos/paho/large", large, qos)};
  EXPECT_EQ(ReceiveCount(paho, 4), expected) << paho.error();
  EXPECT_EQ(ReceiveCount(mosq, 4), expected) << mosq.error();

  // libmosquitto to Paho.
  ASSERT_TRUE(mosq.Publish("qos/mosq", "from libmosquitto", qos)) << mosq.error();
  const std::optional<Received> got = paho.Receive();
  ASSERT_TRUE(got) << paho.error();
  EXPECT_EQ(*got, Msg("qos/mosq", "from libmosquitto", qos));
}

std::string QosName(const ::testing::TestParamInfo<int>& param) {
  return "Qos" + std::to_string(param.param);
}

INSTANTIATE_TEST_SUITE_P(Qos, PahoQosTest, ::testing::Values(0, 1, 2), QosName);

// --- libmosquitto ----------------------------------------------------------

// (subscription QoS, publish QoS): delivered at the lower of the two
// [MQTT-3.8.4-6].
class MosquittoQosTest : public ::testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(MosquittoQosTest, DeliveredAtMinimumOfGrantedAndPublished) {
  const auto [sub_qos, pub_qos] = GetParam();
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  MosqClient subscriber(broker.port(), "mosq-sub");
  ASSERT_TRUE(subscriber.Connect()) << subscriber.error();
  ASSERT_EQ(subscriber.Subscribe("m/+/q", sub_qos), sub_qos) << subscriber.error();
  MosqClient publisher(broker.port(), "mosq-pub");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();

  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        publisher.Publish("m/" + std::to_string(i) + "/q", "n" + std::to_string(i), pub_qos))
        << publisher.error();
  }
  const int expected_qos = std::min(sub_qos, pub_qos);
  EXPECT_EQ(ReceiveCount(subscriber, 3), (std::vector<Received>{Msg("m/0/q", "n0", expected_qos),
                                                                Msg("m/1/q", "n1", expected_qos),
                                                                Msg("m/2/q", "n2", expected_qos)}))
      << subscriber.error();
  EXPECT_TRUE(subscriber.Disconnect()) << subscriber.error();
  EXPECT_TRUE(publisher.Disconnect()) << publisher.error();
}

std::string SubPubName(const ::testing::TestParamInfo<std::tuple<int, int>>& param) {
  return "Sub" + std::to_string(std::get<0>(param.param)) + "Pub" +
         std::to_string(std::get<1>(param.param));
}

INSTANTIATE_TEST_SUITE_P(Qos, MosquittoQosTest,
                         ::testing::Combine(::testing::Values(0, 1, 2), ::testing::Values(0, 1, 2)),
                         SubPubName);

// --- mosquitto_pub / mosquitto_sub -----------------------------------------

// Line-buffered (stdbuf), so a test sees each line as it is printed.
std::vector<std::string> MosquittoSub(uint16_t port, std::vector<std::string> args) {
  std::vector<std::string> argv = {"stdbuf",    "-oL", "mosquitto_sub",     "-h",
                                   "127.0.0.1", "-p",  std::to_string(port)};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::vector<std::string> MosquittoPub(uint16_t port, std::vector<std::string> args) {
  std::vector<std::string> argv = {"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(port)};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// mosquitto_sub's output without its -d debug lines.
std::vector<std::string> MessageLines(const std::string& out) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    const std::string line = out.substr(start, end - start);
    if (!line.starts_with("Client ") && !line.starts_with("Subscribed ")) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

TEST(MosquittoToolsTest, Qos2RoundTripAndRetainedLikeMosquitto) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();

  // A live subscriber: -d shows when its SUBSCRIBE was acknowledged and the
  // flags of the PUBLISH it receives.
  Command live;
  std::string error;
  ASSERT_TRUE(live.Start(MosquittoSub(broker.port(), {"-d", "-t", "a/#", "-q", "2", "-v", "-C", "1",
                                                      "-i", "cli-live"}),
                         &error))
      << error;
  ASSERT_TRUE(live.WaitForOutput("Subscribed (mid: 1): 2")) << live.out() << live.err();

  const CommandResult pub =
      RunCommand(MosquittoPub(broker.port(), {"-t", "a/b", "-m", "hi", "-q", "2", "-r"}));
  EXPECT_EQ(pub.exit_code, 0) << pub.err;

  const CommandResult live_result = live.Finish();
  EXPECT_EQ(live_result.exit_code, 0) << live_result.err;
  EXPECT_EQ(MessageLines(live_result.out), std::vector<std::string>{"a/b hi"}) << live_result.out;
  // Forwarded to a live subscriber with retain 0 [MQTT-3.3.1-9], at QoS 2.
  EXPECT_NE(live_result.out.find("received PUBLISH (d0, q2, r0"), std::string::npos)
      << live_result.out;

  // A later subscriber gets the retained message flagged retained, at the
  // lower of its QoS (1) and the published one (2).
  const CommandResult late = RunCommand(MosquittoSub(
      broker.port(), {"-t", "a/#", "-q", "1", "-C", "1", "-F", "%r %q %t %p", "-i", "cli-late"}));
  EXPECT_EQ(late.exit_code, 0) << late.err;
  EXPECT_EQ(late.out, "1 1 a/b hi\n");

  // And with -v like mosquitto's own test: the message itself.
  const CommandResult plain =
      RunCommand(MosquittoSub(broker.port(), {"-t", "a/#", "-q", "2", "-v", "-C", "1"}));
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out, "a/b hi\n");
}

TEST(MosquittoToolsTest, Qos0And1FromPubToSub) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  Command sub;
  std::string error;
  ASSERT_TRUE(sub.Start(MosquittoSub(broker.port(), {"-d", "-t", "t/+", "-q", "1", "-C", "2", "-F",
                                                     "%q %t %p", "-i", "cli-sub"}),
                        &error))
      << error;
  ASSERT_TRUE(sub.WaitForOutput("Subscribed (mid: 1): 1")) << sub.out() << sub.err();
  EXPECT_EQ(
      RunCommand(MosquittoPub(broker.port(), {"-t", "t/zero", "-m", "q0", "-q", "0"})).exit_code,
      0);
  EXPECT_EQ(
      RunCommand(MosquittoPub(broker.port(), {"-t", "t/one", "-m", "q1", "-q", "1"})).exit_code, 0);
  const CommandResult result = sub.Finish();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(MessageLines(result.out), (std::vector<std::string>{"0 t/zero q0", "1 t/one q1"}))
      << result.out;
}

// --- Raw handshakes --------------------------------------------------------

// A QoS 2 PUBLISH re-sent before PUBREL (DUP set, same packet id) is
// delivered once; after PUBREL the id is free for a new message.
TEST(RawQosTest, Qos2RetransmissionIsDeliveredOnce) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithArgs({"--threads", "1"}))) << broker.error();
  PahoClient subscriber(broker.port(), "exactly-once-sub");
  ASSERT_TRUE(subscriber.Connect()) << subscriber.error();
  ASSERT_EQ(subscriber.Subscribe("eo/#", 2), 2) << subscriber.error();

  raw::Client publisher;
  const auto connack = publisher.Connect(broker.port(), "exactly-once-pub");
  ASSERT_TRUE(connack);
  ASSERT_EQ(connack->return_code, 0);
  ASSERT_TRUE(publisher.Send(raw::Publish("eo/t", "first", 2, false, 7)));
  auto rec = publisher.ReadPacket();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->type, raw::kPubrec);
  ASSERT_TRUE(publisher.Send(raw::Publish("eo/t", "first", 2, false, 7, /*dup=*/true)));
  rec = publisher.ReadPacket();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->type, raw::kPubrec);
  ASSERT_TRUE(publisher.Send(raw::Ack(raw::kPubrel, 7)));
  const auto comp = publisher.ReadPacket();
  ASSERT_TRUE(comp);
  EXPECT_EQ(comp->type, raw::kPubcomp);
  EXPECT_EQ(comp->body, std::string("\x00\x07", 2));
  // The same id after PUBCOMP is a new message.
  ASSERT_TRUE(publisher.Send(raw::Publish("eo/t", "second", 2, false, 7)));
  rec = publisher.ReadPacket();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->type, raw::kPubrec);
  ASSERT_TRUE(publisher.Send(raw::Ack(raw::kPubrel, 7)));
  ASSERT_TRUE(publisher.ReadPacket());

  EXPECT_EQ(ReceiveUntil(subscriber, "second"),
            (std::vector<Received>{Msg("eo/t", "first", 2), Msg("eo/t", "second", 2)}))
      << subscriber.error();
}

// The broker's side of QoS 2 toward a subscriber: PUBLISH, PUBREC from the
// client, PUBREL, PUBCOMP from the client; then the next message flows.
TEST(RawQosTest, Qos2HandshakeTowardSubscriber) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  raw::Client subscriber;
  const auto connack = subscriber.Connect(broker.port(), "raw-qos2-sub");
  ASSERT_TRUE(connack);
  ASSERT_EQ(connack->return_code, 0);
  ASSERT_EQ(subscriber.Subscribe("h/#", 2), 2);

  PahoClient publisher(broker.port(), "raw-qos2-pub");
  ASSERT_TRUE(publisher.Connect()) << publisher.error();
  ASSERT_TRUE(publisher.Publish("h/1", "one", 2)) << publisher.error();

  auto packet = subscriber.ReadPacket();
  ASSERT_TRUE(packet);
  auto publish = raw::ParsePublish(*packet);
  ASSERT_TRUE(publish) << "packet type " << int{packet->type};
  EXPECT_EQ(publish->topic, "h/1");
  EXPECT_EQ(publish->payload, "one");
  EXPECT_EQ(publish->qos, 2);
  EXPECT_FALSE(publish->dup);
  EXPECT_NE(publish->packet_id, 0);
  ASSERT_TRUE(subscriber.Send(raw::Ack(raw::kPubrec, publish->packet_id)));
  packet = subscriber.ReadPacket();
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->type, raw::kPubrel);
  EXPECT_EQ(packet->flags, 0x02);  // [MQTT-3.6.1-1]
  ASSERT_EQ(packet->body.size(), 2u);
  EXPECT_EQ((uint8_t(packet->body[0]) << 8) | uint8_t(packet->body[1]), publish->packet_id);
  ASSERT_TRUE(subscriber.Send(raw::Ack(raw::kPubcomp, publish->packet_id)));

  ASSERT_TRUE(publisher.Publish("h/2", "two", 1)) << publisher.error();
  packet = subscriber.ReadPacket();
  ASSERT_TRUE(packet);
  publish = raw::ParsePublish(*packet);
  ASSERT_TRUE(publish);
  EXPECT_EQ(publish->payload, "two");
  EXPECT_EQ(publish->qos, 1);
}

}  // namespace
}  // namespace plaza::testing
