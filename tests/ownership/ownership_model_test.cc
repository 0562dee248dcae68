// Unit tests of the ownership model (plugins/ownership/ownership_model.h)
// with a clock the test moves: claims and their races, epochs, transfers,
// state checks, departures and the fallback, leases, groups, the rate limit
// and the item limit.
#include "ownership_model.h"

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <mutex>
#include <thread>
#include <vector>

namespace plaza::ownership {
namespace {

class RecordingSink : public OwnerSink {
 public:
  void OnOwnerChanged(OwnerChange change) override {
    std::lock_guard lock(mutex_);
    changes_.push_back(std::move(change));
  }
  std::vector<OwnerChange> Take() {
    std::lock_guard lock(mutex_);
    return std::exchange(changes_, {});
  }

 private:
  std::mutex mutex_;
  std::vector<OwnerChange> changes_;
};

class OwnershipModelTest : public ::testing::Test {
 protected:
  // Makes the model with `settings` (groups indexed here).
  void Reset(Settings settings) {
    settings.Index();
    model_ = std::make_unique<OwnershipModel>(
        std::make_shared<const Settings>(std::move(settings)), [this] { return now_ms_.load(); },
        &sink_);
  }
  void SetUp() override { Reset(Settings()); }

  // A member that joined `room` at `joined_at_ms`.
  Member Join(const std::string& room, ClientHandle handle, const std::string& user,
              int64_t joined_at_ms = 1000) {
    Member member{handle, user, joined_at_ms};
    model_->Join(room, member);
    return member;
  }

  uint64_t EpochOf(const std::string& room, const std::string& item) {
    const auto owner = model_->Owner(room, item);
    return owner ? owner->epoch : 0;
  }

  std::atomic<int64_t> now_ms_{1'000'000};
  RecordingSink sink_;
  std::unique_ptr<OwnershipModel> model_;
};

TEST_F(OwnershipModelTest, AClaimOfAFreeItemWinsAndStartsEpochOne) {
  const Member ann = Join("r", 1, "ann");
  const Outcome outcome = model_->Claim("r", "ball", ann, 0);
  EXPECT_TRUE(outcome.ok()) << outcome.detail;
  const auto changes = sink_.Take();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].room_id, "r");
  EXPECT_EQ(changes[0].item_id, "ball");
  EXPECT_EQ(changes[0].owner_user_id, "ann");
  EXPECT_EQ(changes[0].epoch, 1u);
  EXPECT_EQ(changes[0].kind, ChangeKind::kClaimed);
  EXPECT_TRUE(changes[0].group.empty());
  EXPECT_EQ(model_->items_owned(), 1);
}

TEST_F(OwnershipModelTest, AHeldItemRefusesOthersAndKeepsItsEpoch) {
  const Member ann = Join("r", 1, "ann");
  const Member ben = Join("r", 2, "ben");
  ASSERT_TRUE(model_->Claim("r", "ball", ann, 0).ok());
  const Outcome lost = model_->Claim("r", "ball", ben, 0);
  EXPECT_EQ(lost.result, Result::kHeld);
  EXPECT_NE(lost.detail.find("held by ann"), std::string::npos) << lost.detail;
  // The owner claiming again changes nothing.
  EXPECT_TRUE(model_->Claim("r", "ball", ann, 0).ok());
  EXPECT_EQ(EpochOf("r", "ball"), 1u);
  EXPECT_EQ(sink_.Take().size(), 1u);
}

TEST_F(OwnershipModelTest, ReleaseFreesTheItemAndRaisesTheEpoch) {
  const Member ann = Join("r", 1, "ann");
  const Member ben = Join("r", 2, "ben");
  ASSERT_TRUE(model_->Claim("r", "ball", ann, 0).ok());
  EXPECT_EQ(model_->Release("r", "ball", ben.handle, 0).result, Result::kNotOwner);
  EXPECT_EQ(model_->Release("r", "nothing", ann.handle, 0).result, Result::kNotOwner);
  EXPECT_TRUE(model_->Release("r", "ball", ann.handle, 0).ok());
  const auto changes = sink_.Take();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[1].owner_user_id, "");
  EXPECT_EQ(changes[1].epoch, 2u);
  EXPECT_EQ(changes[1].kind, ChangeKind::kReleased);
  EXPECT_EQ(model_->items_owned(), 0);
  // Free again: ben may claim it, at epoch 3.
  EXPECT_TRUE(model_->Claim("r", "ball", ben, 0).ok());
  EXPECT_EQ(EpochOf("r", "ball"), 3u);
}

