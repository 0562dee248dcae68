// The permissions plugin in the real broker with real clients (libmosquitto,
// Paho, mosquitto_pub/sub): the default deny, allow and deny per role (the
// static users table, user.roles, room roles set on join), {user}, and
// subscriptions whose wildcards reach further than the rules allow.
#include <gtest/gtest.h>

#include <string>

#include "permissions_test_env.h"

namespace plaza::testing {
namespace {

// watcher (a service account) may read everything; anyone may use open/.
constexpr const char* kOpenRules =
    "rules:\n"
    "  - allow: subscribe\n"
    "    roles: service\n"
    "    topics: [\"#\"]\n"
    "  - allow: [publish, subscribe]\n"
    "    topics: open/#\n";

class PermissionsAccessTest : public ::testing::Test {
 protected:
  void Start(const std::string& rules, bool metrics = false) {
    PermissionsSetup setup;
    setup.rules = rules;
    setup.users = "{watcher: [service], alice: [moderator]}";
    setup.metrics = metrics;
    ASSERT_TRUE(env_.Start(setup)) << env_.error();
    watcher_ = Watch(env_.port());
    ASSERT_TRUE(watcher_);
  }

  // A connected libmosquitto client with a user name.
  std::unique_ptr<MosqClient> Client(const std::string& name) {
    return ConnectAs(env_.port(), name + "-1", name);
  }

