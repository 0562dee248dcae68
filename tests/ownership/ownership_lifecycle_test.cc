// The ownership plugin in the real broker: an ownership ends when the owner
// disconnects, leaves the room or lets its lease run out, and the item is
// freed or handed to the member present longest; a late joiner learns every
// item's owner at once from the retained owner topics.
#include <gtest/gtest.h>

#include "ownership_test_env.h"

namespace plaza::testing {
namespace {

using plaza::room::v1::ItemOwner;

// A libmosquitto client whose user name is `user`, joined to room r.
bool JoinAs(MosqClient* client, const std::string& user) {
  return client->SetCredentials(user) && client->Connect() &&
         client->Publish("rooms/r/join", "", 1);
}

// The next owner state `watcher` sees of `item` in room r.
std::optional<ItemOwner> NextOwner(MosqClient& watcher, const std::string& item) {
  Inbox inbox(watcher);
  const auto message = inbox.Take(ItemTopic("r", item, "owner"));
  if (!message) return std::nullopt;
  return ParseOwner(message->payload);
}

class OwnershipLifecycleTest : public ::testing::Test {
 protected:
  void Start(const std::string& config = "") {
    ASSERT_TRUE(StartOwnershipBroker(&broker_, config)) << broker_.error() << broker_.log();
    watcher_ = std::make_unique<MosqClient>(broker_.port(), "watcher");
    ASSERT_TRUE(watcher_->Connect()) << watcher_->error();
    ASSERT_EQ(watcher_->Subscribe("rooms/r/items/+/owner", 1), 1);
  }
  // The next owner state of `item`, which must be `user` at `epoch`.
  void ExpectOwner(const std::string& item, const std::string& user, uint64_t epoch) {
    const auto owner = NextOwner(*watcher_, item);
    ASSERT_TRUE(owner) << "no owner state for " << item;
    EXPECT_EQ(owner->owner_user_id(), user);
    EXPECT_EQ(owner->epoch(), epoch);
    last_change_ = owner->change();
  }

