// MQTT 5 flow control and size limits against the real broker: the client's
// Receive Maximum (no more unacknowledged QoS 1 than it allows) and the
// broker's (told in CONNACK, enforced with 0x93); Maximum Packet Size both
// ways (the broker does not send a client more than it accepts, and tells
// and enforces its own); and "No matching subscribers" (0x10) on the
// acknowledgement of a message nobody subscribes to.
#include <gtest/gtest.h>

#include <string>

#include "broker_process.h"
#include "mosquitto_cli.h"
#include "paho5_client.h"
#include "raw_v5_packets.h"

namespace plaza::testing {
namespace {

TEST(V5FlowTest, TheClientsReceiveMaximumBoundsWhatIsInFlight) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  raw::Client client;
  ASSERT_TRUE(client.Open(broker.port()));
  ASSERT_TRUE(client.Send(raw5::Connect("slow", 60, raw5::U16Property(0x21, 2))));
  ASSERT_TRUE(client.ReadPacket());
  ASSERT_TRUE(client.Send(raw5::Subscribe(1, "work", 1)));
  ASSERT_TRUE(client.ReadPacket());
  for (int i = 0; i < 5; ++i) {
    const CommandResult pub =
        MosquittoPub(broker.port(), "mqttv5", {"-t", "work", "-q", "1", "-m", std::to_string(i)});
    ASSERT_EQ(pub.exit_code, 0) << pub.err;
  }
  // Two arrive; the third only once one is acknowledged.
  std::vector<raw5::PublishFields> got;
  for (int i = 0; i < 2; ++i) {
    const std::optional<raw::Packet> packet = client.ReadPacket();
    ASSERT_TRUE(packet);
    got.push_back(*raw5::ParsePublish(*packet));
  }
  EXPECT_FALSE(client.ReadPacket(milliseconds(300)));
  ASSERT_TRUE(client.Send(raw5::Puback(got[0].packet_id)));
  const std::optional<raw::Packet> third = client.ReadPacket();
  ASSERT_TRUE(third);
  EXPECT_EQ(raw5::ParsePublish(*third)->payload, "2");
}

TEST(V5FlowTest, TheBrokersReceiveMaximumIsToldAndEnforced) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithConfig("limits:\n  max_inflight: 2\n"))) << broker.error();
  Paho5Client paho(broker.port(), "told");
  ASSERT_TRUE(paho.Connect()) << paho.error();
  EXPECT_EQ(paho.connack().receive_maximum, 2);
  // A client that ignores it: a third unreleased QoS 2 PUBLISH is 0x93.
  raw::Client rude;
  ASSERT_TRUE(rude.Open(broker.port()));
  ASSERT_TRUE(rude.Send(raw5::Connect("rude", 60)));
  ASSERT_TRUE(rude.ReadPacket());
  for (uint16_t id = 1; id <= 3; ++id) ASSERT_TRUE(rude.Send(raw5::Publish("t", "x", 2, id)));
  std::optional<raw5::Acknowledgement> disconnect;
  while (const std::optional<raw::Packet> packet = rude.ReadPacket()) {
    if ((disconnect = raw5::ParseDisconnect(*packet))) break;
  }
  ASSERT_TRUE(disconnect);
  EXPECT_EQ(disconnect->reason_code, 0x93);
}