TEST_F(OwnershipModelTest, TransferHandsTheItemToAMember) {
  const Member ann = Join("r", 1, "ann");
  Join("r", 2, "ben");
  ASSERT_TRUE(model_->Claim("r", "ball", ann, 0).ok());
  EXPECT_EQ(model_->Transfer("r", "ball", 2, "ann", 0).result, Result::kNotOwner);
  EXPECT_EQ(model_->Transfer("r", "ball", 1, "zoe", 0).result, Result::kNoSuchMember);
  EXPECT_TRUE(model_->Transfer("r", "ball", 1, "ben", 0).ok());
  const auto owner = model_->Owner("r", "ball");
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->owner, 2u);
  EXPECT_EQ(owner->owner_user_id, "ben");
  EXPECT_EQ(owner->epoch, 2u);
  EXPECT_EQ(sink_.Take().back().kind, ChangeKind::kTransferred);
}

TEST_F(OwnershipModelTest, ARequestNamingAnOldEpochIsRefused) {
  const Member ann = Join("r", 1, "ann");
  const Member ben = Join("r", 2, "ben");
  ASSERT_TRUE(model_->Claim("r", "ball", ann, 0).ok());
  ASSERT_TRUE(model_->Release("r", "ball", ann.handle, 1).ok());  // epoch 1 -> 2
  const Outcome stale = model_->Claim("r", "ball", ben, 1);
  EXPECT_EQ(stale.result, Result::kStaleEpoch);
  EXPECT_NE(stale.detail.find("epoch 2"), std::string::npos) << stale.detail;
  EXPECT_TRUE(model_->Claim("r", "ball", ben, 2).ok());
}

TEST_F(OwnershipModelTest, OnlyTheOwnerAtTheCurrentEpochMayUpdateState) {
  const Member ann = Join("r", 1, "ann");
  const Member ben = Join("r", 2, "ben");
  EXPECT_EQ(model_->CheckState("r", "ball", 0, ann.handle), StateCheck::kNotOwner);
  EXPECT_EQ(model_->CheckState("nowhere", "ball", 1, ann.handle), StateCheck::kNotOwner);
  ASSERT_TRUE(model_->Claim("r", "ball", ann, 0).ok());
  EXPECT_EQ(model_->CheckState("r", "ball", 1, ann.handle), StateCheck::kAccepted);
  EXPECT_EQ(model_->CheckState("r", "ball", 1, ben.handle), StateCheck::kNotOwner);
  EXPECT_EQ(model_->CheckState("r", "ball", 2, ann.handle), StateCheck::kStaleEpoch);
  // Ann releases and claims again: her epoch-1 updates are now stale.
  ASSERT_TRUE(model_->Release("r", "ball", ann.handle, 0).ok());
  ASSERT_TRUE(model_->Claim("r", "ball", ann, 0).ok());
  EXPECT_EQ(model_->CheckState("r", "ball", 1, ann.handle), StateCheck::kStaleEpoch);
  EXPECT_EQ(model_->CheckState("r", "ball", 3, ann.handle), StateCheck::kAccepted);
}

