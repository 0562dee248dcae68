// The example plugin examples/plugins/topic_guard inside the real
// plaza-broker, with real clients: listed users publish under a protected
// prefix, others are refused, connects and disconnects are logged, SIGHUP
// changes the rules, and a bad configuration stops the broker's start.
#include <gtest/gtest.h>

#include <string>

#include "broker_process.h"
#include "mqtt_test_clients.h"

namespace plaza::testing {
namespace {

std::string GuardYaml(const std::string& publishers) {
  return std::string("plugins:\n  - path: ") + PLAZA_EXAMPLE_topic_guard +
         "\n    name: topic_guard\n    config:\n      protected:\n"
         "        - prefix: announce/\n          publishers: " +
         publishers + "\n";
}

class TopicGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(broker_.Start(WithConfig(GuardYaml("[admin, moderator]")))) << broker_.error();
    ASSERT_TRUE(broker_.WaitForLog("[topic_guard] guarding 1 topic prefixes")) << broker_.log();
  }

  // Publishes one QoS 1 message as `user` with mosquitto_pub. A refused
  // message is still acknowledged (MQTT 3.1.1 has no negative PUBACK), so
  // the command succeeds either way.
  void PublishAs(const std::string& user, const std::string& client_id, const std::string& topic,
                 const std::string& payload) {
    const CommandResult result =
        RunCommand({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(broker_.port()), "-i",
                    client_id, "-u", user, "-P", "secret", "-q", "1", "-t", topic, "-m", payload});
    ASSERT_EQ(result.exit_code, 0) << result.err;
  }

  BrokerProcess broker_;
};

TEST_F(TopicGuardTest, OnlyListedUsersPublishUnderAProtectedPrefix) {
  MosqClient sub(broker_.port(), "watcher");
  ASSERT_TRUE(sub.Connect()) << sub.error();
  ASSERT_EQ(sub.Subscribe("#", 1), 1);
  PublishAs("eve", "eve-1", "announce/lobby", "from eve");
  PublishAs("admin", "admin-1", "announce/lobby", "from admin");
  PublishAs("eve", "eve-2", "chat/lobby", "eve may chat");
  const auto first = sub.Receive();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->payload, "from admin");
  const auto second = sub.Receive();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->payload, "eve may chat");
  EXPECT_FALSE(sub.Receive(milliseconds(300)));
  EXPECT_TRUE(broker_.WaitForLog("[topic_guard] denied eve-1 publishing to announce/lobby"))
      << broker_.log();
}

TEST_F(TopicGuardTest, AnonymousClientsAreRefusedToo) {
  MosqClient sub(broker_.port(), "watcher");
  ASSERT_TRUE(sub.Connect()) << sub.error();
  ASSERT_EQ(sub.Subscribe("announce/#", 1), 1);
  MosqClient anonymous(broker_.port(), "nobody");
  ASSERT_TRUE(anonymous.Connect()) << anonymous.error();
  ASSERT_TRUE(anonymous.Publish("announce/x", "psst", 1)) << anonymous.error();
  EXPECT_FALSE(sub.Receive(milliseconds(300)));
  EXPECT_TRUE(broker_.WaitForLog("[topic_guard] denied nobody publishing to announce/x"));
}

TEST_F(TopicGuardTest, ConnectsAndDisconnectsAreLogged) {
  PublishAs("moderator", "mod-1", "announce/x", "hello");
  EXPECT_TRUE(broker_.WaitForLog("[topic_guard] connect mod-1 user=moderator from 127.0.0.1:"))
      << broker_.log();
  EXPECT_TRUE(broker_.WaitForLog("[topic_guard] disconnect mod-1")) << broker_.log();
}

TEST_F(TopicGuardTest, ReloadChangesTheRules) {
  broker_.RewriteConfig(GuardYaml("[eve]"));
  ASSERT_TRUE(broker_.Signal(SIGHUP));
  ASSERT_TRUE(broker_.WaitForLog("[topic_guard] reloaded: guarding 1 topic prefixes"))
      << broker_.log();
  MosqClient sub(broker_.port(), "watcher");
  ASSERT_TRUE(sub.Connect()) << sub.error();
  ASSERT_EQ(sub.Subscribe("announce/#", 1), 1);
  PublishAs("admin", "admin-1", "announce/x", "admin no more");
  PublishAs("eve", "eve-1", "announce/x", "eve now");
  const auto received = sub.Receive();
  ASSERT_TRUE(received);
  EXPECT_EQ(received->payload, "eve now");
  EXPECT_FALSE(sub.Receive(milliseconds(300)));
}

TEST(TopicGuardStartTest, BadConfigurationStopsTheStart) {
  TempDir dir;
  const std::string config =
      dir.WriteFile("broker.yaml", std::string("plugins:\n  - path: ") + PLAZA_EXAMPLE_topic_guard +
                                       "\n    config: {protected: [{publishers: [a]}]}\n");
  const CommandResult result =
      RunCommand({BrokerPath(), "--bind", "127.0.0.1", "-p", "0", "-c", config});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("exception in the plugin's constructor"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("failed to initialize"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace plaza::testing
