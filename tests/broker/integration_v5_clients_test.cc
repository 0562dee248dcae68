// MQTT 5 against the real broker: mosquitto_pub/sub with -V mqttv5 for
// forwarded properties, message expiry and mixed protocol versions, and
// Paho C++ in MQTT 5 mode for CONNACK, acknowledgements and No Local.
#include <mqtt/client.h>

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "broker_process.h"

namespace plaza::testing {
namespace {

// A mosquitto_sub that prints one line per message: topic, payload, and the
// MQTT 5 properties it saw, and exits after `count` messages.
bool StartSub(Command* sub, uint16_t port, const std::string& topic, const std::string& version,
              int count, std::string* error) {
  if (!sub->Start(
          {"mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(port), "-V", version, "-t",
           topic, "-C", std::to_string(count), "-q", "1", "-F", "%t|%p|ct=%C|rt=%R|up=%P|exp=%E"},
          error)) {
    return false;
  }
  // Give it time to subscribe before anything is published.
  std::this_thread::sleep_for(milliseconds(300));
  return true;
}

CommandResult Pub(uint16_t port, const std::string& version, std::vector<std::string> extra) {
  std::vector<std::string> argv = {
      "mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(port), "-V", version, "-q", "1"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return RunCommand(argv);
}

TEST(V5ClientsTest, PropertiesAreForwardedToAFiveSubscriber) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  Command sub;
  std::string error;
  ASSERT_TRUE(StartSub(&sub, broker.port(), "v5/props", "mqttv5", 1, &error)) << error;
  const CommandResult pub = Pub(broker.port(), "mqttv5",
                                {"-t",
                                 "v5/props",
                                 "-m",
                                 "hello",
                                 "-D",
                                 "publish",
                                 "content-type",
                                 "text/plain",
                                 "-D",
                                 "publish",
                                 "response-topic",
                                 "reply/here",
                                 "-D",
                                 "publish",
                                 "user-property",
                                 "k1",
                                 "v1",
                                 "-D",
                                 "publish",
                                 "user-property",
                                 "k2",
                                 "v2",
                                 "-D",
                                 "publish",
                                 "message-expiry-interval",
                                 "120"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  const CommandResult got = sub.Finish();
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_NE(got.out.find("v5/props|hello|ct=text/plain|rt=reply/here|"), std::string::npos)
      << got.out;
  // User properties in their order.
  EXPECT_NE(got.out.find("k1:v1"), std::string::npos) << got.out;
  EXPECT_LT(got.out.find("k1:v1"), got.out.find("k2:v2")) << got.out;
  // The time left, at most what was published.
  EXPECT_TRUE(got.out.find("exp=120") != std::string::npos ||
              got.out.find("exp=119") != std::string::npos)
      << got.out;
}

TEST(V5ClientsTest, MixedVersionsReachEachOther) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  std::string error;
  // A 3.1.1 subscriber gets the v5 message without properties.
  Command old_sub;
  ASSERT_TRUE(StartSub(&old_sub, broker.port(), "mixed/a", "mqttv311", 1, &error)) << error;
  CommandResult pub =
      Pub(broker.port(), "mqttv5",
          {"-t", "mixed/a", "-m", "from-five", "-D", "publish", "user-property", "k", "v"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  CommandResult got = old_sub.Finish();
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_NE(got.out.find("mixed/a|from-five|"), std::string::npos) << got.out;
  EXPECT_EQ(got.out.find("k:v"), std::string::npos) << got.out;
  // A v5 subscriber gets the 3.1.1 message.
  Command new_sub;
  ASSERT_TRUE(StartSub(&new_sub, broker.port(), "mixed/b", "mqttv5", 1, &error)) << error;
  pub = Pub(broker.port(), "mqttv311", {"-t", "mixed/b", "-m", "from-three"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  got = new_sub.Finish();
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_NE(got.out.find("mixed/b|from-three|"), std::string::npos) << got.out;
}

TEST(V5ClientsTest, ExpiredRetainedMessageIsNotDelivered) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  CommandResult pub =
      Pub(broker.port(), "mqttv5",
          {"-t", "exp/short", "-m", "gone", "-r", "-D", "publish", "message-expiry-interval", "1"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  pub = Pub(
      broker.port(), "mqttv5",
      {"-t", "exp/long", "-m", "kept", "-r", "-D", "publish", "message-expiry-interval", "100"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  std::this_thread::sleep_for(milliseconds(1500));
  const CommandResult got =
      RunCommand({"mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(broker.port()), "-V",
                  "mqttv5", "-t", "exp/#", "-W", "1", "-F", "%t|%p|exp=%E"},
                 milliseconds(5000));
  EXPECT_NE(got.out.find("exp/long|kept|exp="), std::string::npos) << got.out;
  EXPECT_EQ(got.out.find("gone"), std::string::npos) << got.out;
}

TEST(V5ClientsTest, PahoFiveConnectsSubscribesAndPublishes) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  std::string error;
  Command sub;
  ASSERT_TRUE(StartSub(&sub, broker.port(), "paho/t", "mqttv5", 2, &error)) << error;
  const std::string uri = "tcp://127.0.0.1:" + std::to_string(broker.port());
  ::mqtt::client paho(uri, "paho-five", ::mqtt::create_options(MQTTVERSION_5));
  auto options =
      ::mqtt::connect_options_builder().mqtt_version(MQTTVERSION_5).clean_start(true).finalize();
  const ::mqtt::connect_response connected = paho.connect(options);
  EXPECT_EQ(connected.get_mqtt_version(), MQTTVERSION_5);
  EXPECT_FALSE(connected.is_session_present());
  // A v5 SUBACK carries the granted QoS as its reason code.
  const ::mqtt::subscribe_response granted =
      paho.subscribe("paho/#", 1, ::mqtt::subscribe_options(true));
  ASSERT_EQ(granted.get_reason_codes().size(), 1u);
  EXPECT_EQ(granted.get_reason_codes()[0], ::mqtt::ReasonCode::GRANTED_QOS_1);
  // QoS 1 and 2 flows complete (the calls wait for PUBACK and PUBCOMP).
  auto one = ::mqtt::make_message("paho/t", "one", 1, false);
  ::mqtt::properties props{{::mqtt::property::CONTENT_TYPE, "text/x"}};
  one->set_properties(props);
  paho.publish(one);
  paho.publish(::mqtt::make_message("paho/t", "two", 2, false));
  const CommandResult got = sub.Finish();
  EXPECT_NE(got.out.find("paho/t|one|ct=text/x|"), std::string::npos) << got.out;
  EXPECT_NE(got.out.find("paho/t|two|"), std::string::npos) << got.out;
  paho.disconnect();
}

TEST(V5ClientsTest, AuthenticationMethodIsRefused) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  const CommandResult pub =
      Pub(broker.port(), "mqttv5",
          {"-t", "a", "-m", "x", "-D", "connect", "authentication-method", "SCRAM-SHA-1"});
  EXPECT_NE(pub.exit_code, 0);
  EXPECT_NE(pub.err.find("authentication"), std::string::npos) << pub.err;
}

}  // namespace
}  // namespace plaza::testing
