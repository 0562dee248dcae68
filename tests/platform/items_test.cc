// An item contested on the whole platform: two members of world:1 claim the
// same ball at once; the ownership plugin lets exactly one win, refuses the
// other (and the loser's state updates), and hands the ball to the loser
// when the owner leaves (the demo's fallback: longest_present).
#include <gtest/gtest.h>

#include <thread>

#include "platform_env.h"
#include "platform_test_util.h"
#include "plaza/room/v1/items.pb.h"
#include "rooms_test_support.h"

namespace plaza::testing {
namespace {

using room::v1::ItemOwner;

constexpr char kOwnerTopic[] = "rooms/world:1/items/ball-1/owner";

// The owner state of ball-1 with `epoch` among `earlier`, else the next one
// `client` receives.
std::optional<ItemOwner> WaitForOwner(TokenClient& client, uint64_t epoch,
                                      const std::vector<Received>& earlier = {}) {
  return FindOrReceive<ItemOwner>(
      client, kOwnerTopic, [&](const ItemOwner& o) { return o.epoch() == epoch; }, earlier);
}

TEST_F(PlatformTest, OfTwoClaimsOneWinsAndTheBallGoesToTheOtherWhenTheOwnerLeaves) {
  TokenClient aiko(port(), "aiko", kAikoToken);
  TokenClient ben(port(), "ben", kBenToken);
  ASSERT_EQ(ConnectAll({&aiko, &ben}), (std::vector<int>{0, 0})) << aiko.error() << ben.error();
  std::map<TokenClient*, std::string> id;
  for (TokenClient* client : {&aiko, &ben}) {
    const JoinOutcome join = Join(*client, "world:1");
    ASSERT_TRUE(join.reply);
    ASSERT_EQ(join.reply->reason_code(), 0u) << join.reply->reason();
    id[client] = join.user_id;
    ASSERT_EQ(client->Subscribe("rooms/world:1/items/+/owner", 1), 1) << client->error();
    ASSERT_EQ(client->Subscribe("rooms/world:1/items/+/state/+", 0), 0) << client->error();
  }
  ASSERT_EQ(id[&aiko], "1");
  ASSERT_EQ(id[&ben], "2");

  // Both claim at the same time, each from its own thread.
  int aiko_code = -1;
  int ben_code = -1;
  {
    std::jthread a([&] { aiko_code = aiko.Publish("rooms/world:1/items/ball-1/claim", "", 1); });
    std::jthread b([&] { ben_code = ben.Publish("rooms/world:1/items/ball-1/claim", "", 1); });
  }
  ASSERT_TRUE((aiko_code == 0 && ben_code == 0x80) || (aiko_code == 0x80 && ben_code == 0))
      << "PUBACKs: aiko " << aiko_code << ", ben " << ben_code;
  TokenClient& owner = aiko_code == 0 ? aiko : ben;
  TokenClient& other = aiko_code == 0 ? ben : aiko;

  // The loser's Reply says who holds it; both see one owner at epoch 1.
  std::vector<Received> before_refusal;
  const auto refusal = ReceiveMatching<room::v1::Reply>(
      other, "rooms/world:1/server/reply",
      [](const room::v1::Reply& r) {
        return r.request_topic() == "rooms/world:1/items/ball-1/claim";
      },
      &before_refusal);
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->reason_code(), 0x80u);
  EXPECT_NE(refusal->reason().find("held by " + id[&owner]), std::string::npos)
      << refusal->reason();
  for (TokenClient* client : {&owner, &other}) {
    const auto state =
        WaitForOwner(*client, 1, client == &other ? before_refusal : std::vector<Received>{});
    ASSERT_TRUE(state);
    EXPECT_EQ(state->owner_user_id(), id[&owner]);
    EXPECT_EQ(state->change(), room::v1::OWNER_CHANGE_CLAIMED);
  }

  // Only the owner's state is delivered.
  EXPECT_EQ(other.Publish("rooms/world:1/items/ball-1/state/1", "other moves it", 1), 0x87);
  ASSERT_EQ(owner.Publish("rooms/world:1/items/ball-1/state/1", "owner moves it", 1), 0);
  std::vector<Received> seen;
  ASSERT_TRUE(
      ReceivesMessage(other, "rooms/world:1/items/ball-1/state/1", "owner moves it", &seen));
  for (const Received& message : seen) EXPECT_NE(message.payload, "other moves it");

  // The owner leaves: the ball goes to the other, at epoch 2, whose state
  // now counts.
  ASSERT_EQ(owner.Publish("rooms/world:1/leave", "", 1), 0);
  const auto handover = WaitForOwner(other, 2);
  ASSERT_TRUE(handover);
  EXPECT_EQ(handover->owner_user_id(), id[&other]);
  EXPECT_EQ(handover->change(), room::v1::OWNER_CHANGE_OWNER_LEFT);
  EXPECT_EQ(other.Publish("rooms/world:1/items/ball-1/state/2", "mine now", 1), 0);
  EXPECT_EQ(owner.Publish("rooms/world:1/items/ball-1/state/1", "late", 1), 0x87);
}

}  // namespace
}  // namespace plaza::testing
