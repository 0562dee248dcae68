// The worker's polling window before it sleeps: it must grow only on gaps a
// longer poll would have caught, shrink to nothing on a quiet worker, never
// pass its limit, and stay off when the limit is 0.
#include "net/idle_spin.h"

#include <gtest/gtest.h>

namespace plaza::broker {
namespace {

constexpr int64_t kUs = 1000;

TEST(IdleSpin, StartsClosed) {
  const IdleSpin spin(50 * kUs);
  EXPECT_EQ(spin.window_ns(), 0);
  EXPECT_EQ(spin.limit_ns(), 50 * kUs);
}

TEST(IdleSpin, GapWithinLimitGrowsFromAQuarterThenDoubles) {
  IdleSpin spin(80 * kUs);
  spin.Observe(30 * kUs);
  EXPECT_EQ(spin.window_ns(), 20 * kUs);
  spin.Observe(30 * kUs);
  EXPECT_EQ(spin.window_ns(), 40 * kUs);
  spin.Observe(70 * kUs);
  EXPECT_EQ(spin.window_ns(), 80 * kUs);
  spin.Observe(79 * kUs);  // caught: no change, and never past the limit
  EXPECT_EQ(spin.window_ns(), 80 * kUs);
}

TEST(IdleSpin, GapCaughtLeavesWindowAlone) {
  IdleSpin spin(40 * kUs);
  spin.Observe(20 * kUs);
  ASSERT_EQ(spin.window_ns(), 10 * kUs);
  spin.Observe(5 * kUs);
  spin.Observe(10 * kUs);
  EXPECT_EQ(spin.window_ns(), 10 * kUs);
}

TEST(IdleSpin, GapsBeyondLimitShrinkToOff) {
  IdleSpin spin(64 * kUs);
  for (int i = 0; i < 4; ++i) spin.Observe(60 * kUs);
  ASSERT_EQ(spin.window_ns(), 64 * kUs);
  spin.Observe(250'000 * kUs);  // a quiet quarter second (one tick)
  EXPECT_EQ(spin.window_ns(), 32 * kUs);
  for (int i = 0; i < 10; ++i) spin.Observe(250'000 * kUs);
  EXPECT_EQ(spin.window_ns(), 0);
}

TEST(IdleSpin, RegularGapsJustBeyondLimitNeverOpenIt) {
  // Events every 60 us with a 50 us limit: polling would always miss.
  IdleSpin spin(50 * kUs);
  for (int i = 0; i < 100; ++i) spin.Observe(60 * kUs);
  EXPECT_EQ(spin.window_ns(), 0);
}

TEST(IdleSpin, ZeroLimitNeverPolls) {
  IdleSpin spin(0);
  for (int i = 0; i < 10; ++i) spin.Observe(1 * kUs);
  EXPECT_EQ(spin.window_ns(), 0);
  IdleSpin negative(-5);
  negative.Observe(1);
  EXPECT_EQ(negative.window_ns(), 0);
  EXPECT_EQ(negative.limit_ns(), 0);
}

}  // namespace
}  // namespace plaza::broker
