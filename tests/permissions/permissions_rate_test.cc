// Rate limits in the real broker: an MQTT 5 QoS 1 publisher over its limit
// gets PUBACK 0x97 (quota exceeded: a PUBACK cannot carry 0x96, message
// rate too high, which is for DISCONNECT only), an MQTT 3.1.1 one is
// acknowledged as usual with the message dropped, and a client that stays
// over its limit is disconnected with 0x96. Rates are tiny (one message per
// hundred seconds after a burst) so no test depends on timing.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "permissions_test_env.h"

namespace plaza::testing {
namespace {

std::string RateRules(const std::string& kick_after) {
  return "rules:\n"
         "  - allow: subscribe\n"
         "    roles: service\n"
         "    topics: [\"#\"]\n"
         "  - allow: publish\n"
         "    topics: [\"#\"]\n"
         "rate_limits:\n"
         "  - roles: service\n"
         "    unlimited: true\n"
         "  - roles: any\n"
         "    messages_per_second: 0.01\n"
         "    messages_burst: 2\n"
         "    kick_after_seconds: " +
         kick_after + "\n";
}

class PermissionsRateTest : public ::testing::Test {
 protected:
  void Start(const std::string& kick_after, bool metrics = false) {
    PermissionsSetup setup;
    setup.rules = RateRules(kick_after);
    setup.metrics = metrics;
    ASSERT_TRUE(env_.Start(setup)) << env_.error();
    watcher_ = Watch(env_.port());
    ASSERT_TRUE(watcher_);
  }

  // Publishes a marker as the service account "pub" (never limited): the
  // payloads that reached the watcher up to it.
  std::vector<std::string> ReachedTheWatcher() {
    const std::unique_ptr<MosqClient> pub = ConnectAs(env_.port(), "pub-1", "pub");
    EXPECT_TRUE(pub && pub->Publish("t/end", "marker", 1));
    return PayloadsUntil(*watcher_, "marker");
  }

  PermissionsBroker env_;
  std::unique_ptr<MosqClient> watcher_;
};

TEST_F(PermissionsRateTest, AnMqtt5PublisherOverItsLimitGetsQuotaExceeded) {
  Start("0", /*metrics=*/true);
  V5Connection ben;
  ASSERT_TRUE(ben.Connect(env_.port(), "ben-5"));
  EXPECT_EQ(ben.PublishQos1("t/1", "one", 1), 0);
  EXPECT_EQ(ben.PublishQos1("t/2", "two", 2), 0);
  EXPECT_EQ(ben.PublishQos1("t/3", "three", 3), 0x97);
  EXPECT_EQ(ben.PublishQos1("t/4", "four", 4), 0x97);
  EXPECT_EQ(ReachedTheWatcher(), (std::vector<std::string>{"one", "two", "marker"}));
  EXPECT_TRUE(env_.WaitForLog("[permissions] client ben-5 is over its rate limit (" +
                              env_.rules_path() + ":10): dropping its messages"))
      << env_.broker().log();
  EXPECT_EQ(env_.Metric("rate_limited_total"), 2);
  EXPECT_EQ(env_.Metric("kicks_total"), 0);
}

TEST_F(PermissionsRateTest, MosquittoPubInMqtt5IsToldItsQuotaIsExceeded) {
  Start("0");
  const CommandResult pub =
      RunCommand({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(env_.port()), "-V",
                  "mqttv5", "-q", "1", "-t", "t/x", "-m", "m", "--repeat", "3"});
  EXPECT_NE(pub.err.find("Warning: Publish 3 failed: Quota exceeded."), std::string::npos)
      << pub.exit_code << " " << pub.err;
}

TEST_F(PermissionsRateTest, AnMqtt311PublisherOverItsLimitIsDroppedSilently) {
  Start("0");
  MosqClient ben(env_.port(), "ben-3");
  ASSERT_TRUE(ben.Connect()) << ben.error();
  // Every PUBLISH is acknowledged (3.1.1 has no negative PUBACK).
  for (const char* payload : {"one", "two", "three"}) ASSERT_TRUE(ben.Publish("t", payload, 1));
  EXPECT_EQ(ReachedTheWatcher(), (std::vector<std::string>{"one", "two", "marker"}));
}

TEST_F(PermissionsRateTest, SustainedAbuseEndsInAKickWith0x96) {
  Start("0.2", /*metrics=*/true);
  V5Connection ben;
  ASSERT_TRUE(ben.Connect(env_.port(), "ben-5"));
  // QoS 0 as fast as a misbehaving client would (paced a little so the test
  // does not flood its own socket), until the broker disconnects it.
  std::optional<int> reason;
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (!reason && std::chrono::steady_clock::now() < deadline) {
    if (!ben.PublishQos0("t/spam", "x")) break;
    reason = ben.WaitForDisconnect(milliseconds(10));
  }
  if (!reason) reason = ben.WaitForDisconnect();
  ASSERT_TRUE(reason) << env_.broker().log();
  EXPECT_EQ(*reason, 0x96);
  EXPECT_TRUE(ben.socket().WaitForClose());
  EXPECT_TRUE(env_.WaitForLog("[permissions] kicking client ben-5: over its rate limit"))
      << env_.broker().log();
  EXPECT_EQ(env_.Metric("kicks_total"), 1);
  EXPECT_GT(env_.Metric("rate_limited_total"), 0);
}

}  // namespace
}  // namespace plaza::testing
