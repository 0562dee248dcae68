// The platform's rooms end to end: an event (a performer on stage, an
// audience that hears it but may not take the stage) and a world (every
// member's state reaches every other), with roles and user ids coming from
// plaza-adapter through the auth and rooms plugins, and the permissions
// plugin enforcing them.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "platform_env.h"
#include "platform_test_util.h"
#include "rooms_test_support.h"

namespace plaza::testing {
namespace {

TEST_F(PlatformTest, TheAudienceHearsThePerformerButCannotTakeTheStage) {
  AddUser(9, "ivy", "test-token-ivy-0009");
  TokenClient aiko(port(), "aiko", kAikoToken);
  TokenClient ben(port(), "ben", kBenToken);
  TokenClient ivy(port(), "ivy", "test-token-ivy-0009");
  ASSERT_EQ(ConnectAll({&aiko, &ben, &ivy}), (std::vector<int>{0, 0, 0}))
      << aiko.error() << ben.error() << ivy.error();

  // Roles from the adapter's event casts; user ids from the tokens.
  const JoinOutcome aiko_join = Join(aiko, "event:1");
  ASSERT_TRUE(aiko_join.reply);
  EXPECT_EQ(aiko_join.reply->reason(), "joined as performer");
  EXPECT_EQ(aiko_join.user_id, "1");
  for (auto [client, id] : {std::pair{&ben, "2"}, std::pair{&ivy, "9"}}) {
    const JoinOutcome join = Join(*client, "event:1");
    ASSERT_TRUE(join.reply);
    EXPECT_EQ(join.puback, 0);
    EXPECT_EQ(join.reply->reason(), "joined as audience");
    EXPECT_EQ(join.user_id, id);
  }
  for (TokenClient* client : {&aiko, &ben, &ivy}) {
    ASSERT_EQ(client->Subscribe("rooms/event:1/voice/+", 0), 0) << client->error();
    ASSERT_EQ(client->Subscribe("rooms/event:1/pose/+", 0), 0) << client->error();
  }

  // Ben, audience, may not use the stage's topics nor speak as Aiko: each is
  // refused (0x87) and delivered to no one.
  EXPECT_EQ(ben.Publish("rooms/event:1/voice/2", "ben sings", 1), 0x87);
  EXPECT_EQ(ben.Publish("rooms/event:1/voice/1", "ben as aiko", 1), 0x87);
  EXPECT_EQ(ben.Publish("rooms/event:1/pose/1", PoseOf(-1), 1), 0x87);
  EXPECT_EQ(ben.Publish("rooms/event:1/items/mic/claim", "", 1), 0x87);
  // His own pose is allowed and reaches the stage: the first of his
  // messages Aiko receives.
  ASSERT_EQ(ben.Publish("rooms/event:1/pose/2", PoseOf(2000), 1), 0);
  std::vector<Received> aiko_saw;
  ASSERT_TRUE(ReceivesMessage(aiko, "rooms/event:1/pose/2", PoseOf(2000), &aiko_saw));
  EXPECT_EQ(TopicsUnder(aiko_saw, "rooms/event:1/voice/"), std::vector<std::string>{});
  EXPECT_EQ(TopicsUnder(aiko_saw, "rooms/event:1/pose/"),
            std::vector<std::string>{"rooms/event:1/pose/2"});

  // The performer's voice and pose reach every audience member.
  ASSERT_EQ(aiko.Publish("rooms/event:1/voice/1", "la la la", 1), 0) << aiko.error();
  ASSERT_EQ(aiko.Publish("rooms/event:1/pose/1", PoseOf(1000), 1), 0) << aiko.error();
  for (TokenClient* audience : {&ben, &ivy}) {
    std::vector<Received> saw;
    EXPECT_TRUE(ReceivesAll(
        *audience, {{"rooms/event:1/voice/1", "la la la"}, {"rooms/event:1/pose/1", PoseOf(1000)}},
        &saw));
    for (const Received& message : saw) {
      EXPECT_NE(message.payload, "ben sings");
      EXPECT_NE(message.payload, "ben as aiko");
    }
  }
}

TEST_F(PlatformTest, EveryMemberOfAWorldReceivesEveryOthersState) {
  // Three Paho MQTT 5 clients and one libmosquitto MQTT 3.1.1 client.
  TokenClient aiko(port(), "aiko", kAikoToken);
  TokenClient ben(port(), "ben", kBenToken);
  TokenClient felix(port(), "felix", kFelixToken);
  ASSERT_EQ(ConnectAll({&aiko, &ben, &felix}), (std::vector<int>{0, 0, 0}))
      << aiko.error() << ben.error() << felix.error();
  MosqClient chloe(port(), "chloe");
  ASSERT_TRUE(chloe.SetCredentials("chloe", kChloeToken));
  ASSERT_TRUE(chloe.Connect()) << chloe.error();

  // Each learns its user id from the join; Felix owns the world.
  std::map<std::string, std::string> roles;
  std::vector<std::string> ids;
  for (TokenClient* client : {&aiko, &ben, &felix}) {
    const JoinOutcome join = Join(*client, "world:1");
    ASSERT_TRUE(join.reply);
    ASSERT_EQ(join.reply->reason_code(), 0u) << join.reply->reason();
    ASSERT_FALSE(join.user_id.empty());
    ids.push_back(join.user_id);
    roles[join.user_id] = join.reply->reason();
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "2", "6"}));
  EXPECT_EQ(roles["1"], "joined as peer");
  EXPECT_EQ(roles["6"], "joined as owner");
  ASSERT_EQ(chloe.Subscribe("rooms/world:1/server/#", 1), 1);
  ASSERT_TRUE(chloe.Publish("rooms/world:1/join", "", 1));
  const auto chloe_reply = ReceiveMatching<room::v1::Reply>(
      chloe, "rooms/world:1/server/reply", [](const room::v1::Reply&) { return true; });
  ASSERT_TRUE(chloe_reply);
  EXPECT_EQ(chloe_reply->reason(), "joined as moderator");  // a platform moderator
  ids.push_back("3");  // MQTT 3.1.1: no user property; demo_data.sql says 3

