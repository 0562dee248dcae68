// Hooks answered later (PENDING): the client waits and no one else does,
// its packets keep their order, and a hook that never answers meets the
// plugin's deadline and its fail-closed or fail-open policy
// (fixtures/async_plugin.c, with the real broker and real clients).
#include <gtest/gtest.h>

#include <string>

#include "broker_process.h"
#include "mqtt_test_clients.h"

namespace plaza::testing {
namespace {

using std::chrono::milliseconds;

std::string AsyncYaml(const std::string& on_timeout) {
  return std::string("plugins:\n  - path: ") + PLAZA_FIXTURE_async +
         "\n    name: async\n    pending_timeout_ms: 500\n    on_timeout: " + on_timeout + "\n";
}

class PendingTest : public ::testing::Test {
 protected:
  void StartBroker(const std::string& on_timeout = "deny") {
    ASSERT_TRUE(broker_.Start(WithConfig(AsyncYaml(on_timeout), {"--threads", "2"})))
        << broker_.error();
  }

  CommandResult Pub(const std::string& user) {
    return RunCommand({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(broker_.port()),
                       "-u", user, "-t", "t", "-m", "m"});
  }

  BrokerProcess broker_;
};

TEST_F(PendingTest, ConnectAllowedLater) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  MosqClient client(broker_.port(), "patient");
  ASSERT_TRUE(client.SetCredentials("slow-ok"));
  ASSERT_TRUE(client.Connect()) << client.error();
}

TEST_F(PendingTest, ConnectRefusedLater) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  const CommandResult result = Pub("slow-deny");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("bad user name or password"), std::string::npos) << result.err;
}

TEST_F(PendingTest, OthersAreServedWhileOneWaits) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  // "never" waits for its 500 ms deadline; meanwhile another client
  // connects, subscribes and receives at once.
  Command waiting;
  std::string error;
  ASSERT_TRUE(waiting.Start({"mosquitto_pub", "-h", "127.0.0.1", "-p",
                             std::to_string(broker_.port()), "-u", "never", "-t", "t", "-m", "m"},
                            &error))
      << error;
  MosqClient other(broker_.port(), "other");
  ASSERT_TRUE(other.Connect()) << other.error();
  ASSERT_EQ(other.Subscribe("x", 0), 0);
  ASSERT_TRUE(other.Publish("x", "meanwhile", 0));
  const auto got = other.Receive(milliseconds(400));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->payload, "meanwhile");
  EXPECT_NE(waiting.Finish().exit_code, 0);  // then refused at its deadline
}

TEST_F(PendingTest, HookThatNeverAnswersFailsClosed) {
  ASSERT_NO_FATAL_FAILURE(StartBroker("deny"));
  const CommandResult result = Pub("never");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("unavailable"), std::string::npos) << result.err;
  EXPECT_TRUE(broker_.WaitForLog("no answer for client")) << broker_.log();
}

TEST_F(PendingTest, HookThatNeverAnswersFailsOpenWhenConfigured) {
  ASSERT_NO_FATAL_FAILURE(StartBroker("allow"));
  const CommandResult result = Pub("never");
  EXPECT_EQ(result.exit_code, 0) << result.err;
}

TEST_F(PendingTest, SubscribeAnsweredLater) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  MosqClient client(broker_.port(), "sub");
  ASSERT_TRUE(client.Connect()) << client.error();
  EXPECT_EQ(client.Subscribe("slow/x", 2), 1);  // the plugin granted QoS 1
}

TEST_F(PendingTest, PublishesKeepTheirOrderAcrossAPendingOne) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  MosqClient sub(broker_.port(), "sub");
  ASSERT_TRUE(sub.Connect()) << sub.error();
  ASSERT_EQ(sub.Subscribe("#", 0), 0);
  MosqClient pub(broker_.port(), "pub");
  ASSERT_TRUE(pub.Connect()) << pub.error();
  ASSERT_TRUE(pub.Publish("slow/1", "first", 0));
  ASSERT_TRUE(pub.Publish("slow/2", "drop", 0));
  ASSERT_TRUE(pub.Publish("fast/3", "third", 0));
  const auto first = sub.Receive();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->payload, "first");
  const auto second = sub.Receive();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->payload, "third");  // "drop" was dropped, order kept
  EXPECT_FALSE(sub.Receive(milliseconds(300)));
}

// complete() may come before the hook has returned PENDING (an auth
// plugin's gRPC answer can be that quick). The answer must not be lost: the
// client would wait for the deadline and be refused as "unavailable".
TEST_F(PendingTest, AnswerBeforeThePendingVerdictAllows) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  const CommandResult result = Pub("quick-ok");
  EXPECT_EQ(result.exit_code, 0) << result.err;
}

TEST_F(PendingTest, AnswerBeforeThePendingVerdictRefusesWithItsReason) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  const CommandResult result = Pub("quick-deny");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("bad user name or password"), std::string::npos) << result.err;
}

TEST_F(PendingTest, AnswerBeforeThePendingVerdictRewritesAPublish) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  MosqClient sub(broker_.port(), "sub");
  ASSERT_TRUE(sub.Connect()) << sub.error();
  ASSERT_EQ(sub.Subscribe("quick/#", 0), 0);
  MosqClient pub(broker_.port(), "pub");
  ASSERT_TRUE(pub.Connect()) << pub.error();
  ASSERT_TRUE(pub.Publish("quick/1", "original", 0));
  const auto got = sub.Receive();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->topic, "quick/1");
  EXPECT_EQ(got->payload, "rewritten");
}

}  // namespace
}  // namespace plaza::testing
