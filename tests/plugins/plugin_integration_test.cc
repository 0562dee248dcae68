// Plugins inside the real plaza-broker: loaded from the YAML `plugins:`
// list, refused at start with a clear error, and every hook verdict seen by
// real clients (libmosquitto and mosquitto_pub/sub).
#include <gtest/gtest.h>

#include <string>

#include "broker_process.h"
#include "mqtt_test_clients.h"

namespace plaza::testing {
namespace {

using std::chrono::milliseconds;

std::string PluginsYaml(const std::vector<std::pair<std::string, std::string>>& plugins) {
  std::string yaml = "plugins:\n";
  for (const auto& [path, name] : plugins) {
    yaml += "  - path: " + path + "\n    name: " + name + "\n    config: {greeting: hello}\n";
  }
  return yaml;
}

bool Contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// The messages `client` receives until `count` arrived or it stays quiet.
std::vector<Received> CollectFor(MosqClient& client, size_t count) {
  std::vector<Received> got;
  while (got.size() < count) {
    auto message = client.Receive(milliseconds(2000));
    if (!message) break;
    got.push_back(*message);
  }
  return got;
}

class PluginBrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(broker_.Start(WithConfig(PluginsYaml({{PLAZA_FIXTURE_rules, "rules"}}))))
        << broker_.error();
    ASSERT_TRUE(broker_.WaitForLog("[rules] init name=rules config={greeting: hello}"))
        << broker_.log();
  }

  CommandResult Pub(const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {"mosquitto_pub", "-h", "127.0.0.1", "-p",
                                     std::to_string(broker_.port())};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunCommand(argv);
  }

  BrokerProcess broker_;
};

TEST_F(PluginBrokerTest, ConnectDeniedByPluginGetsBadUsernameOrPassword) {
  const CommandResult refused = Pub({"-u", "mallory", "-P", "x", "-t", "t", "-m", "m"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(Contains(refused.err, "bad user name or password")) << refused.err;
  const CommandResult banned = Pub({"-u", "banned-user", "-t", "t", "-m", "m"});
  EXPECT_NE(banned.exit_code, 0);
  EXPECT_TRUE(Contains(banned.err, "not authorised")) << banned.err;
  const CommandResult allowed = Pub({"-u", "alice", "-t", "t", "-m", "m"});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_TRUE(broker_.WaitForLog("a plugin denied the connection")) << broker_.log();
}

TEST_F(PluginBrokerTest, SubscribeDeniedOrCapped) {
  MosqClient client(broker_.port(), "sub");
  ASSERT_TRUE(client.Connect()) << client.error();
  EXPECT_EQ(client.Subscribe("secret/plans", 1), 0x80);
  EXPECT_EQ(client.Subscribe("capped/x", 2), 1);
  EXPECT_EQ(client.Subscribe("open/x", 2), 2);
}

TEST_F(PluginBrokerTest, PublishDroppedOrRewritten) {
  MosqClient sub(broker_.port(), "sub");
  ASSERT_TRUE(sub.Connect()) << sub.error();
  ASSERT_EQ(sub.Subscribe("#", 1), 1);
  MosqClient pub(broker_.port(), "pub");
  ASSERT_TRUE(pub.Connect()) << pub.error();
  ASSERT_TRUE(pub.Publish("drop/x", "gone", 1)) << pub.error();  // still acknowledged
  ASSERT_TRUE(pub.Publish("rewrite/me", "hi", 1)) << pub.error();
  ASSERT_TRUE(pub.Publish("plain/x", "as is", 1)) << pub.error();
  const auto first = sub.Receive();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->topic, "rewritten/me");
  EXPECT_EQ(first->payload, "[rewritten] hi");
  const auto second = sub.Receive();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->topic, "plain/x");
  EXPECT_EQ(second->payload, "as is");
  EXPECT_FALSE(sub.Receive(milliseconds(300)));
}

TEST_F(PluginBrokerTest, DeliveryDroppedOrRewrittenPerSubscriber) {
  MosqClient nosy(broker_.port(), "nosy-1");
  ASSERT_TRUE(nosy.Connect()) << nosy.error();
  ASSERT_EQ(nosy.Subscribe("#", 0), 0);
  MosqClient censored(broker_.port(), "censored-1");
  ASSERT_TRUE(censored.Connect()) << censored.error();
  ASSERT_EQ(censored.Subscribe("#", 0), 0);
  MosqClient plain(broker_.port(), "plain-1");
  ASSERT_TRUE(plain.Connect()) << plain.error();
  ASSERT_EQ(plain.Subscribe("#", 0), 0);
  MosqClient pub(broker_.port(), "publisher-1");
  ASSERT_TRUE(pub.Connect()) << pub.error();
  ASSERT_TRUE(pub.Publish("private/diary", "secret", 1));
  ASSERT_TRUE(pub.Publish("news/today", "headline", 1));
  ASSERT_TRUE(pub.Publish("traced/x", "t", 1));

  auto plain_got = CollectFor(plain, 3);
  ASSERT_EQ(plain_got.size(), 3u);
  EXPECT_EQ(plain_got[1].payload, "headline");
  auto nosy_got = CollectFor(nosy, 2);
  ASSERT_EQ(nosy_got.size(), 2u);
  EXPECT_EQ(nosy_got[0].topic, "news/today");  // private/ never reached it
  auto censored_got = CollectFor(censored, 3);
  ASSERT_EQ(censored_got.size(), 3u);
  EXPECT_EQ(censored_got[0].payload, "secret");
  EXPECT_EQ(censored_got[1].payload, "[censored]");
  EXPECT_TRUE(broker_.WaitForLog("deliver traced/x from publisher-1 to plain-1")) << broker_.log();
}