TEST_F(OwnershipModelTest, DisconnectFreesEveryItemOfTheOwner) {
  const Member ann = Join("r", 1, "ann");
  Join("r", 2, "ben");
  const Member ann_elsewhere = Join("s", 1, "ann");
  ASSERT_TRUE(model_->Claim("r", "ball", ann, 0).ok());
  ASSERT_TRUE(model_->Claim("r", "bat", ann, 0).ok());
  ASSERT_TRUE(model_->Claim("s", "ball", ann_elsewhere, 0).ok());
  sink_.Take();
  model_->Disconnect(ann.handle);
  const auto changes = sink_.Take();
  ASSERT_EQ(changes.size(), 3u);
  for (const OwnerChange& change : changes) {
    EXPECT_EQ(change.owner_user_id, "");
    EXPECT_EQ(change.epoch, 2u);
    EXPECT_EQ(change.kind, ChangeKind::kOwnerLeft);
  }
  EXPECT_EQ(model_->items_owned(), 0);
  model_->Disconnect(ann.handle);  // twice is harmless
  EXPECT_TRUE(sink_.Take().empty());
}

TEST_F(OwnershipModelTest, TheFallbackIsTheMemberPresentLongest) {
  Settings settings;
  settings.fallback = Fallback::kLongestPresent;
  Reset(settings);
  const Member ann = Join("r", 1, "ann", 5000);
  Join("r", 2, "ben", 3000);
  Join("r", 3, "cid", 2000);
  Join("r", 4, "dee", 2000);  // as early as cid, but seen later
  ASSERT_TRUE(model_->Claim("r", "ball", ann, 0).ok());
  model_->Disconnect(ann.handle);
  auto owner = model_->Owner("r", "ball");
  EXPECT_EQ(owner->owner_user_id, "cid");
  EXPECT_EQ(owner->epoch, 2u);
  // cid leaves the room: dee is next.
  model_->Leave("r", 3);
  owner = model_->Owner("r", "ball");
  EXPECT_EQ(owner->owner_user_id, "dee");
  EXPECT_EQ(owner->epoch, 3u);
  model_->Disconnect(4);
  model_->Disconnect(2);
  owner = model_->Owner("r", "ball");
  EXPECT_EQ(owner->owner_user_id, "");  // nobody left
  EXPECT_EQ(owner->epoch, 5u);
  const auto changes = sink_.Take();
  ASSERT_EQ(changes.size(), 5u);
  EXPECT_EQ(changes[1].kind, ChangeKind::kOwnerLeft);
}

TEST_F(OwnershipModelTest, LeavingTheRoomEndsOwnershipThere) {
  const Member ann = Join("r", 1, "ann");
  ASSERT_TRUE(model_->Claim("r", "ball", ann, 0).ok());
  model_->Leave("other-room", ann.handle);
  EXPECT_EQ(model_->Owner("r", "ball")->owner, ann.handle);
  model_->Leave("r", ann.handle);
  EXPECT_EQ(model_->Owner("r", "ball")->owner, 0u);
  // No longer a member: no fallback candidate, and a state update refused.
  EXPECT_EQ(model_->CheckState("r", "ball", 1, ann.handle), StateCheck::kStaleEpoch);
}

TEST_F(OwnershipModelTest, AClaimRecordsAMemberWhoseJoinWentUnseen) {
  Settings settings;
  settings.fallback = Fallback::kLongestPresent;
  Reset(settings);
  const Member ann = Join("r", 1, "ann", 100);
  const Member ben{2, "ben", 50};  // never joined through Join
  ASSERT_TRUE(model_->Claim("r", "bat", ben, 0).ok());
  ASSERT_TRUE(model_->Claim("r", "ball", ann, 0).ok());
  model_->Disconnect(ann.handle);
  EXPECT_EQ(model_->Owner("r", "ball")->owner_user_id, "ben");
  model_->Disconnect(ben.handle);  // ben's disconnect is seen too
  EXPECT_EQ(model_->Owner("r", "bat")->owner, 0u);
  EXPECT_EQ(model_->Owner("r", "ball")->owner, 0u);
}

