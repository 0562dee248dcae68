// MQTT 5 properties across the plugin ABI, with Paho C++ in MQTT 5 mode
// (fixtures/state_plugin.c): a hook sees a publish's properties and the
// expiry left, a reply sent with publish_to carries them back on the
// request's Response Topic with its Correlation Data (how room plugins
// answer requests), and a rewrite keeps the publisher's user properties.
#include <mqtt/client.h>

#include <gtest/gtest.h>

#include <string>

#include "broker_process.h"

namespace plaza::testing {
namespace {

using std::chrono::milliseconds;

class PluginMessagePropertiesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string yaml =
        std::string("plugins:\n  - path: ") + PLAZA_FIXTURE_state + "\n    name: state\n";
    ASSERT_TRUE(broker_.Start(WithConfig(yaml))) << broker_.error();
  }

  std::unique_ptr<::mqtt::client> Connect(const std::string& id) {
    const std::string uri = "tcp://127.0.0.1:" + std::to_string(broker_.port());
    auto client = std::make_unique<::mqtt::client>(uri, id, ::mqtt::create_options(MQTTVERSION_5));
    client->connect(
        ::mqtt::connect_options_builder().mqtt_version(MQTTVERSION_5).clean_start(true).finalize());
    return client;
  }

  static std::vector<std::pair<std::string, std::string>> UserProperties(
      const ::mqtt::properties& props) {
    std::vector<std::pair<std::string, std::string>> out;
    for (size_t i = 0; i < props.count(::mqtt::property::USER_PROPERTY); ++i) {
      const auto pair = ::mqtt::get<::mqtt::string_pair>(props, ::mqtt::property::USER_PROPERTY, i);
      out.emplace_back(std::get<0>(pair), std::get<1>(pair));
    }
    return out;
  }

  BrokerProcess broker_;
};

TEST_F(PluginMessagePropertiesTest, AReplyCarriesTheRequestsPropertiesBack) {
  auto client = Connect("requester");
  auto request = ::mqtt::make_message("echo/request", "ping", 1, false);
  request->set_properties({
      {::mqtt::property::RESPONSE_TOPIC, "replies/requester"},
      {::mqtt::property::CORRELATION_DATA, ::mqtt::binary("c-42")},
      {::mqtt::property::CONTENT_TYPE, "text/x"},
      {::mqtt::property::PAYLOAD_FORMAT_INDICATOR, 1},
      {::mqtt::property::MESSAGE_EXPIRY_INTERVAL, 60},
      {::mqtt::property::USER_PROPERTY, "k", "v"},
  });
  client->publish(request);
  ::mqtt::const_message_ptr reply;
  ASSERT_TRUE(client->try_consume_message_for(&reply, milliseconds(3000)));
  EXPECT_EQ(reply->get_topic(), "replies/requester");
  EXPECT_EQ(reply->to_string(), "ping");
  const ::mqtt::properties& props = reply->get_properties();
  EXPECT_EQ(::mqtt::get<::mqtt::binary>(props, ::mqtt::property::CORRELATION_DATA), "c-42");
  EXPECT_EQ(::mqtt::get<std::string>(props, ::mqtt::property::CONTENT_TYPE), "text/x");
  EXPECT_EQ(::mqtt::get<uint8_t>(props, ::mqtt::property::PAYLOAD_FORMAT_INDICATOR), 1);
  const auto user = UserProperties(props);
  ASSERT_EQ(user.size(), 2u);
  EXPECT_EQ(user[0], std::make_pair(std::string("k"), std::string("v")));
  EXPECT_EQ(user[1].first, "expiry");
  // The hook saw the seconds left (60, or 59 after a slow second).
  const int left = std::stoi(user[1].second);
  EXPECT_GE(left, 55);
  EXPECT_LE(left, 60);
  // The reply keeps the expiry too.
  EXPECT_TRUE(props.contains(::mqtt::property::MESSAGE_EXPIRY_INTERVAL));
  client->disconnect();
}

TEST_F(PluginMessagePropertiesTest, ARewriteKeepsThePublishersUserProperties) {
  auto subscriber = Connect("tag-subscriber");
  subscriber->subscribe("tag/#", 1);
  auto publisher = Connect("tag-publisher");
  auto message = ::mqtt::make_message("tag/x", "payload", 1, false);
  message->set_properties({{::mqtt::property::USER_PROPERTY, "from", "publisher"},
                           {::mqtt::property::CONTENT_TYPE, "application/x"}});
  publisher->publish(message);
  ::mqtt::const_message_ptr got;
  ASSERT_TRUE(subscriber->try_consume_message_for(&got, milliseconds(3000)));
  EXPECT_EQ(got->get_topic(), "tag/x");
  const auto user = UserProperties(got->get_properties());
  ASSERT_EQ(user.size(), 2u);
  EXPECT_EQ(user[0], std::make_pair(std::string("from"), std::string("publisher")));
  EXPECT_EQ(user[1], std::make_pair(std::string("tagged"), std::string("1")));
  EXPECT_EQ(::mqtt::get<std::string>(got->get_properties(), ::mqtt::property::CONTENT_TYPE),
            "application/x");
  publisher->disconnect();
  subscriber->disconnect();
}

}  // namespace
}  // namespace plaza::testing