  PermissionsBroker env_;
  std::unique_ptr<MosqClient> watcher_;
};

TEST_F(PermissionsAccessTest, WhatNoRuleAllowsIsRefused) {
  Start(kOpenRules, /*metrics=*/true);
  auto ben = Client("ben");
  // MQTT 3.1.1 has no negative PUBACK: the refused PUBLISH is acknowledged
  // and not routed.
  ASSERT_TRUE(ben->Publish("closed/x", "refused", 1));
  ASSERT_TRUE(ben->Publish("open/x", "marker", 1));
  EXPECT_EQ(TopicsUntil(*watcher_, "marker"), std::vector<std::string>{"open/x"});
  EXPECT_EQ(ben->Subscribe("closed/#", 1), 0x80);
  EXPECT_EQ(ben->Subscribe("open/#", 1), 1);
  // Wildcards that reach beyond open/ are refused as a whole.
  EXPECT_EQ(ben->Subscribe("#", 1), 0x80);
  EXPECT_EQ(ben->Subscribe("+/x", 1), 0x80);
  EXPECT_TRUE(
      env_.WaitForLog("[permissions] refused PUBLISH to 'closed/x' from client ben-1: "
                      "matched by no rule (default deny)"))
      << env_.broker().log();
  EXPECT_TRUE(
      env_.WaitForLog("[permissions] refused SUBSCRIBE to '#' from client ben-1: topic "
                      "'rooms' matched by no rule (default deny)"))
      << env_.broker().log();
  EXPECT_EQ(env_.Metric("denied_publishes_total"), 1);
  EXPECT_EQ(env_.Metric("denied_subscriptions_total"), 3);
}

TEST_F(PermissionsAccessTest, AnMqtt5ClientIsToldNotAuthorized) {
  Start(kOpenRules);
  V5Connection ben;
  ASSERT_TRUE(ben.Connect(env_.port(), "ben-5", "ben"));
  EXPECT_EQ(ben.Subscribe("closed/#", 1), 0x87);
  EXPECT_EQ(ben.Subscribe("open/#", 2), 1);
  EXPECT_EQ(ben.PublishQos1("closed/x", "refused", 3), 0x87);
  EXPECT_EQ(ben.PublishQos1("open/x", "marker", 4), 0);
  EXPECT_EQ(TopicsUntil(*watcher_, "marker"), std::vector<std::string>{"open/x"});
}

TEST_F(PermissionsAccessTest, MosquittoSubIsToldItsSubscriptionWasDenied) {
  Start(kOpenRules);
  const CommandResult refused =
      RunCommand({"mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(env_.port()), "-t",
                  "closed/#", "-C", "1", "-W", "5"});
  EXPECT_NE((refused.out + refused.err).find("All subscription requests were denied."),
            std::string::npos)
      << refused.out << refused.err;
  // A Paho client is refused too (the library turns the SUBACK failure into
  // an error), and keeps the subscription it is allowed.
  PahoClient paho(env_.port(), "paho-1");
  ASSERT_TRUE(paho.Connect()) << paho.error();
  EXPECT_EQ(paho.Subscribe("closed/#", 1), -1);
  EXPECT_EQ(paho.Subscribe("open/#", 1), 1);
  const CommandResult pub =
      RunCommand({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(env_.port()), "-t",
                  "open/paho", "-m", "hi", "-q", "1"});
  ASSERT_EQ(pub.exit_code, 0) << pub.err;
  const auto got = paho.Receive();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->topic, "open/paho");
}

TEST_F(PermissionsAccessTest, PlatformRolesFromTheUsersTableAndFromUserRoles) {
  Start(std::string(kOpenRules) +
        "  - allow: publish\n"
        "    roles: moderator\n"
        "    topics: news/#\n");
  auto alice = Client("alice");  // moderator in the static table
  auto bob = Client("bob");
  auto carol = Client("carol");
  // carol gets the role as auth would give it: user.roles.
  ASSERT_TRUE(SetAttribute(*carol, "user.roles", "member, moderator"));
  ASSERT_TRUE(bob->Publish("news/1", "from bob", 1));
  ASSERT_TRUE(alice->Publish("news/2", "from alice", 1));
  ASSERT_TRUE(carol->Publish("news/3", "from carol", 1));
  ASSERT_TRUE(bob->Publish("open/x", "marker", 1));
  EXPECT_EQ(TopicsUntil(*watcher_, "marker"),
            (std::vector<std::string>{"news/2", "news/3", "open/x"}));
}

// Members of a room, as the rooms plugin would mark them (room.R.role and
// room.R.kind), and the shipped rules' shape for their own topics.
constexpr const char* kRoomRules =
    "rules:\n"
    "  - allow: subscribe\n"
    "    roles: service\n"
    "    topics: [\"#\"]\n"
    "  - allow: publish\n"
    "    topics: rooms/{room}/join\n"
    "  - deny: publish\n"
    "    topics: rooms/{room}/server/#\n"
    "  - allow: publish\n"
    "    roles: joined\n"
    "    topics: [\"rooms/{room}/pose/{user}\", \"rooms/{room}/server/x\"]\n"
    "  - allow: subscribe\n"
    "    roles: joined\n"
    "    topics: rooms/{room}/#\n";

TEST_F(PermissionsAccessTest, MembersPublishTheirOwnTopicsInTheirRoom) {
  Start(kRoomRules);
  auto ben = Client("ben");
  ASSERT_TRUE(ben->Publish("rooms/world:1/pose/ben", "visitor", 0));
  ASSERT_TRUE(ben->Publish("rooms/world:1/join", "join", 1));
  ASSERT_TRUE(SetAttribute(*ben, "room.world:1.role", "peer"));
  ASSERT_TRUE(SetAttribute(*ben, "room.world:1.kind", "world"));
  ASSERT_TRUE(ben->Publish("rooms/world:1/pose/ben", "member", 0));
  ASSERT_TRUE(ben->Publish("rooms/world:1/pose/eve", "not his", 0));
  ASSERT_TRUE(ben->Publish("rooms/world:2/pose/ben", "not his room", 0));
  ASSERT_TRUE(ben->Publish("rooms/world:1/server/x", "earlier deny", 1));
  ASSERT_TRUE(ben->Publish("rooms/world:1/join", "marker", 1));
  EXPECT_EQ(PayloadsUntil(*watcher_, "marker"),
            (std::vector<std::string>{"join", "member", "marker"}));
}

TEST_F(PermissionsAccessTest, UserStandsForTheUserIdFromAuth) {
  Start(kRoomRules);
  auto ben = Client("ben");
  // auth's user id wins over the MQTT user name.
  ASSERT_TRUE(SetAttribute(*ben, "user.id", "u42"));
  ASSERT_TRUE(SetAttribute(*ben, "room.world:1.role", "peer"));
  ASSERT_TRUE(ben->Publish("rooms/world:1/pose/ben", "by name", 0));
  ASSERT_TRUE(ben->Publish("rooms/world:1/pose/u42", "by id", 0));
  ASSERT_TRUE(ben->Publish("rooms/world:1/join", "marker", 1));
  EXPECT_EQ(PayloadsUntil(*watcher_, "marker"), (std::vector<std::string>{"by id", "marker"}));
}

TEST_F(PermissionsAccessTest, AMemberReadsItsRoomAndNoOther) {
  Start(kRoomRules);
  auto ben = Client("ben");
  EXPECT_EQ(ben->Subscribe("rooms/world:1/#", 1), 0x80);  // not joined yet
  ASSERT_TRUE(SetAttribute(*ben, "room.world:1.role", "peer"));
  EXPECT_EQ(ben->Subscribe("rooms/world:1/#", 1), 1);
  EXPECT_EQ(ben->Subscribe("rooms/world:2/#", 1), 0x80);
  EXPECT_EQ(ben->Subscribe("rooms/+/pose/+", 1), 0x80);
  EXPECT_EQ(ben->Subscribe("+/+/pose/+", 1), 0x80);
  EXPECT_EQ(ben->Subscribe("rooms/#", 1), 0x80);
  EXPECT_EQ(ben->Subscribe("#", 1), 0x80);
}

TEST(PermissionsStartTest, ABadRulesFileStopsTheStartWithItsLine) {
  TempDir dir;
  const std::string rules = dir.WriteFile("permissions.yaml", "rules:\n  - allow: publish\n");
  const std::string config =
      dir.WriteFile("broker.yaml", std::string("plugins:\n  - path: ") + PLAZA_PERMISSIONS_PLUGIN +
                                       "\n    config: {rules_file: " + rules + "}\n");
  const CommandResult result =
      RunCommand({BrokerPath(), "--bind", "127.0.0.1", "-p", "0", "-c", config});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find(rules + ":2: a rule needs topics:"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace plaza::testing