TEST(V5FlowTest, AMessageLargerThanTheClientTakesIsNotSentToIt) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  Paho5Client small(broker.port(), "small");
  Connect5 options;
  options.maximum_packet_size = 200;
  ASSERT_TRUE(small.Connect(options)) << small.error();
  ASSERT_EQ(small.Subscribe("sizes", 0), 0) << small.error();
  const std::string big(500, 'b');
  CommandResult pub = MosquittoPub(broker.port(), "mqttv5", {"-t", "sizes", "-m", big});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  pub = MosquittoPub(broker.port(), "mqttv5", {"-t", "sizes", "-m", "fits"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  const std::optional<Received5> got = small.Receive();
  ASSERT_TRUE(got) << small.error();
  EXPECT_EQ(got->payload, "fits");
  // mosquitto_sub with the same limit.
  std::string error;
  Command cli;
  ASSERT_TRUE(StartMosquittoSub(
      &cli, broker.port(), "mqttv5",
      {"-t", "sizes", "-D", "connect", "maximum-packet-size", "200", "-C", "1", "-F", "got:%p"},
      &error))
      << error;
  pub = MosquittoPub(broker.port(), "mqttv5", {"-t", "sizes", "-m", big});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  pub = MosquittoPub(broker.port(), "mqttv5", {"-t", "sizes", "-m", "small-one"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  const CommandResult seen = cli.Finish();
  EXPECT_NE(seen.out.find("got:small-one"), std::string::npos) << seen.out;
  EXPECT_EQ(seen.out.find("got:bbb"), std::string::npos) << seen.out;
}

TEST(V5FlowTest, TheBrokersMaximumPacketSizeIsToldAndEnforced) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithConfig("limits:\n  max_packet_size: 1024\n"))) << broker.error();
  Paho5Client paho(broker.port(), "told");
  ASSERT_TRUE(paho.Connect()) << paho.error();
  EXPECT_EQ(paho.connack().maximum_packet_size, 1024u);
  raw::Client big;
  ASSERT_TRUE(big.Open(broker.port()));
  ASSERT_TRUE(big.Send(raw5::Connect("big", 60)));
  ASSERT_TRUE(big.ReadPacket());
  ASSERT_TRUE(big.Send(raw5::Publish("t", std::string(2000, 'x'))));
  const std::optional<raw::Packet> answer = big.ReadPacket();
  ASSERT_TRUE(answer);
  const auto disconnect = raw5::ParseDisconnect(*answer);
  ASSERT_TRUE(disconnect);
  EXPECT_EQ(disconnect->reason_code, 0x95);
}

TEST(V5FlowTest, NoMatchingSubscribersIsTold0x10) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithArgs({"--threads", "4"}))) << broker.error();
  CommandResult pub =
      MosquittoPub(broker.port(), "mqttv5", {"-d", "-t", "lonely/topic", "-q", "1", "-m", "x"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  EXPECT_NE(pub.out.find("received PUBACK (Mid: 1, RC:16)"), std::string::npos) << pub.out;
  // With a subscriber on any worker: success.
  std::string error;
  Command sub;
  ASSERT_TRUE(
      StartMosquittoSub(&sub, broker.port(), "mqttv5", {"-t", "lonely/#", "-C", "1"}, &error))
      << error;
  pub = MosquittoPub(broker.port(), "mqttv5", {"-d", "-t", "lonely/topic", "-q", "1", "-m", "x"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  EXPECT_NE(pub.out.find("received PUBACK (Mid: 1, RC:0)"), std::string::npos) << pub.out;
  // QoS 2: in the PUBREC (mosquitto_pub does not print it: a raw client).
  raw::Client raw_pub;
  ASSERT_TRUE(raw_pub.Open(broker.port()));
  ASSERT_TRUE(raw_pub.Send(raw5::Connect("raw-pub", 60)));
  ASSERT_TRUE(raw_pub.ReadPacket());
  ASSERT_TRUE(raw_pub.Send(raw5::Publish("nobody", "x", 2, 9)));
  const std::optional<raw::Packet> pubrec = raw_pub.ReadPacket();
  ASSERT_TRUE(pubrec);
  EXPECT_EQ(pubrec->type, raw::kPubrec);
  EXPECT_EQ(pubrec->body.substr(0, 3), std::string("\x00\x09\x10", 3));
  // 3.1.1 publishers get a plain PUBACK.
  pub = MosquittoPub(broker.port(), "mqttv311", {"-d", "-t", "nobody", "-q", "1", "-m", "x"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  EXPECT_NE(pub.out.find("received PUBACK"), std::string::npos) << pub.out;
}

}  // namespace
}  // namespace plaza::testing