  BrokerProcess broker_;
  std::unique_ptr<MosqClient> watcher_;
  plaza::room::v1::OwnerChange last_change_ = plaza::room::v1::OWNER_CHANGE_UNSPECIFIED;
};

TEST_F(OwnershipLifecycleTest, TheOwnersDisconnectFreesItsItems) {
  Start();
  MosqClient ann(broker_.port(), "ann-1");
  MosqClient ben(broker_.port(), "ben-1");
  ASSERT_TRUE(JoinAs(&ann, "ann")) << ann.error();
  ASSERT_TRUE(JoinAs(&ben, "ben")) << ben.error();
  ASSERT_TRUE(ann.Publish(ItemTopic("r", "ball", "claim"), "", 1));
  ExpectOwner("ball", "ann", 1);
  ann.Kill();  // the connection drops without DISCONNECT
  ExpectOwner("ball", "", 2);
  EXPECT_EQ(last_change_, plaza::room::v1::OWNER_CHANGE_OWNER_LEFT);
  ASSERT_TRUE(ben.Publish(ItemTopic("r", "ball", "claim"), "", 1));
  ExpectOwner("ball", "ben", 3);
}

TEST_F(OwnershipLifecycleTest, LeavingTheRoomFreesTheItem) {
  Start();
  MosqClient ann(broker_.port(), "ann-1");
  ASSERT_TRUE(JoinAs(&ann, "ann")) << ann.error();
  Inbox inbox(ann);
  ASSERT_TRUE(ann.Publish(ItemTopic("r", "ball", "claim"), "", 1));
  ExpectOwner("ball", "ann", 1);
  ASSERT_TRUE(inbox.Take(ReplyTopic("r")));
  ASSERT_TRUE(ann.Publish("rooms/r/leave", "", 1));
  ExpectOwner("ball", "", 2);
  // No longer a member: no new claim.
  ASSERT_TRUE(ann.Publish(ItemTopic("r", "ball", "claim"), "", 1));
  const auto reply = inbox.Take(ReplyTopic("r"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(ParseReply(reply->payload).reason_code(), 0x87u);
}

TEST_F(OwnershipLifecycleTest, LosingTheRoleEndsOwnership) {
  // No leave is published: the plugin learns of it from the attribute hook.
  Start();
  MosqClient ann(broker_.port(), "ann-1");
  ASSERT_TRUE(JoinAs(&ann, "ann")) << ann.error();
  ASSERT_TRUE(ann.Publish(ItemTopic("r", "ball", "claim"), "", 1));
  ExpectOwner("ball", "ann", 1);
  ASSERT_TRUE(ann.Publish("rooms/r/demote", "", 1));
  ExpectOwner("ball", "", 2);
  EXPECT_EQ(last_change_, plaza::room::v1::OWNER_CHANGE_OWNER_LEFT);
}

TEST_F(OwnershipLifecycleTest, TheFallbackIsTheMemberPresentLongest) {
  Start("      fallback: longest_present\n");
  MosqClient ann(broker_.port(), "ann-1");
  MosqClient ben(broker_.port(), "ben-1");
  MosqClient cid(broker_.port(), "cid-1");
  ASSERT_TRUE(JoinAs(&ann, "ann")) << ann.error();
  ASSERT_TRUE(JoinAs(&ben, "ben")) << ben.error();
  ASSERT_TRUE(JoinAs(&cid, "cid")) << cid.error();
  ASSERT_TRUE(cid.Publish(ItemTopic("r", "ball", "claim"), "", 1));
  ExpectOwner("ball", "cid", 1);
  ASSERT_TRUE(cid.Disconnect());
  ExpectOwner("ball", "ann", 2);
  EXPECT_EQ(last_change_, plaza::room::v1::OWNER_CHANGE_OWNER_LEFT);
  ASSERT_TRUE(ann.Publish("rooms/r/leave", "", 1));
  ExpectOwner("ball", "ben", 3);
  // The heir owns it: its state updates at the new epoch go through.
  ASSERT_EQ(ben.Subscribe(ItemTopic("r", "ball", "state/3"), 0), 0);
  ASSERT_TRUE(ben.Publish(ItemTopic("r", "ball", "state/3"), "ben's ball", 0));
  Inbox inbox(ben);
  EXPECT_TRUE(inbox.Take(ItemTopic("r", "ball", "state/3")));
}

TEST_F(OwnershipLifecycleTest, ALeaseRunsOutWithoutStateUpdates) {
  Start("      lease_ms: 300\n");
  MosqClient ann(broker_.port(), "ann-1");
  ASSERT_TRUE(JoinAs(&ann, "ann")) << ann.error();
  ASSERT_TRUE(ann.Publish(ItemTopic("r", "ball", "claim"), "", 1));
  ExpectOwner("ball", "ann", 1);
  ExpectOwner("ball", "", 2);
  EXPECT_EQ(last_change_, plaza::room::v1::OWNER_CHANGE_LEASE_EXPIRED);
}

TEST_F(OwnershipLifecycleTest, ALateJoinerLearnsEveryOwnerAtOnce) {
  Start();
  MosqClient ann(broker_.port(), "ann-1");
  MosqClient ben(broker_.port(), "ben-1");
  ASSERT_TRUE(JoinAs(&ann, "ann")) << ann.error();
  ASSERT_TRUE(JoinAs(&ben, "ben")) << ben.error();
  ASSERT_TRUE(ann.Publish(ItemTopic("r", "ball", "claim"), "", 1));
  ASSERT_TRUE(ann.Publish(ItemTopic("r", "bat", "claim"), "", 1));
  ASSERT_TRUE(ben.Publish(ItemTopic("r", "cup", "claim"), "", 1));
  ASSERT_TRUE(ann.Publish(ItemTopic("r", "bat", "release"), "", 1));
  // Wait until the watcher saw all four changes: then they are retained.
  EXPECT_EQ(ReceiveCount(*watcher_, 4).size(), 4u);
  MosqClient late(broker_.port(), "late-1");
  ASSERT_TRUE(JoinAs(&late, "late")) << late.error();
  ASSERT_EQ(late.Subscribe("rooms/r/items/+/owner", 1), 1);
  std::map<std::string, std::pair<std::string, uint64_t>> owners;
  for (const Received& message : ReceiveCount(late, 3)) {
    EXPECT_TRUE(message.retain);
    const ItemOwner owner = ParseOwner(message.payload);
    owners[owner.item_id()] = {owner.owner_user_id(), owner.epoch()};
  }
  const std::map<std::string, std::pair<std::string, uint64_t>> expected = {
      {"ball", {"ann", 1}}, {"bat", {"", 2}}, {"cup", {"ben", 1}}};
  EXPECT_EQ(owners, expected);
  EXPECT_FALSE(late.Receive(milliseconds(300)));
}

TEST_F(OwnershipLifecycleTest, JsonPayloadsForDebugging) {
  Start("      payload_format: json\n");
  MosqClient ann(broker_.port(), "ann-1");
  ASSERT_TRUE(JoinAs(&ann, "ann")) << ann.error();
  ASSERT_TRUE(ann.Publish(ItemTopic("r", "ball", "claim"), R"({"epoch": "0"})", 1));
  ASSERT_TRUE(watcher_->Receive());
  const CommandResult sub =
      RunCommand({"mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(broker_.port()), "-t",
                  "rooms/r/items/+/owner", "-C", "1", "-W", "5", "-v"});
  EXPECT_NE(sub.out.find(R"(rooms/r/items/ball/owner {"room_id":"r","item_id":"ball",)"
                         R"("owner_user_id":"ann","epoch":"1","change":"OWNER_CHANGE_CLAIMED")"),
            std::string::npos)
      << sub.out << sub.err;
  Inbox inbox(ann);
  const auto reply = inbox.Take(ReplyTopic("r"));
  ASSERT_TRUE(reply);
  EXPECT_NE(reply->payload.find(R"("reason_code":0)"), std::string::npos) << reply->payload;
}

}  // namespace
}  // namespace plaza::testing