TEST_F(PluginBrokerTest, ControlTopicGoesToThePluginOnly) {
  MosqClient watcher(broker_.port(), "watcher");
  ASSERT_TRUE(watcher.Connect()) << watcher.error();
  ASSERT_EQ(watcher.Subscribe("$CONTROL/#", 0), 0);
  MosqClient asker(broker_.port(), "asker");
  ASSERT_TRUE(asker.Connect()) << asker.error();
  ASSERT_EQ(asker.Subscribe("$CONTROL/rules/response", 0), 0);
  ASSERT_TRUE(asker.Publish("$CONTROL/rules/echo", "ping", 1));
  const auto reply = asker.Receive();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->topic, "$CONTROL/rules/response");
  EXPECT_EQ(reply->payload, "ping");
  // Neither the request nor the reply was routed to other subscribers.
  EXPECT_FALSE(watcher.Receive(milliseconds(300)));
  // A $CONTROL topic no plugin is named after is an ordinary topic.
  ASSERT_TRUE(asker.Publish("$CONTROL/nobody/x", "plain", 1));
  const auto routed = watcher.Receive();
  ASSERT_TRUE(routed);
  EXPECT_EQ(routed->topic, "$CONTROL/nobody/x");
}

TEST_F(PluginBrokerTest, DisconnectAndUnsubscribeAreReported) {
  {
    MosqClient client(broker_.port(), "leaver");
    ASSERT_TRUE(client.Connect()) << client.error();
    ASSERT_EQ(client.Subscribe("a/b", 0), 0);
    ASSERT_TRUE(client.Unsubscribe("a/b")) << client.error();
    ASSERT_TRUE(client.Disconnect());
  }
  EXPECT_TRUE(broker_.WaitForLog("[rules] unsubscribe a/b")) << broker_.log();
  EXPECT_TRUE(broker_.WaitForLog("[rules] disconnect leaver cause=0 will=0")) << broker_.log();
  {
    MosqClient client(broker_.port(), "dropper");
    ASSERT_TRUE(client.Connect()) << client.error();
    client.Kill();
  }
  EXPECT_TRUE(broker_.WaitForLog("[rules] disconnect dropper cause=1")) << broker_.log();
}

TEST_F(PluginBrokerTest, ReloadHandsThePluginItsNewConfig) {
  broker_.RewriteConfig("plugins:\n  - path: " + std::string(PLAZA_FIXTURE_rules) +
                        "\n    name: rules\n    config: {greeting: bonjour}\n");
  ASSERT_TRUE(broker_.Signal(SIGHUP));
  EXPECT_TRUE(broker_.WaitForLog("[rules] reload config={greeting: bonjour}")) << broker_.log();
}

TEST(PluginStartTest, BrokerRefusesToStartWithABadPlugin) {
  struct Case {
    const char* path;
    const char* expected;
  };
  const Case cases[] = {
      {PLAZA_FIXTURE_missing_init, "does not export plaza_plugin_init"},
      {PLAZA_FIXTURE_abi_too_new, "needs plugin ABI version 99; this broker speaks version 1"},
      {PLAZA_FIXTURE_init_fails, "plaza_plugin_init returned 7"},
      {"does/not/exist.so", "cannot be loaded"},
  };
  for (const Case& c : cases) {
    TempDir dir;
    const std::string config =
        dir.WriteFile("broker.yaml", std::string("plugins:\n  - path: ") + c.path + "\n");
    const CommandResult result =
        RunCommand({BrokerPath(), "--bind", "127.0.0.1", "-p", "0", "-c", config});
    EXPECT_EQ(result.exit_code, 1) << c.path << "\n" << result.err;
    EXPECT_TRUE(Contains(result.err, c.expected)) << result.err;
  }
}

TEST(PluginStartTest, CleanupRunsAtShutdown) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithConfig(PluginsYaml({{PLAZA_FIXTURE_rules, "rules"}}))))
      << broker.error();
  EXPECT_EQ(broker.Stop(), 0);
  EXPECT_TRUE(broker.WaitForLog("[rules] cleanup")) << broker.log();
}

}  // namespace
}  // namespace plaza::testing