  for (TokenClient* client : {&aiko, &ben, &felix}) {
    ASSERT_EQ(client->Subscribe("rooms/world:1/pose/+", 0), 0) << client->error();
  }
  ASSERT_EQ(chloe.Subscribe("rooms/world:1/pose/+", 0), 0);

  // Everyone sends its pose; everyone receives the three others'.
  for (size_t i = 0; i < 3; ++i) {
    TokenClient* client = std::vector<TokenClient*>{&aiko, &ben, &felix}[i];
    ASSERT_EQ(client->Publish("rooms/world:1/pose/" + ids[i], PoseOf(std::stoi(ids[i])), 0), 0);
  }
  ASSERT_TRUE(chloe.Publish("rooms/world:1/pose/3", PoseOf(3), 0));
  const auto senders_seen_by = [&](auto& client, const std::string& self) {
    std::set<std::string> others;
    for (const std::string& id : ids) {
      if (id != self) others.insert(id);
    }
    std::set<std::string> seen;
    while (seen != others) {
      const std::optional<Received> message = client.Receive(kWait);
      if (!message) break;
      const std::string prefix = "rooms/world:1/pose/";
      if (message->topic.rfind(prefix, 0) != 0) continue;
      const std::string sender = message->topic.substr(prefix.size());
      EXPECT_EQ(message->payload, PoseOf(std::stoi(sender))) << message->topic;
      if (sender != self) seen.insert(sender);
    }
    return seen == others;
  };
  EXPECT_TRUE(senders_seen_by(aiko, "1"));
  EXPECT_TRUE(senders_seen_by(ben, "2"));
  EXPECT_TRUE(senders_seen_by(felix, "6"));
  EXPECT_TRUE(senders_seen_by(chloe, "3"));
  chloe.Disconnect();
}

}  // namespace
}  // namespace plaza::testing
