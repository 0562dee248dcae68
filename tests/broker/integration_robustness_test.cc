// Misbehaving clients against the real broker: garbage, oversized packets,
// packets out of order, silence before CONNECT, abrupt drops in bulk, and a
// stream cut into single bytes. Each must cost only the offending
// connection: the tests check that a well-behaved client connected
// alongside keeps its session and its messages, and that the broker still
// accepts new clients and exits cleanly afterwards.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "broker_process.h"
#include "mqtt_test_clients.h"
#include "raw_mqtt_client.h"

namespace plaza::testing {
namespace {

// A persistent libmosquitto subscriber and a publisher: the bystanders whose
// service must not suffer from what another connection does.
class RobustnessTest : public ::testing::Test {
 protected:
  void StartBroker(BrokerOptions options = {}) {
    ASSERT_TRUE(broker_.Start(std::move(options))) << broker_.error();
    bystander_ = std::make_unique<MosqClient>(broker_.port(), "bystander", false);
    ASSERT_TRUE(bystander_->Connect()) << bystander_->error();
    ASSERT_EQ(bystander_->Subscribe("ok/#", 1), 1) << bystander_->error();
    publisher_ = std::make_unique<MosqClient>(broker_.port(), "publisher");
    ASSERT_TRUE(publisher_->Connect()) << publisher_->error();
  }

  // The bystander still gets messages, and a new client can connect.
  void ExpectBrokerStillServes(const std::string& payload) {
    ASSERT_TRUE(publisher_->Publish("ok/after", payload, 1)) << publisher_->error();
    const auto got = bystander_->Receive();
    ASSERT_TRUE(got) << bystander_->error();
    EXPECT_EQ(*got, Msg("ok/after", payload, 1));
    raw::Client newcomer;
    const auto connack = newcomer.Connect(broker_.port(), "newcomer-" + payload);
    ASSERT_TRUE(connack) << "no CONNACK for a new client";
    EXPECT_EQ(connack->return_code, 0);
    EXPECT_TRUE(newcomer.Ping());
  }

  BrokerProcess broker_;
  std::unique_ptr<MosqClient> bystander_;
  std::unique_ptr<MosqClient> publisher_;
};

TEST_F(RobustnessTest, GarbageInsteadOfConnectClosesOnlyThatConnection) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  raw::Client http;
  ASSERT_TRUE(http.Open(broker_.port()));
  ASSERT_TRUE(http.Send("GET / HTTP/1.1\r\nHost: plaza\r\n\r\n"));
  EXPECT_TRUE(http.WaitForClose());
  EXPECT_FALSE(http.ReadPacket(milliseconds(0))) << "the broker answered garbage";

  raw::Client noise;
  ASSERT_TRUE(noise.Open(broker_.port()));
  std::string bytes;
  for (int i = 0; i < 4096; ++i) bytes.push_back(static_cast<char>((i * 7919) % 251));
  noise.Send(bytes);  // may fail half way once the broker has closed
  EXPECT_TRUE(noise.WaitForClose());
  ExpectBrokerStillServes("after garbage");
}

TEST_F(RobustnessTest, GarbageAfterConnectClosesOnlyThatConnection) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  raw::Client client;
  ASSERT_TRUE(client.Connect(broker_.port(), "garbler"));
  ASSERT_EQ(client.Subscribe("ok/#", 1), 1);
  ASSERT_TRUE(client.Send(std::string("\x00\x00\x00\x00", 4)));  // reserved type 0
  EXPECT_TRUE(client.WaitForClose());
  ExpectBrokerStillServes("after reserved type");
}

TEST_F(RobustnessTest, MalformedRemainingLengthIsClosed) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  raw::Client client;
  ASSERT_TRUE(client.Connect(broker_.port(), "bad-length"));
  // Five length bytes: the encoding allows four [MQTT-2.2.3].
  ASSERT_TRUE(client.Send(std::string("\x30\xff\xff\xff\xff\x01", 6)));
  EXPECT_TRUE(client.WaitForClose());
  ExpectBrokerStillServes("after bad length");
}

TEST_F(RobustnessTest, PacketsOutOfPlaceAreClosed) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  // [MQTT-3.1.0-1]: the first packet must be CONNECT.
  raw::Client ping_first;
  ASSERT_TRUE(ping_first.Open(broker_.port()));
  ASSERT_TRUE(ping_first.Send(raw::Pingreq()));
  EXPECT_TRUE(ping_first.WaitForClose());
  EXPECT_FALSE(ping_first.ReadPacket(milliseconds(0))) << "PINGRESP before CONNECT";
  // [MQTT-3.1.0-2]: a second CONNECT is a protocol violation.
  raw::Client twice;
  ASSERT_TRUE(twice.Connect(broker_.port(), "twice"));
  ASSERT_TRUE(twice.Send(raw::Connect("twice", 60)));
  EXPECT_TRUE(twice.WaitForClose());
  // [MQTT-3.3.2-2]: no wildcards in a PUBLISH topic.
  raw::Client wildcard;
  ASSERT_TRUE(wildcard.Connect(broker_.port(), "wildcard-publisher"));
  ASSERT_TRUE(wildcard.Send(raw::Publish("ok/+", "wild", 0)));
  EXPECT_TRUE(wildcard.WaitForClose());
  ExpectBrokerStillServes("after out of place");
  // The wildcard publish was not delivered either: the first message the
  // bystander saw was the one just above.
}

