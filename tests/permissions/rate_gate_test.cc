// Token buckets and the abuse streak with a hand-driven clock: no sleeps,
// no timing assertions.
#include "rate_gate.h"

#include <gtest/gtest.h>

namespace plaza::permissions {
namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kS = 1'000 * kMs;

TEST(TokenBucketTest, StartsFullAndRefillsAtItsRate) {
  TokenBucket bucket(10, 3);  // 10 per second, 3 at most
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(bucket.Has(1, 0));
    bucket.Take(1);
  }
  EXPECT_FALSE(bucket.Has(1, 0));
  EXPECT_FALSE(bucket.Has(1, 99 * kMs));  // 0.99 tokens
  EXPECT_TRUE(bucket.Has(1, 100 * kMs));
  bucket.Take(1);
  // Never more than the burst, however long it rests.
  EXPECT_TRUE(bucket.Has(3, 3600 * kS));
  EXPECT_FALSE(bucket.Has(3.5, 3600 * kS));
}

TEST(TokenBucketTest, ARateOfZeroIsUnlimited) {
  TokenBucket bucket(0, 0);
  EXPECT_TRUE(bucket.Has(1e12, 0));
}

TEST(TokenBucketTest, TimeGoingBackwardsAddsNothing) {
  TokenBucket bucket(1, 1);
  ASSERT_TRUE(bucket.Has(1, 10 * kS));
  bucket.Take(1);
  EXPECT_FALSE(bucket.Has(1, 5 * kS));
  EXPECT_TRUE(bucket.Has(1, 11 * kS));
}

RateLimit Limit(double messages, double burst, double bytes = 0, double bytes_burst = 0,
                double kick_after = 0) {
  RateLimit limit;
  limit.messages_per_second = messages;
  limit.messages_burst = burst;
  limit.bytes_per_second = bytes;
  limit.bytes_burst = bytes_burst;
  limit.kick_after_seconds = kick_after;
  return limit;
}

TEST(RateGateTest, DropsMessagesOverTheRate) {
  RateGate gate(Limit(2, 2));
  EXPECT_EQ(gate.Admit(10, 0), RateGate::Outcome::kPass);
  EXPECT_EQ(gate.Admit(10, 0), RateGate::Outcome::kPass);
  EXPECT_EQ(gate.Admit(10, 0), RateGate::Outcome::kDrop);
  EXPECT_EQ(gate.Admit(10, 499 * kMs), RateGate::Outcome::kDrop);
  EXPECT_EQ(gate.Admit(10, 500 * kMs), RateGate::Outcome::kPass);
}

TEST(RateGateTest, DropsBytesOverTheRateWithoutSpendingAMessage) {
  RateGate gate(Limit(100, 2, 1000, 1500));
  EXPECT_EQ(gate.Admit(1000, 0), RateGate::Outcome::kPass);
  EXPECT_EQ(gate.Admit(1000, 0), RateGate::Outcome::kDrop);        // 500 bytes left
  EXPECT_EQ(gate.Admit(500, 0), RateGate::Outcome::kPass);         // the drop cost no message
  EXPECT_EQ(gate.Admit(1, 0), RateGate::Outcome::kDrop);           // out of messages now
  EXPECT_EQ(gate.Admit(2000, 10 * kS), RateGate::Outcome::kDrop);  // above the burst: never
}

TEST(RateGateTest, AnUnlimitedEntryPassesEverything) {
  RateLimit limit;
  limit.unlimited = true;
  RateGate gate(limit);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(gate.Admit(1 << 20, 0), RateGate::Outcome::kPass);
}

TEST(RateGateTest, KicksAfterASustainedStreakOfDrops) {
  RateGate gate(Limit(10, 1, 0, 0, 2.0));  // kick after 2 s over the limit
  int64_t now = 0;
  ASSERT_EQ(gate.Admit(1, now), RateGate::Outcome::kPass);
  // 100 messages a second, ten times the rate: dropped, then kicked at 2 s.
  RateGate::Outcome outcome = RateGate::Outcome::kPass;
  int drops = 0;
  bool saw_streak_start = false;
  while (now < 5 * kS) {
    now += 10 * kMs;
    outcome = gate.Admit(1, now);
    if (outcome == RateGate::Outcome::kKick) break;
    if (outcome == RateGate::Outcome::kDrop) {
      ++drops;
      if (gate.streak_started()) {
        EXPECT_FALSE(saw_streak_start) << "one streak, started once";
        saw_streak_start = true;
      }
    }
  }
  EXPECT_EQ(outcome, RateGate::Outcome::kKick);
  EXPECT_TRUE(saw_streak_start);
  EXPECT_GT(drops, 100);
  // The streak began with the first drop (at 10 ms): kicked at 2 s after it.
  EXPECT_EQ(now, 2010 * kMs);
}

TEST(RateGateTest, AQuietSecondEndsTheStreak) {
  RateGate gate(Limit(1, 1, 0, 0, 2.0));  // one a second
  ASSERT_EQ(gate.Admit(1, 0), RateGate::Outcome::kPass);
  ASSERT_EQ(gate.Admit(1, 1), RateGate::Outcome::kDrop);  // a streak starts
  EXPECT_TRUE(gate.streak_started());
  ASSERT_EQ(gate.Admit(1, 500 * kMs), RateGate::Outcome::kDrop);  // the same streak
  EXPECT_FALSE(gate.streak_started());
  ASSERT_EQ(gate.Admit(1, 2200 * kMs), RateGate::Outcome::kPass);
  // More than a second after the last drop: the next drop starts a new
  // streak, so 2 s after the first drop is no kick.
  EXPECT_EQ(gate.Admit(1, 2200 * kMs + 1), RateGate::Outcome::kDrop);
  EXPECT_TRUE(gate.streak_started());
  EXPECT_EQ(gate.Admit(1, 2200 * kMs + 2), RateGate::Outcome::kDrop);
  EXPECT_FALSE(gate.streak_started());
  EXPECT_EQ(gate.Admit(1, 4200 * kMs + 1), RateGate::Outcome::kPass);
}

TEST(RateGateTest, NoKickWhenKickAfterIsZero) {
  RateGate gate(Limit(1, 1));
  ASSERT_EQ(gate.Admit(1, 0), RateGate::Outcome::kPass);
  for (int64_t now = 1; now < 60 * kS; now += 100 * kMs) {
    ASSERT_NE(gate.Admit(1, now), RateGate::Outcome::kKick);
  }
}

}  // namespace
}  // namespace plaza::permissions
