// The ownership plugin in the real broker, with real clients: of many
// simultaneous claims exactly one wins and every claimer is told; who may
// claim; release and transfer; MQTT 5 reason codes and request/response;
// what clients may not publish under rooms/R/items/.
#include <gtest/gtest.h>

#include <barrier>
#include <memory>
#include <thread>
#include <vector>

#include "metrics_page.h"
#include "ownership_test_env.h"
#include "v5_client.h"

namespace plaza::testing {
namespace {

using plaza::room::v1::ItemOwner;
using plaza::room::v1::Reply;

class OwnershipClaimsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(StartOwnershipBroker(&broker_)) << broker_.error() << broker_.log();
  }

  BrokerProcess broker_;
};

TEST(OwnershipRaceTest, OfTwentySimultaneousClaimsExactlyOneWinsAndAllAreTold) {
  BrokerProcess broker;
  ASSERT_TRUE(StartOwnershipBroker(&broker, "", /*metrics=*/true)) << broker.error();
  constexpr int kClaimers = 20;
  // Paho takes about two seconds to bring up a connection while others are
  // open: connect them all at once.
  std::vector<std::unique_ptr<PahoClient>> clients(kClaimers);
  std::vector<std::string> errors(kClaimers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClaimers; ++i) {
    threads.emplace_back([&, i] {
      clients[i] = std::make_unique<PahoClient>(broker.port(), "claimer-" + std::to_string(i));
      if (!clients[i]->Connect() ||
          clients[i]->Subscribe(ItemTopic("r", "ball", "owner"), 1) != 1 ||
          !clients[i]->Publish("rooms/r/join", "", 1)) {
        errors[i] = "claimer " + std::to_string(i) + ": " + clients[i]->error();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  threads.clear();
  for (const std::string& error : errors) ASSERT_EQ(error, "");
  std::barrier start(kClaimers);
  std::vector<char> sent(kClaimers, 0);  // not vector<bool>: written by threads
  for (int i = 0; i < kClaimers; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      sent[i] = clients[i]->Publish(ItemTopic("r", "ball", "claim"), "", 1);
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::vector<int> winners;
  std::vector<std::string> owners_seen;
  for (int i = 0; i < kClaimers; ++i) {
    ASSERT_TRUE(sent[i]) << i;
    Inbox inbox(*clients[i]);
    const auto reply = inbox.Take(ReplyTopic("r"));
    ASSERT_TRUE(reply) << "no reply for claimer " << i;
    const Reply answer = ParseReply(reply->payload);
    EXPECT_EQ(answer.request_topic(), ItemTopic("r", "ball", "claim"));
    if (answer.reason_code() == 0) {
      winners.push_back(i);
    } else {
      EXPECT_EQ(answer.reason_code(), 0x80u) << answer.reason();
      EXPECT_NE(answer.reason().find("held by claimer-"), std::string::npos) << answer.reason();
    }
    const auto owner = inbox.Take(ItemTopic("r", "ball", "owner"));
    ASSERT_TRUE(owner) << "no owner state for claimer " << i;
    const ItemOwner state = ParseOwner(owner->payload);
    EXPECT_EQ(state.epoch(), 1u);
    owners_seen.push_back(state.owner_user_id());
  }
  ASSERT_EQ(winners.size(), 1u);
  const std::string winner = "claimer-" + std::to_string(winners[0]);
  for (const std::string& owner : owners_seen) EXPECT_EQ(owner, winner);
  EXPECT_TRUE(MetricReads(broker, "claims_won_total", "1")) << MetricsPage(broker);
  EXPECT_TRUE(MetricReads(broker, "claims_lost_total", "19")) << MetricsPage(broker);
  EXPECT_TRUE(MetricReads(broker, "items_owned", "1")) << MetricsPage(broker);
  threads.clear();
  for (auto& client : clients) threads.emplace_back([&client] { client.reset(); });
  for (std::thread& thread : threads) thread.join();
}

TEST_F(OwnershipClaimsTest, OnlyMembersMayClaim) {
  MosqClient stranger(broker_.port(), "stranger");
  ASSERT_TRUE(stranger.Connect()) << stranger.error();
  ASSERT_TRUE(stranger.Publish(ItemTopic("r", "ball", "claim"), "", 1)) << stranger.error();
  Inbox inbox(stranger);
  const auto reply = inbox.Take(ReplyTopic("r"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(ParseReply(reply->payload).reason_code(), 0x87u);
  EXPECT_NE(ParseReply(reply->payload).reason().find("not a member"), std::string::npos);
  // An MQTT 5 client at QoS 1 has it in its PUBACK too.
  const CommandResult pub =
      RunCommand({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(broker_.port()), "-V",
                  "mqttv5", "-q", "1", "-t", ItemTopic("r", "ball", "claim"), "-n"});
  EXPECT_NE((pub.out + pub.err).find("Not authorized"), std::string::npos) << pub.out << pub.err;
  // Once a member, the same client may.
  ASSERT_TRUE(stranger.Publish("rooms/r/join", "", 1));
  ASSERT_TRUE(stranger.Publish(ItemTopic("r", "ball", "claim"), "", 1));
  const auto second = inbox.Take(ReplyTopic("r"));
  ASSERT_TRUE(second);
  EXPECT_EQ(ParseReply(second->payload).reason_code(), 0u) << ParseReply(second->payload).reason();
}

TEST_F(OwnershipClaimsTest, ReleaseAndTransferAreAnnouncedWithGrowingEpochs) {
  MosqClient watcher(broker_.port(), "watcher");
  ASSERT_TRUE(watcher.Connect());
  ASSERT_EQ(watcher.Subscribe("rooms/r/items/+/owner", 1), 1);
  MosqClient ann(broker_.port(), "ann-phone");
  ASSERT_TRUE(ann.SetCredentials("ann"));
  MosqClient ben(broker_.port(), "ben-phone");
  ASSERT_TRUE(ben.SetCredentials("ben"));
  for (MosqClient* client : {&ann, &ben}) {
    ASSERT_TRUE(client->Connect()) << client->error();
    ASSERT_TRUE(client->Publish("rooms/r/join", "", 1));
  }
  Inbox ann_inbox(ann);
  Inbox ben_inbox(ben);
  ASSERT_TRUE(ann.Publish(ItemTopic("r", "ball", "claim"), "", 1));
  ASSERT_TRUE(ann.Publish(ItemTopic("r", "ball", "transfer"), RequestPayload("ben"), 1));
  ASSERT_TRUE(ben.Publish(ItemTopic("r", "ball", "release"), RequestPayload("", 2), 1));
  ASSERT_TRUE(ann.Publish(ItemTopic("r", "ball", "release"), "", 1));
  const std::vector<Received> owners = ReceiveCount(watcher, 3);
  ASSERT_EQ(owners.size(), 3u);
  const std::vector<std::pair<std::string, uint64_t>> expected = {{"ann", 1}, {"ben", 2}, {"", 3}};
  for (size_t i = 0; i < owners.size(); ++i) {
    EXPECT_EQ(owners[i].topic, ItemTopic("r", "ball", "owner"));
    const ItemOwner state = ParseOwner(owners[i].payload);
    EXPECT_EQ(state.room_id(), "r");
    EXPECT_EQ(state.item_id(), "ball");
    EXPECT_EQ(state.owner_user_id(), expected[i].first) << i;
    EXPECT_EQ(state.epoch(), expected[i].second) << i;
    EXPECT_GT(state.changed_at_unix_ms(), 0);
  }
  EXPECT_EQ(ParseOwner(owners[1].payload).change(), plaza::room::v1::OWNER_CHANGE_TRANSFERRED);
  EXPECT_EQ(ParseOwner(owners[2].payload).change(), plaza::room::v1::OWNER_CHANGE_RELEASED);
  for (uint32_t code : {0u, 0u, 0x87u}) {  // claim, transfer, release of a free item
    const auto reply = ann_inbox.Take(ReplyTopic("r"));
    ASSERT_TRUE(reply);
    EXPECT_EQ(ParseReply(reply->payload).reason_code(), code)
        << ParseReply(reply->payload).reason();
  }
  const auto reply = ben_inbox.Take(ReplyTopic("r"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(ParseReply(reply->payload).reason_code(), 0u) << ParseReply(reply->payload).reason();
}

TEST_F(OwnershipClaimsTest, AnMqtt5RequestIsAnsweredOnItsResponseTopicAndInItsPuback) {
  V5Client vic(broker_.port(), "vic-1", "vic");
  V5Client val(broker_.port(), "val-1", "val");
  for (V5Client* client : {&vic, &val}) ASSERT_EQ(ConnectMember(*client), "");
  EXPECT_EQ(vic.Publish(ItemTopic("r", "ball", "claim"), "", "replies/vic", "c-1"), 0x00);
  auto reply = vic.Receive();
  ASSERT_TRUE(reply) << vic.error();
  EXPECT_EQ(reply->topic, "replies/vic");
  Reply answer = ParseReply(reply->payload);
  EXPECT_EQ(answer.reason_code(), 0u);
  EXPECT_EQ(answer.correlation_data(), "c-1");
  EXPECT_EQ(reply->correlation_data, "c-1");  // and as the MQTT 5 property
  // A lost claim: 0x80 in the PUBACK and the Reply, with the owner named.
  EXPECT_EQ(val.Publish(ItemTopic("r", "ball", "claim"), "", "replies/val", "c-2"), 0x80);
  reply = val.Receive();
  ASSERT_TRUE(reply) << val.error();
  answer = ParseReply(reply->payload);
  EXPECT_EQ(answer.reason_code(), 0x80u);
  EXPECT_EQ(answer.reason(), "held by vic at epoch 1");
  EXPECT_EQ(answer.correlation_data(), "c-2");
  // No Response Topic: the reply comes on rooms/R/server/reply.
  EXPECT_EQ(val.Publish(ItemTopic("r", "ball", "release"), ""), 0x87);
  reply = val.Receive();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->topic, ReplyTopic("r"));
  // A payload that is no ItemRequest, and a transfer without its recipient.
  EXPECT_EQ(vic.Publish(ItemTopic("r", "ball", "transfer"), "\xff\xff"), 0x99);
  EXPECT_EQ(vic.Publish(ItemTopic("r", "ball", "transfer"), ""), 0x99);
  EXPECT_EQ(vic.Publish(ItemTopic("r", "ball", "transfer"), RequestPayload("nobody")), 0x80);
  EXPECT_EQ(vic.Publish(ItemTopic("r", "ball", "transfer"), RequestPayload("val", 7)), 0x80);
  EXPECT_EQ(vic.Publish(ItemTopic("r", "ball", "transfer"), RequestPayload("val", 1)), 0x00);
}

TEST_F(OwnershipClaimsTest, ClientsCannotPublishOwnersOrMadeUpItemTopics) {
  MosqClient watcher(broker_.port(), "watcher");
  ASSERT_TRUE(watcher.Connect());
  ASSERT_EQ(watcher.Subscribe("rooms/r/items/#", 1), 1);
  V5Client eve(broker_.port(), "eve-1", "eve");
  ASSERT_EQ(ConnectMember(eve), "");
  EXPECT_EQ(eve.Publish(ItemTopic("r", "ball", "owner"), "forged"), 0x87);
  EXPECT_EQ(eve.Publish(ItemTopic("r", "ball", "steal"), "x"), 0x90);
  EXPECT_EQ(eve.Publish(ItemTopic("r", "ball", "state/x"), "x"), 0x90);
  EXPECT_EQ(eve.Publish("rooms/r/items/ba:ll/claim", ""), 0x90);
  EXPECT_EQ(eve.Publish("rooms/r/items/ball/claim", ""), 0x00);
  // On the item topics: the granted request (routed, as any request the
  // plugins pass) and the server's owner state, in either order; nothing else.
  Inbox inbox(watcher);
  EXPECT_TRUE(inbox.Take(ItemTopic("r", "ball", "claim")));
  const auto owner = inbox.Take(ItemTopic("r", "ball", "owner"));
  ASSERT_TRUE(owner);
  EXPECT_EQ(ParseOwner(owner->payload).owner_user_id(), "eve");
  EXPECT_FALSE(watcher.Receive(milliseconds(300)));
}

}  // namespace
}  // namespace plaza::testing
