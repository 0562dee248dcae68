// The ownership plugin in the real broker: item groups share one owner and
// one epoch, the per-item rate limit refuses requests beyond it, and a bad
// configuration stops the broker's start.
#include <gtest/gtest.h>

#include "metrics_page.h"
#include "ownership_test_env.h"
#include "v5_client.h"

namespace plaza::testing {
namespace {

using plaza::room::v1::ItemOwner;

TEST(OwnershipGroupsTest, AClaimOfOneItemOfAGroupClaimsTheGroup) {
  BrokerProcess broker;
  ASSERT_TRUE(StartOwnershipBroker(&broker, "      groups:\n        - items: [left, right]\n"))
      << broker.error() << broker.log();
  MosqClient watcher(broker.port(), "watcher");
  ASSERT_TRUE(watcher.Connect());
  ASSERT_EQ(watcher.Subscribe("rooms/r/items/#", 1), 1);
  V5Client ann(broker.port(), "ann-1", "ann");
  V5Client ben(broker.port(), "ben-1", "ben");
  for (V5Client* client : {&ann, &ben}) ASSERT_EQ(ConnectMember(*client), "");
  ASSERT_EQ(ann.Publish(ItemTopic("r", "right", "claim"), ""), 0);
  Inbox inbox(watcher);
  for (const char* item : {"left", "right"}) {
    const auto owner = inbox.Take(ItemTopic("r", item, "owner"));
    ASSERT_TRUE(owner) << item;
    const ItemOwner state = ParseOwner(owner->payload);
    EXPECT_EQ(state.owner_user_id(), "ann");
    EXPECT_EQ(state.epoch(), 1u);
    ASSERT_EQ(state.group_item_ids_size(), 2);
    EXPECT_EQ(state.group_item_ids(0), "left");
  }
  EXPECT_EQ(ben.Publish(ItemTopic("r", "left", "claim"), ""), 0x80);
  EXPECT_EQ(ann.Publish(ItemTopic("r", "left", "state/1"), "left moved"), 0);
  EXPECT_TRUE(inbox.Take(ItemTopic("r", "left", "state/1")));
  // Released together, at one new epoch.
  ASSERT_EQ(ann.Publish(ItemTopic("r", "left", "release"), ""), 0);
  for (const char* item : {"left", "right"}) {
    const auto owner = inbox.Take(ItemTopic("r", item, "owner"));
    ASSERT_TRUE(owner) << item;
    EXPECT_EQ(ParseOwner(owner->payload).owner_user_id(), "");
    EXPECT_EQ(ParseOwner(owner->payload).epoch(), 2u);
  }
}

TEST(OwnershipRateLimitTest, RequestsBeyondTheLimitAreRefused) {
  BrokerProcess broker;
  // One request per ten seconds after a burst of three: the fourth request
  // is refused however slowly this machine runs the test.
  ASSERT_TRUE(StartOwnershipBroker(&broker, "      rate_limit: {ops_per_second: 0.1, burst: 3}\n",
                                   /*metrics=*/true))
      << broker.error() << broker.log();
  V5Client ann(broker.port(), "ann-1", "ann");
  ASSERT_EQ(ConnectMember(ann), "");
  EXPECT_EQ(ann.Publish(ItemTopic("r", "ball", "claim"), ""), 0);
  EXPECT_EQ(ann.Publish(ItemTopic("r", "ball", "claim"), ""), 0);
  EXPECT_EQ(ann.Publish(ItemTopic("r", "ball", "release"), ""), 0);
  // 0x96 (message rate too high) may not stand in a PUBACK: 0x97 there.
  EXPECT_EQ(ann.Publish(ItemTopic("r", "ball", "claim"), "", "replies/ann"), 0x97);
  // The Reply says 0x96.
  std::optional<V5Received> reply;
  for (int i = 0; i < 4 && (!reply || reply->topic != "replies/ann"); ++i) reply = ann.Receive();
  ASSERT_TRUE(reply && reply->topic == "replies/ann") << ann.error();
  EXPECT_EQ(ParseReply(reply->payload).reason_code(), 0x96u);
  // Another item has its own budget.
  EXPECT_EQ(ann.Publish(ItemTopic("r", "bat", "claim"), ""), 0);
  EXPECT_TRUE(MetricReads(broker, "rate_limited_total", "1")) << MetricsPage(broker);
}

TEST(OwnershipConfigTest, ABadConfigurationStopsTheStart) {
  TempDir dir;
  const std::string config =
      dir.WriteFile("broker.yaml", OwnershipBrokerYaml("      payload_format: xml\n"));
  const CommandResult result =
      RunCommand({BrokerPath(), "--bind", "127.0.0.1", "-p", "0", "-c", config});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("'payload_format' must be protobuf or json, not 'xml'"),
            std::string::npos)
      << result.err;
}

TEST(OwnershipConfigTest, AReloadTakesNewSettings) {
  BrokerProcess broker;
  ASSERT_TRUE(StartOwnershipBroker(&broker)) << broker.error() << broker.log();
  broker.RewriteConfig(OwnershipBrokerYaml("      rate_limit: {ops_per_second: 0.1, burst: 1}\n"));
  ASSERT_TRUE(broker.Signal(SIGHUP));
  ASSERT_TRUE(broker.WaitForLog("[ownership] configuration reloaded")) << broker.log();
  V5Client ann(broker.port(), "ann-1", "ann");
  ASSERT_EQ(ConnectMember(ann), "");
  EXPECT_EQ(ann.Publish(ItemTopic("r", "ball", "claim"), ""), 0);
  EXPECT_EQ(ann.Publish(ItemTopic("r", "ball", "claim"), ""), 0x97);
  // A bad configuration is refused and the last good one kept.
  broker.RewriteConfig(OwnershipBrokerYaml("      lease_ms: never\n"));
  ASSERT_TRUE(broker.Signal(SIGHUP));
  EXPECT_TRUE(broker.WaitForLog("bad configuration, keeping the old one")) << broker.log();
  EXPECT_EQ(ann.Publish(ItemTopic("r", "ball", "claim"), ""), 0x97);
}

// Two plugins that use the generated room protos (rooms and ownership do)
// load together: the messages live in one shared library, so each .proto is
// registered once with libprotobuf (two static copies aborted the broker
// with "File already exists in database").
TEST(OwnershipConfigTest, TwoPluginsWithTheRoomProtosLoadTogether) {
  TempDir dir;
  const std::string copy = dir.path() + "/libownership_copy.so";
  ASSERT_EQ(RunCommand({"cp", PLAZA_OWNERSHIP_PLUGIN, copy}).exit_code, 0);
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(
      WithConfig(OwnershipBrokerYaml() + "  - path: " + copy + "\n    name: ownership_copy\n")))
      << broker.error();
}

}  // namespace
}  // namespace plaza::testing