TEST_F(RobustnessTest, RefusedConnectsGetTheirReturnCode) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  // Protocol level 5 (MQTT 5) is served: a v5 CONNACK (flags, reason code
  // 0x00, then properties). A real v5 CONNECT: level 5 and an empty
  // property list after the keep-alive.
  std::string mqtt5 = raw::Connect("five", 60);
  mqtt5[8] = 5;               // after the fixed header (2), name length (2) and "MQTT" (4)
  mqtt5.insert(12, 1, '\0');  // property length 0, after flags (1) and keep-alive (2)
  mqtt5[1] = static_cast<char>(mqtt5[1] + 1);
  raw::Client five;
  ASSERT_TRUE(five.Open(broker_.port()));
  ASSERT_TRUE(five.Send(mqtt5));
  auto packet = five.ReadPacket();
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->type, raw::kConnack);
  ASSERT_GT(packet->body.size(), 2u);
  EXPECT_EQ(packet->body.substr(0, 2), std::string("\x00\x00", 2));
  EXPECT_FALSE(five.WaitForClose(std::chrono::milliseconds(200)));
  // Level 3 (MQTT 3.1) still gets the 3.1.1 return code 1.
  std::string mqtt31 = raw::Connect("three", 60);
  mqtt31[8] = 3;
  raw::Client three;
  ASSERT_TRUE(three.Open(broker_.port()));
  ASSERT_TRUE(three.Send(mqtt31));
  packet = three.ReadPacket();
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->type, raw::kConnack);
  EXPECT_EQ(packet->body, std::string("\x00\x01", 2));
  EXPECT_TRUE(three.WaitForClose());
  // [MQTT-3.1.3-8]: an empty client id needs clean session 1: return code 2.
  raw::Client anonymous;
  const auto connack = anonymous.Connect(broker_.port(), "", 60, /*clean_session=*/false);
  ASSERT_TRUE(connack);
  EXPECT_EQ(connack->return_code, 2);
  EXPECT_TRUE(anonymous.WaitForClose());
  // With clean session 1 it is accepted.
  raw::Client assigned;
  const auto accepted = assigned.Connect(broker_.port(), "", 60, /*clean_session=*/true);
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->return_code, 0);
  ExpectBrokerStillServes("after refusals");
}

TEST_F(RobustnessTest, OversizedPacketClosesOnlyThatConnection) {
  ASSERT_NO_FATAL_FAILURE(StartBroker(WithConfig("limits:\n  max_packet_size: 1024\n")));
  raw::Client client;
  ASSERT_TRUE(client.Connect(broker_.port(), "big-sender"));
  // Under the limit: delivered.
  const std::string fits(900, 'f');
  ASSERT_TRUE(client.Send(raw::Publish("ok/fits", fits, 1, false, 1)));
  const auto ack = client.ReadPacket();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->type, raw::kPuback);
  auto got = bystander_->Receive();
  ASSERT_TRUE(got) << bystander_->error();
  EXPECT_EQ(*got, Msg("ok/fits", fits, 1));
  // Over it: closed, not delivered.
  client.Send(raw::Publish("ok/too-big", std::string(2000, 'b'), 1, false, 2));
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_TRUE(broker_.WaitForLog("exceeds the limit of 1024")) << broker_.log();
  ExpectBrokerStillServes("after oversized");
}

// The announced length alone is enough to refuse: the broker must not wait
// for (and buffer) a body it will never accept.
TEST_F(RobustnessTest, OversizedPacketIsRefusedFromItsHeader) {
  ASSERT_NO_FATAL_FAILURE(StartBroker(WithConfig("limits:\n  max_packet_size: 1024\n")));
  raw::Client client;
  ASSERT_TRUE(client.Connect(broker_.port(), "announcer"));
  ASSERT_TRUE(client.Send(raw::FixedHeader(0x30, 10'000'000) + std::string("\x00\x02ok", 4)));
  EXPECT_TRUE(client.WaitForClose());
  ExpectBrokerStillServes("after announced");
}

