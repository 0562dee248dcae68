// MQTT 5 message properties through the real broker, unchanged: payload
// format indicator, content type, response topic, correlation data and
// user properties (in order, repeated keys kept), and the Message Expiry
// Interval forwarded as the time left; between Paho C++ and the mosquitto
// command-line clients, and to and from MQTT 3.1.1 clients.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "broker_process.h"
#include "mosquitto_cli.h"
#include "mqtt_test_clients.h"
#include "paho5_client.h"

namespace plaza::testing {
namespace {

Properties5 EveryForwardedProperty() {
  Properties5 p;
  p.payload_format = 1;
  p.content_type = "application/json";
  p.response_topic = "replies/42";
  p.correlation_data = std::string("\x01\x00\x02", 3);
  p.user_properties = {{"b", "2"}, {"a", "1"}, {"b", "3"}};
  p.message_expiry = 300;
  return p;
}

TEST(V5PropertiesTest, PahoToPahoEveryPropertyUnchanged) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithArgs({"--threads", "2"}))) << broker.error();
  Paho5Client sub(broker.port(), "sub");
  Paho5Client pub(broker.port(), "pub");
  ASSERT_TRUE(ConnectAll({&sub, &pub})) << sub.error() << pub.error();
  ASSERT_EQ(sub.Subscribe("props/#", 1), 1) << sub.error();
  ASSERT_EQ(pub.Publish("props/a", "{\"x\":1}", 1, false, EveryForwardedProperty()), 0);
  const std::optional<Received5> got = sub.Receive();
  ASSERT_TRUE(got) << sub.error();
  EXPECT_EQ(got->payload, "{\"x\":1}");
  EXPECT_EQ(got->payload_format, 1);
  EXPECT_EQ(got->content_type, "application/json");
  EXPECT_EQ(got->response_topic, "replies/42");
  EXPECT_EQ(got->correlation_data, std::string("\x01\x00\x02", 3));
  EXPECT_EQ(got->user_properties, (StringPairs{{"b", "2"}, {"a", "1"}, {"b", "3"}}));
  ASSERT_TRUE(got->message_expiry);
  EXPECT_LE(*got->message_expiry, 300u);
  EXPECT_GE(*got->message_expiry, 290u);
}

TEST(V5PropertiesTest, MosquittoPubToPahoAndPahoToMosquittoSub) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithArgs({"--threads", "2"}))) << broker.error();
  std::string error;
  Command cli_sub;
  ASSERT_TRUE(StartMosquittoSub(
      &cli_sub, broker.port(), "mqttv5",
      {"-t", "to-cli", "-C", "1", "-F", "F=%F|C=%C|R=%R|D=%D|P=%P|E=%E|%p"}, &error))
      << error;
  Paho5Client paho(broker.port(), "paho");
  ASSERT_TRUE(paho.Connect()) << paho.error();
  ASSERT_EQ(paho.Subscribe("to-paho", 1), 1) << paho.error();
  // mosquitto_pub -> Paho.
  const CommandResult pub = MosquittoPub(broker.port(), "mqttv5",
                                         {"-t",
                                          "to-paho",
                                          "-q",
                                          "1",
                                          "-m",
                                          "hi",
                                          "-D",
                                          "publish",
                                          "payload-format-indicator",
                                          "1",
                                          "-D",
                                          "publish",
                                          "content-type",
                                          "text/plain",
                                          "-D",
                                          "publish",
                                          "response-topic",
                                          "r/1",
                                          "-D",
                                          "publish",
                                          "correlation-data",
                                          "corr",
                                          "-D",
                                          "publish",
                                          "user-property",
                                          "k",
                                          "v",
                                          "-D",
                                          "publish",
                                          "message-expiry-interval",
                                          "60"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  const std::optional<Received5> got = paho.Receive();
  ASSERT_TRUE(got) << paho.error();
  EXPECT_EQ(got->payload, "hi");
  EXPECT_EQ(got->payload_format, 1);
  EXPECT_EQ(got->content_type, "text/plain");
  EXPECT_EQ(got->response_topic, "r/1");
  EXPECT_EQ(got->correlation_data, "corr");
  EXPECT_EQ(got->user_properties, (StringPairs{{"k", "v"}}));
  EXPECT_LE(got->message_expiry.value_or(0), 60u);
  EXPECT_GE(got->message_expiry.value_or(0), 55u);
  // Paho -> mosquitto_sub.
  Properties5 props;
  props.payload_format = 1;
  props.content_type = "ct";
  props.response_topic = "rt";
  props.correlation_data = "cd";
  props.user_properties = {{"x", "1"}, {"y", "2"}};
  props.message_expiry = 100;
  ASSERT_EQ(paho.Publish("to-cli", "body", 1, false, props), 0);
  const CommandResult cli = cli_sub.Finish();
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.out.find("F=1|C=ct|R=rt|D=cd|P=x:1"), std::string::npos) << cli.out;
  EXPECT_LT(cli.out.find("x:1"), cli.out.find("y:2")) << cli.out;
  EXPECT_TRUE(cli.out.find("|E=100|body") != std::string::npos ||
              cli.out.find("|E=99|body") != std::string::npos)
      << cli.out;
}

