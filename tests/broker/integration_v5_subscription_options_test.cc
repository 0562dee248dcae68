// MQTT 5 subscription options against the real broker: Retain Handling 0, 1
// and 2, No Local, Retain As Published, and Subscription Identifiers on
// deliveries; with Paho C++ (which sets every option) and mosquitto_sub
// (--retain-as-published, -D subscribe subscription-identifier).
#include <gtest/gtest.h>

#include <string>

#include "broker_process.h"
#include "mosquitto_cli.h"
#include "paho5_client.h"

namespace plaza::testing {
namespace {

class V5SubscriptionOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(broker_.Start(WithArgs({"--threads", "2"}))) << broker_.error();
  }
  // Publishes a retained message and waits for its acknowledgement.
  void Retain(const std::string& topic, const std::string& payload) {
    const CommandResult pub =
        MosquittoPub(broker_.port(), "mqttv5", {"-t", topic, "-q", "1", "-r", "-m", payload});
    ASSERT_EQ(pub.exit_code, 0) << pub.err;
  }
  void Publish(const std::string& topic, const std::string& payload) {
    const CommandResult pub =
        MosquittoPub(broker_.port(), "mqttv5", {"-t", topic, "-q", "1", "-m", payload});
    ASSERT_EQ(pub.exit_code, 0) << pub.err;
  }

  BrokerProcess broker_;
};

TEST_F(V5SubscriptionOptionsTest, RetainHandlingZeroOneAndTwo) {
  Retain("rh/a", "kept");
  Paho5Client paho(broker_.port(), "rh");
  ASSERT_TRUE(paho.Connect()) << paho.error();
  SubOptions5 options;
  // 2: nothing retained at subscribe.
  options.retain_handling = 2;
  ASSERT_EQ(paho.Subscribe("rh/#", 1, options), 1) << paho.error();
  // 1: only for a new subscription; "rh/#" exists, "rh/+" is new.
  options.retain_handling = 1;
  ASSERT_EQ(paho.Subscribe("rh/#", 1, options), 1) << paho.error();
  ASSERT_EQ(paho.Subscribe("rh/+", 1, options), 1) << paho.error();
  std::optional<Received5> got = paho.Receive();
  ASSERT_TRUE(got) << paho.error();
  EXPECT_EQ(got->payload, "kept");
  EXPECT_TRUE(got->retain);
  // 0: every time, even for an existing subscription.
  options.retain_handling = 0;
  ASSERT_EQ(paho.Subscribe("rh/+", 1, options), 1) << paho.error();
  got = paho.Receive();
  ASSERT_TRUE(got) << paho.error();
  EXPECT_EQ(got->payload, "kept");
  // Nothing else came: the next message is a fresh one (once, as the two
  // overlapping subscriptions deliver a single copy).
  Publish("rh/a", "fresh");
  got = paho.Receive();
  ASSERT_TRUE(got) << paho.error();
  EXPECT_EQ(got->payload, "fresh");
  EXPECT_FALSE(got->retain);
}

TEST_F(V5SubscriptionOptionsTest, NoLocalSkipsTheClientsOwnMessages) {
  Paho5Client paho(broker_.port(), "self");
  ASSERT_TRUE(paho.Connect()) << paho.error();
  SubOptions5 options;
  options.no_local = true;
  ASSERT_EQ(paho.Subscribe("chat/#", 1, options), 1) << paho.error();
  ASSERT_GE(paho.Publish("chat/room", "mine", 1), 0) << paho.error();
  Publish("chat/room", "theirs");
  const std::optional<Received5> got = paho.Receive();
  ASSERT_TRUE(got) << paho.error();
  EXPECT_EQ(got->payload, "theirs");
}

TEST_F(V5SubscriptionOptionsTest, RetainAsPublishedKeepsTheFlag) {
  Paho5Client paho(broker_.port(), "rap");
  ASSERT_TRUE(paho.Connect()) << paho.error();
  SubOptions5 options;
  options.retain_as_published = true;
  ASSERT_EQ(paho.Subscribe("rap/#", 1, options), 1) << paho.error();
  std::string error;
  Command cli;
  ASSERT_TRUE(StartMosquittoSub(
      &cli, broker_.port(), "mqttv5",
      {"-t", "rap/#", "--retain-as-published", "-C", "1", "-F", "%p|r=%r"}, &error))
      << error;
  Command plain;
  ASSERT_TRUE(StartMosquittoSub(&plain, broker_.port(), "mqttv5",
                                {"-t", "rap/#", "-C", "1", "-F", "%p|r=%r"}, &error))
      << error;
  Retain("rap/x", "live");
  const std::optional<Received5> got = paho.Receive();
  ASSERT_TRUE(got) << paho.error();
  EXPECT_TRUE(got->retain);
  const CommandResult kept = cli.Finish();
  EXPECT_NE(kept.out.find("live|r=1"), std::string::npos) << kept.out;
  const CommandResult cleared = plain.Finish();
  EXPECT_NE(cleared.out.find("live|r=0"), std::string::npos) << cleared.out;
}

TEST_F(V5SubscriptionOptionsTest, SubscriptionIdentifiersComeWithDeliveries) {
  Paho5Client paho(broker_.port(), "ids");
  ASSERT_TRUE(paho.Connect()) << paho.error();
  SubOptions5 first;
  first.subscription_id = 7;
  ASSERT_EQ(paho.Subscribe("ids/+", 1, first), 1) << paho.error();
  SubOptions5 second;
  second.subscription_id = 70000;
  ASSERT_EQ(paho.Subscribe("ids/#", 1, second), 1) << paho.error();
  std::string error;
  Command cli;
  ASSERT_TRUE(StartMosquittoSub(&cli, broker_.port(), "mqttv5",
                                {"-t", "ids/#", "-D", "subscribe", "subscription-identifier", "42",
                                 "-C", "1", "-F", "%p|S=%S"},
                                &error))
      << error;
  Publish("ids/a", "both");
  const std::optional<Received5> got = paho.Receive();
  ASSERT_TRUE(got) << paho.error();
  std::vector<uint32_t> ids = got->subscription_ids;
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<uint32_t>{7, 70000}));
  const CommandResult seen = cli.Finish();
  EXPECT_NE(seen.out.find("both|S=42"), std::string::npos) << seen.out;
}

}  // namespace
}  // namespace plaza::testing