TEST_F(RobustnessTest, TopicLimitsCloseTheOffender) {
  ASSERT_NO_FATAL_FAILURE(
      StartBroker(WithConfig("limits:\n  max_topic_levels: 3\n  max_topic_length: 32\n")));
  raw::Client deep;
  ASSERT_TRUE(deep.Connect(broker_.port(), "deep"));
  ASSERT_TRUE(deep.Send(raw::Publish("ok/a/b/c", "four levels", 0)));
  EXPECT_TRUE(deep.WaitForClose());
  raw::Client longer;
  ASSERT_TRUE(longer.Connect(broker_.port(), "long"));
  ASSERT_TRUE(longer.Send(raw::Publish("ok/" + std::string(40, 'l'), "long topic", 0)));
  EXPECT_TRUE(longer.WaitForClose());
  // A filter over the limits is refused in the SUBACK, the connection lives.
  raw::Client subscriber;
  ASSERT_TRUE(subscriber.Connect(broker_.port(), "deep-subscriber"));
  EXPECT_EQ(subscriber.Subscribe("ok/a/b/c", 1), 0x80);
  EXPECT_EQ(subscriber.Subscribe("ok/#/b", 1), 0x80);  // invalid filter
  EXPECT_EQ(subscriber.Subscribe("ok/a/+", 1), 1);
  EXPECT_TRUE(subscriber.Ping());
  ExpectBrokerStillServes("after limits");
}

TEST_F(RobustnessTest, NoConnectInTimeIsClosed) {
  ASSERT_NO_FATAL_FAILURE(StartBroker(WithConfig("limits:\n  connect_timeout_ms: 300\n")));
  raw::Client idle;
  ASSERT_TRUE(idle.Open(broker_.port()));
  EXPECT_TRUE(idle.WaitForClose());
  EXPECT_TRUE(broker_.WaitForLog("no CONNECT in time")) << broker_.log();
  ExpectBrokerStillServes("after idle");
}

TEST_F(RobustnessTest, ByteByByteAndCoalescedPacketsAreDecoded) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  raw::Client client;
  ASSERT_TRUE(client.Open(broker_.port()));
  const std::string connect = raw::Connect("dribbler", 60);
  for (char byte : connect) ASSERT_TRUE(client.Send(std::string(1, byte)));
  auto packet = client.ReadPacket();
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->type, raw::kConnack);
  EXPECT_EQ(packet->body, std::string("\x00\x00", 2));
  // Four packets in one write: answered in order.
  ASSERT_TRUE(client.Send(raw::Subscribe(1, "self/#", 1) +
                          raw::Publish("self/t", "echo", 1, false, 2) + raw::Pingreq() +
                          raw::Publish("ok/x", "to bystander", 0)));
  std::vector<int> types;
  std::optional<raw::PublishFields> echo;
  for (int i = 0; i < 4; ++i) {
    packet = client.ReadPacket();
    ASSERT_TRUE(packet) << "after " << i << " packets";
    types.push_back(packet->type);
    if (packet->type == raw::kPublish) echo = raw::ParsePublish(*packet);
  }
  // SUBACK first; PUBACK and the echoed PUBLISH in either order; PINGRESP
  // after the PUBACK.
  EXPECT_EQ(types.front(), raw::kSuback);
  EXPECT_EQ(std::count(types.begin(), types.end(), raw::kPuback), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), raw::kPublish), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), raw::kPingresp), 1);
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->payload, "echo");
  const auto got = bystander_->Receive();
  ASSERT_TRUE(got) << bystander_->error();
  EXPECT_EQ(*got, Msg("ok/x", "to bystander", 0));
}

TEST_F(RobustnessTest, ManyAbruptDropsLeaveTheBrokerServing) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  for (int round = 0; round < 5; ++round) {
    std::vector<std::unique_ptr<raw::Client>> clients;
    for (int i = 0; i < 20; ++i) {
      auto client = std::make_unique<raw::Client>();
      const Will will{"ok/will", "w", 1, false};
      ASSERT_TRUE(client->Connect(broker_.port(), "drop-" + std::to_string(i), 60, true,
                                  i % 2 ? &will : nullptr));
      ASSERT_EQ(client->Subscribe("ok/#", 1), 1);
      clients.push_back(std::move(client));
    }
    ASSERT_TRUE(publisher_->Publish("ok/burst", std::to_string(round), 1)) << publisher_->error();
    for (size_t i = 0; i < clients.size(); ++i) {
      if (i % 3 == 0) {
        clients[i]->Reset();
      } else {
        clients[i]->Close();
      }
    }
    // The bystander sees the burst message and the ten wills (in no
    // particular order: the wills come from every worker).
    const std::vector<Received> seen = ReceiveCount(*bystander_, 11);
    ASSERT_EQ(seen.size(), 11u) << bystander_->error();
    EXPECT_EQ(std::count(seen.begin(), seen.end(), Msg("ok/burst", std::to_string(round), 1)), 1);
    EXPECT_EQ(std::count(seen.begin(), seen.end(), Msg("ok/will", "w", 1)), 10);
  }
  ExpectBrokerStillServes("after drops");
}

}  // namespace
}  // namespace plaza::testing