TEST(V5PropertiesTest, QueuedMessagesCarryTheTimeLeft) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  const std::string port = std::to_string(broker.port());
  // A persistent v5 subscriber that subscribes and leaves.
  CommandResult sub =
      RunCommand({"mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-V", "mqttv5", "-i",
                  "expiry-sub", "-c", "-x", "60", "-q", "1", "-t", "exp", "-E"});
  ASSERT_EQ(sub.exit_code, 0) << sub.err;
  const CommandResult pub = MosquittoPub(
      broker.port(), "mqttv5",
      {"-t", "exp", "-q", "1", "-m", "later", "-D", "publish", "message-expiry-interval", "30"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  // Two seconds pass while it waits in the session.
  std::this_thread::sleep_for(milliseconds(2100));
  sub = RunCommand({"mosquitto_sub",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    port,
                    "-V",
                    "mqttv5",
                    "-i",
                    "expiry-sub",
                    "-c",
                    "-x",
                    "60",
                    "-q",
                    "1",
                    "-t",
                    "exp",
                    "-C",
                    "1",
                    "-F",
                    "%p|E=%E"});
  EXPECT_EQ(sub.exit_code, 0) << sub.err;
  // 30 s minus at least 2, rounded up.
  EXPECT_TRUE(sub.out.find("later|E=28") != std::string::npos ||
              sub.out.find("later|E=27") != std::string::npos)
      << sub.out;
}

TEST(V5PropertiesTest, ThreeOneOneAndFiveClientsReachEachOther) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithArgs({"--threads", "2"}))) << broker.error();
  Paho5Client five(broker.port(), "five");
  ASSERT_TRUE(five.Connect()) << five.error();
  ASSERT_EQ(five.Subscribe("mixed/#", 1), 1) << five.error();
  MosqClient three(broker.port(), "three");
  ASSERT_TRUE(three.Connect()) << three.error();
  ASSERT_EQ(three.Subscribe("mixed/#", 1), 1) << three.error();
  // 5.0 -> 3.1.1: the message without its properties.
  ASSERT_EQ(five.Publish("mixed/from-five", "p5", 1, false, EveryForwardedProperty()), 0);
  const std::optional<Received> at_three = three.Receive();
  ASSERT_TRUE(at_three) << three.error();
  EXPECT_EQ(*at_three, Msg("mixed/from-five", "p5", 1));
  const std::optional<Received5> echo = five.Receive();
  ASSERT_TRUE(echo) << five.error();
  EXPECT_EQ(echo->payload, "p5");
  // 3.1.1 -> 5.0: no properties at all.
  ASSERT_TRUE(three.Publish("mixed/from-three", "p3", 1)) << three.error();
  const std::optional<Received5> at_five = five.Receive();
  ASSERT_TRUE(at_five) << five.error();
  EXPECT_EQ(at_five->topic, "mixed/from-three");
  EXPECT_EQ(at_five->payload, "p3");
  EXPECT_FALSE(at_five->content_type);
  EXPECT_TRUE(at_five->user_properties.empty());
  EXPECT_FALSE(at_five->message_expiry);
}

}  // namespace
}  // namespace plaza::testing