TEST_F(OwnershipModelTest, ALeaseEndsWithoutUpdatesAndStateRenewsIt) {
  Settings settings;
  settings.lease_ms = 1000;
  Reset(settings);
  const Member ann = Join("r", 1, "ann");
  ASSERT_TRUE(model_->Claim("r", "ball", ann, 0).ok());
  now_ms_ += 900;
  EXPECT_EQ(model_->ExpireLeases(), 0u);
  ASSERT_EQ(model_->CheckState("r", "ball", 1, ann.handle), StateCheck::kAccepted);
  now_ms_ += 900;  // 1800 after the claim, 900 after the update
  EXPECT_EQ(model_->ExpireLeases(), 0u);
  now_ms_ += 100;
  EXPECT_EQ(model_->ExpireLeases(), 1u);
  const auto owner = model_->Owner("r", "ball");
  EXPECT_EQ(owner->owner, 0u);
  EXPECT_EQ(owner->epoch, 2u);
  EXPECT_EQ(sink_.Take().back().kind, ChangeKind::kLeaseExpired);
  EXPECT_EQ(model_->ExpireLeases(), 0u);  // a free item has no lease
}

TEST_F(OwnershipModelTest, AnExpiredLeaseGoesToTheFallbackWithAFreshLease) {
  Settings settings;
  settings.lease_ms = 1000;
  settings.fallback = Fallback::kLongestPresent;
  Reset(settings);
  const Member ann = Join("r", 1, "ann", 10);
  Join("r", 2, "ben", 20);
  ASSERT_TRUE(model_->Claim("r", "ball", ann, 0).ok());
  now_ms_ += 1000;
  EXPECT_EQ(model_->ExpireLeases(), 1u);
  EXPECT_EQ(model_->Owner("r", "ball")->owner_user_id, "ben");  // not ann again
  now_ms_ += 999;
  EXPECT_EQ(model_->ExpireLeases(), 0u);
}

TEST_F(OwnershipModelTest, LeasesAreOffByDefault) {
  const Member ann = Join("r", 1, "ann");
  ASSERT_TRUE(model_->Claim("r", "ball", ann, 0).ok());
  now_ms_ += 86'400'000;
  EXPECT_EQ(model_->ExpireLeases(), 0u);
  EXPECT_EQ(model_->Owner("r", "ball")->owner, ann.handle);
}

Settings WithGroups() {
  Settings settings;
  settings.groups.push_back({std::nullopt, {"left", "right"}});
  settings.groups.push_back({std::string("r"), {"pawn", "king", "queen"}});
  return settings;
}

TEST_F(OwnershipModelTest, AClaimOfOneItemOfAGroupClaimsThemAll) {
  Reset(WithGroups());
  const Member ann = Join("r", 1, "ann");
  const Member ben = Join("r", 2, "ben");
  ASSERT_TRUE(model_->Claim("r", "king", ann, 0).ok());
  const auto changes = sink_.Take();
  ASSERT_EQ(changes.size(), 3u);
  std::vector<std::string> items;
  for (const OwnerChange& change : changes) {
    items.push_back(change.item_id);
    EXPECT_EQ(change.owner_user_id, "ann");
    EXPECT_EQ(change.epoch, 1u);
    EXPECT_EQ(change.group, (std::vector<std::string>{"pawn", "king", "queen"}));
  }
  EXPECT_EQ(items, (std::vector<std::string>{"pawn", "king", "queen"}));
  EXPECT_EQ(model_->items_owned(), 3);
  EXPECT_EQ(model_->Claim("r", "queen", ben, 0).result, Result::kHeld);
  EXPECT_EQ(model_->CheckState("r", "pawn", 1, ann.handle), StateCheck::kAccepted);
  // Releasing any item of the group releases all, at one new epoch.
  ASSERT_TRUE(model_->Release("r", "pawn", ann.handle, 0).ok());
  for (const char* item : {"pawn", "king", "queen"}) EXPECT_EQ(EpochOf("r", item), 2u) << item;
  EXPECT_EQ(model_->items_owned(), 0);
}

TEST_F(OwnershipModelTest, AGroupForOneRoomLeavesOtherRoomsAlone) {
  Reset(WithGroups());
  const Member ann = Join("s", 1, "ann");
  ASSERT_TRUE(model_->Claim("s", "king", ann, 0).ok());
  EXPECT_EQ(sink_.Take().size(), 1u);  // king alone in room s
  ASSERT_TRUE(model_->Claim("s", "left", ann, 0).ok());
  EXPECT_EQ(sink_.Take().size(), 2u);  // left and right in every room
}

