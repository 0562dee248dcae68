// Server Keep Alive against the real broker (limits.max_keep_alive): an
// MQTT 5 client asking for more, or for none, is told the cap in its
// CONNACK and disconnected (0x8D) after 1.5 times it in silence; a 3.1.1
// client asking for more is refused; one within the cap is left alone.
#include <gtest/gtest.h>

#include <string>

#include "broker_process.h"
#include "mosquitto_cli.h"
#include "paho5_client.h"
#include "raw_v5_packets.h"

namespace plaza::testing {
namespace {

BrokerOptions CappedAt(int seconds) {
  return WithConfig("limits:\n  max_keep_alive: " + std::to_string(seconds) + "\n");
}

TEST(V5KeepAliveTest, PahoIsToldTheServerKeepAlive) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(CappedAt(30))) << broker.error();
  Paho5Client paho(broker.port(), "paho");
  Connect5 options;
  options.keep_alive_s = 300;
  ASSERT_TRUE(paho.Connect(options)) << paho.error();
  EXPECT_EQ(paho.connack().server_keep_alive, 30);
}

TEST(V5KeepAliveTest, WithinTheCapNothingIsSaid) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(CappedAt(30))) << broker.error();
  Paho5Client paho(broker.port(), "paho");
  Connect5 options;
  options.keep_alive_s = 20;
  ASSERT_TRUE(paho.Connect(options)) << paho.error();
  EXPECT_FALSE(paho.connack().server_keep_alive);
}

TEST(V5KeepAliveTest, ASilentClientIsHeldToTheCap) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(CappedAt(1))) << broker.error();
  raw::Client client;
  ASSERT_TRUE(client.Open(broker.port()));
  ASSERT_TRUE(client.Send(raw5::Connect("silent", 0)));  // asks for no keep-alive at all
  const std::optional<raw::Packet> connack = client.ReadPacket();
  ASSERT_TRUE(connack);
  const auto ack = raw5::ParseConnack(*connack);
  ASSERT_TRUE(ack);
  ASSERT_TRUE(ack->properties.contains(0x13));
  EXPECT_EQ(ack->properties.at(0x13), std::string("\x00\x01", 2));
  // Silent for 1.5 s: told 0x8D (Keep Alive timeout) and closed.
  const std::optional<raw::Packet> answer = client.ReadPacket();
  ASSERT_TRUE(answer);
  const auto disconnect = raw5::ParseDisconnect(*answer);
  ASSERT_TRUE(disconnect);
  EXPECT_EQ(disconnect->reason_code, 0x8D);
  EXPECT_TRUE(client.WaitForClose());
}

TEST(V5KeepAliveTest, ThreeOneOneClientsAskingMoreAreRefused) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(CappedAt(30))) << broker.error();
  CommandResult pub = MosquittoPub(broker.port(), "mqttv311", {"-k", "60", "-t", "t", "-m", "x"});
  EXPECT_NE(pub.exit_code, 0);
  EXPECT_NE(pub.err.find("identifier rejected"), std::string::npos) << pub.err;
  pub = MosquittoPub(broker.port(), "mqttv311", {"-k", "30", "-t", "t", "-m", "x"});
  EXPECT_EQ(pub.exit_code, 0) << pub.err;
  // MQTT 5 with the same request is accepted (and told).
  pub = MosquittoPub(broker.port(), "mqttv5", {"-k", "60", "-t", "t", "-m", "x"});
  EXPECT_EQ(pub.exit_code, 0) << pub.err;
  EXPECT_TRUE(broker.WaitForLog("limits.max_keep_alive"));
}

}  // namespace
}  // namespace plaza::testing
