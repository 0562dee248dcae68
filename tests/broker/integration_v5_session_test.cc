// MQTT 5 session rules against the real broker: Session Expiry Interval (a
// session lives that long after its connection, then is gone), Will Delay
// Interval (the will waits, and is cancelled by a reconnect), and the
// Assigned Client Identifier; with Paho C++, mosquitto_pub/sub and raw
// sockets.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "broker_process.h"
#include "mosquitto_cli.h"
#include "paho5_client.h"
#include "raw_v5_packets.h"

namespace plaza::testing {
namespace {

// CONNECT properties: a Session Expiry Interval.
std::string Expiry(uint32_t seconds) { return raw5::U32Property(0x11, seconds); }

// Connects a raw v5 client; the CONNACK's session present flag, or nullopt.
std::optional<bool> RawConnect(raw::Client* client, uint16_t port, const std::string& id,
                               uint32_t expiry, bool clean_start,
                               const raw5::Will* will = nullptr) {
  if (!client->Open(port) ||
      !client->Send(raw5::Connect(id, 60, Expiry(expiry), clean_start, will))) {
    return std::nullopt;
  }
  const std::optional<raw::Packet> connack = client->ReadPacket();
  if (!connack || connack->type != raw::kConnack || connack->body.size() < 2 ||
      connack->body[1] != 0) {
    return std::nullopt;
  }
  return (connack->body[0] & 1) != 0;
}

TEST(V5SessionTest, ASessionOutlivesItsConnectionForItsExpiryInterval) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  {
    raw::Client client;
    ASSERT_EQ(RawConnect(&client, broker.port(), "lasting", 60, true), false);
    ASSERT_TRUE(client.Send(raw5::Subscribe(1, "news", 1)));
    ASSERT_TRUE(client.ReadPacket());
    ASSERT_TRUE(client.Send(raw5::Disconnect()));
    EXPECT_TRUE(client.WaitForClose());
  }
  const CommandResult pub =
      MosquittoPub(broker.port(), "mqttv5", {"-t", "news", "-q", "1", "-m", "while-away"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  // Back within the interval: the session and the message queued in it.
  raw::Client again;
  ASSERT_EQ(RawConnect(&again, broker.port(), "lasting", 60, false), true);
  const std::optional<raw::Packet> queued = again.ReadPacket();
  ASSERT_TRUE(queued);
  const auto publish = raw5::ParsePublish(*queued);
  ASSERT_TRUE(publish);
  EXPECT_EQ(publish->payload, "while-away");
}

TEST(V5SessionTest, AnExpiredSessionIsGone) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  {
    raw::Client client;
    ASSERT_EQ(RawConnect(&client, broker.port(), "brief", 1, true), false);
    ASSERT_TRUE(client.Send(raw5::Subscribe(1, "news", 1)));
    ASSERT_TRUE(client.ReadPacket());
    client.Close();  // no DISCONNECT: the interval starts now
  }
  // The Paho client cannot tell expiry from a new session, so it checks the
  // flag after the interval has passed.
  std::this_thread::sleep_for(milliseconds(1600));
  Paho5Client paho(broker.port(), "brief");
  Connect5 resume;
  resume.clean_start = false;
  resume.session_expiry = 60;
  ASSERT_TRUE(paho.Connect(resume)) << paho.error();
  EXPECT_FALSE(paho.connack().session_present);
}

TEST(V5SessionTest, PahoResumesItsSessionWithSessionPresent) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  Connect5 lasting;
  lasting.clean_start = false;
  lasting.session_expiry = 300;
  {
    Paho5Client paho(broker.port(), "paho-lasting");
    ASSERT_TRUE(paho.Connect(lasting)) << paho.error();
    EXPECT_FALSE(paho.connack().session_present);
    ASSERT_EQ(paho.Subscribe("queue/#", 1), 1) << paho.error();
    ASSERT_TRUE(paho.Disconnect());
  }
  const CommandResult pub =
      MosquittoPub(broker.port(), "mqttv5", {"-t", "queue/a", "-q", "1", "-m", "kept"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  Paho5Client paho(broker.port(), "paho-lasting");
  ASSERT_TRUE(paho.Connect(lasting)) << paho.error();
  EXPECT_TRUE(paho.connack().session_present);
  const std::optional<Received5> got = paho.Receive();
  ASSERT_TRUE(got) << paho.error();
  EXPECT_EQ(got->payload, "kept");
}

TEST(V5SessionTest, ADelayedWillIsPublishedAfterItsDelay) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  std::string error;
  Command watcher;
  ASSERT_TRUE(StartMosquittoSub(&watcher, broker.port(), "mqttv5",
                                {"-t", "wills/#", "-C", "1", "-F", "%t|%p"}, &error))
      << error;
  raw5::Will will{"wills/late", "gone", 0, raw5::U32Property(0x18, 1)};  // 1 s delay
  raw::Client client;
  ASSERT_EQ(RawConnect(&client, broker.port(), "dying", 60, true, &will), false);
  client.Close();
  ASSERT_TRUE(watcher.WaitForOutput("wills/late|gone")) << watcher.out();
}

TEST(V5SessionTest, ReconnectingWithinTheDelayCancelsTheWill) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  std::string error;
  Command watcher;
  ASSERT_TRUE(StartMosquittoSub(&watcher, broker.port(), "mqttv5",
                                {"-t", "wills/#", "-C", "1", "-F", "%t|%p"}, &error))
      << error;
  raw5::Will will{"wills/cancelled", "gone", 0, raw5::U32Property(0x18, 1)};
  {
    raw::Client client;
    ASSERT_EQ(RawConnect(&client, broker.port(), "flaky", 60, true, &will), false);
    client.Close();
  }
  raw::Client back;
  ASSERT_EQ(RawConnect(&back, broker.port(), "flaky", 60, false), true);
  // Past the delay, the first thing the watcher sees is a marker.
  std::this_thread::sleep_for(milliseconds(1500));
  const CommandResult marker =
      MosquittoPub(broker.port(), "mqttv5", {"-t", "wills/marker", "-m", "marker"});
  ASSERT_EQ(marker.exit_code, 0) << marker.err;
  const CommandResult seen = watcher.Finish();
  EXPECT_NE(seen.out.find("wills/marker|marker"), std::string::npos) << seen.out;
  EXPECT_EQ(seen.out.find("wills/cancelled"), std::string::npos) << seen.out;
}

TEST(V5SessionTest, AnEmptyClientIdIsAssignedAndTold) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  Paho5Client paho(broker.port(), "");
  ASSERT_TRUE(paho.Connect()) << paho.error();
  ASSERT_TRUE(paho.connack().assigned_client_id);
  EXPECT_EQ(paho.connack().assigned_client_id->rfind("plaza-", 0), 0u)
      << *paho.connack().assigned_client_id;
  // mosquitto_pub -V mqttv5 without -i sends an empty id and reports the
  // assigned one in its debug output.
  const CommandResult pub = MosquittoPub(broker.port(), "mqttv5", {"-d", "-t", "t", "-m", "x"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  EXPECT_NE(pub.out.find("Client plaza-"), std::string::npos) << pub.out;
}

}  // namespace
}  // namespace plaza::testing
