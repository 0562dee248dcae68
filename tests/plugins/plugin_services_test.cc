// The host services a plugin calls -- publish as the server, publish to one
// client, server-side subscribe, kick, client facts, attributes, timers --
// each seen by real clients of the real broker (fixtures/services_plugin.c).
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "broker_process.h"
#include "metrics_page.h"
#include "mqtt_test_clients.h"

namespace plaza::testing {
namespace {

using std::chrono::milliseconds;

class PluginServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string yaml =
        std::string("plugins:\n  - path: ") + PLAZA_FIXTURE_services + "\n    name: services\n";
    ASSERT_TRUE(
        broker_.Start(WithConfig(yaml, {"--threads", "2", "--metrics-listen", "127.0.0.1:0"})))
        << broker_.error();
  }

  std::string Metrics() { return MetricsPage(broker_); }

  BrokerProcess broker_;
};

TEST_F(PluginServicesTest, TimerPublishesAsTheServer) {
  MosqClient client(broker_.port(), "ticker");
  ASSERT_TRUE(client.Connect()) << client.error();
  ASSERT_EQ(client.Subscribe("plugin/tick", 0), 0);
  for (int i = 0; i < 2; ++i) {
    const auto tick = client.Receive(milliseconds(3000));
    ASSERT_TRUE(tick) << "tick " << i;
    EXPECT_EQ(tick->payload, "tick");
  }
}

TEST_F(PluginServicesTest, AttributeSetAtConnectIsReadLaterAndSentToThatClientOnly) {
  MosqClient ana(broker_.port(), "ana");
  ASSERT_TRUE(ana.SetCredentials("ana"));
  ASSERT_TRUE(ana.Connect()) << ana.error();
  MosqClient bob(broker_.port(), "bob");
  ASSERT_TRUE(bob.SetCredentials("bob"));
  ASSERT_TRUE(bob.Connect()) << bob.error();
  ASSERT_EQ(bob.Subscribe("whoami", 0), 0);  // bob also listens on the topic
  ASSERT_EQ(ana.Subscribe("whoami", 0), 0);
  const auto to_ana = ana.Receive();
  ASSERT_TRUE(to_ana);
  EXPECT_EQ(to_ana->payload, "hello ana");
  const auto to_bob = bob.Receive();
  ASSERT_TRUE(to_bob);
  EXPECT_EQ(to_bob->payload, "hello bob");
  EXPECT_FALSE(bob.Receive(milliseconds(300))) << "publish_to reached another client";
}

TEST_F(PluginServicesTest, ClientInfoReportsIdAndAddress) {
  MosqClient client(broker_.port(), "curious");
  ASSERT_TRUE(client.Connect()) << client.error();
  ASSERT_EQ(client.Subscribe("info", 0), 0);
  const auto info = client.Receive();
  ASSERT_TRUE(info) << broker_.log();
  EXPECT_EQ(info->payload.rfind("curious|127.0.0.1:", 0), 0u) << info->payload;
}

TEST_F(PluginServicesTest, ServerSideSubscriptionAndServerPublish) {
  MosqClient listener(broker_.port(), "listener");
  ASSERT_TRUE(listener.SetCredentials("auto"));
  ASSERT_TRUE(listener.Connect()) << listener.error();
  MosqClient speaker(broker_.port(), "speaker");
  ASSERT_TRUE(speaker.Connect()) << speaker.error();
  ASSERT_EQ(speaker.Subscribe("announce", 0), 0);
  // The subscribe task runs right after CONNACK; give it a moment by
  // publishing until the listener hears the first announcement.
  std::optional<Received> heard;
  for (int i = 0; i < 20 && !heard; ++i) {
    ASSERT_TRUE(speaker.Publish("announce", "doors open", 1)) << speaker.error();
    heard = listener.Receive(milliseconds(200));
  }
  ASSERT_TRUE(heard) << broker_.log();
  EXPECT_EQ(heard->topic, "server/news");
  EXPECT_EQ(heard->payload, "doors open");
  EXPECT_FALSE(speaker.Receive(milliseconds(200))) << "the original was not dropped";
}

TEST_F(PluginServicesTest, KickWithWill) {
  MosqClient watcher(broker_.port(), "watcher");
  ASSERT_TRUE(watcher.Connect()) << watcher.error();
  ASSERT_EQ(watcher.Subscribe("wills/#", 0), 0);
  MosqClient victim(broker_.port(), "victim");
  ASSERT_TRUE(victim.SetWill(Will{"wills/victim", "kicked", 0, false}));
  ASSERT_TRUE(victim.Connect()) << victim.error();
  ASSERT_TRUE(victim.Publish("kick/me", "please", 0)) << victim.error();
  const auto will = watcher.Receive();
  ASSERT_TRUE(will) << broker_.log();
  EXPECT_EQ(will->payload, "kicked");
  EXPECT_TRUE(broker_.WaitForLog("kicked by a plugin")) << broker_.log();
}

TEST_F(PluginServicesTest, PluginMetricsAreShownWithTheBrokers) {
  for (const char* id : {"m1", "m2"}) {
    MosqClient client(broker_.port(), id);
    ASSERT_TRUE(client.Connect()) << client.error();
    ASSERT_TRUE(client.Publish("sized", "12345", 1)) << client.error();
    ASSERT_TRUE(client.Disconnect());
  }
  // Workers publish their counters every 250 ms: wait until both PUBLISH
  // packets show, whichever workers took them.
  std::string page;
  double received = 0;
  for (int i = 0; i < 50 && received < 2; ++i) {
    page = Metrics();
    received = SumMetric(page, "plaza_messages_received_total");
    if (received < 2) std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(received, 2) << page;
  EXPECT_NE(page.find("plaza_plugin_services_connects_total 2"), std::string::npos) << page;
  EXPECT_NE(page.find("plaza_plugin_services_last_payload_bytes 5"), std::string::npos) << page;
  EXPECT_NE(page.find("# TYPE plaza_messages_received_total counter"), std::string::npos) << page;
}

}  // namespace
}  // namespace plaza::testing