TEST_F(OwnershipModelTest, TheRateLimitRefusesRequestsBeyondTheBurst) {
  Settings settings;
  settings.rate_per_second = 10;
  settings.rate_burst = 3;
  Reset(settings);
  const Member ann = Join("r", 1, "ann");
  const Member ben = Join("r", 2, "ben");
  EXPECT_TRUE(model_->Claim("r", "ball", ann, 0).ok());
  EXPECT_TRUE(model_->Release("r", "ball", ann.handle, 0).ok());
  EXPECT_EQ(model_->Claim("r", "ball", ben, 0).result, Result::kOk);
  EXPECT_EQ(model_->Release("r", "ball", ben.handle, 0).result, Result::kRateLimited);
  EXPECT_EQ(model_->Claim("r", "ball", ann, 0).result, Result::kRateLimited);
  // Another item has a bucket of its own.
  EXPECT_TRUE(model_->Claim("r", "bat", ann, 0).ok());
  // 100 ms later one token is back.
  now_ms_ += 100;
  EXPECT_TRUE(model_->Release("r", "ball", ben.handle, 0).ok());
  EXPECT_EQ(model_->Claim("r", "ball", ann, 0).result, Result::kRateLimited);
}

TEST_F(OwnershipModelTest, ARoomHoldsAtMostMaxItems) {
  Settings settings;
  settings.max_items_per_room = 2;
  settings.groups.push_back({std::nullopt, {"left", "right"}});
  Reset(settings);
  const Member ann = Join("r", 1, "ann");
  EXPECT_TRUE(model_->Claim("r", "a", ann, 0).ok());
  EXPECT_EQ(model_->Claim("r", "left", ann, 0).result, Result::kTooManyItems);  // 1 + 2 > 2
  EXPECT_TRUE(model_->Claim("r", "b", ann, 0).ok());
  EXPECT_EQ(model_->Claim("r", "c", ann, 0).result, Result::kTooManyItems);
  EXPECT_TRUE(model_->Claim("r", "a", ann, 0).ok());  // known items stay usable
}

TEST_F(OwnershipModelTest, OfManySimultaneousClaimsExactlyOneWins) {
  constexpr int kClaimers = 20;
  for (int i = 1; i <= kClaimers; ++i) Join("r", i, "user" + std::to_string(i));
  std::barrier start(kClaimers);
  std::atomic<int> won{0};
  std::atomic<int> held{0};
  std::vector<std::thread> threads;
  for (int i = 1; i <= kClaimers; ++i) {
    threads.emplace_back([&, i] {
      const Member me{static_cast<ClientHandle>(i), "user" + std::to_string(i), 1000};
      start.arrive_and_wait();
      const Outcome outcome = model_->Claim("r", "ball", me, 0);
      if (outcome.ok()) ++won;
      if (outcome.result == Result::kHeld) ++held;
      model_->CheckState("r", "ball", 1, me.handle);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(held.load(), kClaimers - 1);
  EXPECT_EQ(EpochOf("r", "ball"), 1u);
  EXPECT_EQ(sink_.Take().size(), 1u);
}

TEST_F(OwnershipModelTest, DeparturesRacingClaimsLeaveNoOwnerBehind) {
  Settings settings;
  settings.fallback = Fallback::kLongestPresent;
  Reset(settings);
  constexpr int kClients = 8;
  std::vector<std::thread> threads;
  for (int i = 1; i <= kClients; ++i) {
    threads.emplace_back([&, i] {
      const Member me{static_cast<ClientHandle>(i), "user" + std::to_string(i), i};
      model_->Join("r", me);
      for (int round = 0; round < 50; ++round) {
        model_->Claim("r", "item" + std::to_string(round % 4), me, 0);
      }
      model_->Disconnect(me.handle);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(model_->items_owned(), 0);
  for (int item = 0; item < 4; ++item) {
    EXPECT_EQ(model_->Owner("r", "item" + std::to_string(item))->owner, 0u);
  }
}

}  // namespace
}  // namespace plaza::ownership
