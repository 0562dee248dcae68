// Rate limiting for one client under one RateLimit entry: two token buckets
// (messages and bytes, each refilled at its rate up to its burst) and the
// abuse streak that ends in a kick. The clock is the caller's (nanoseconds
// from any fixed origin), so tests drive time by hand.
#ifndef PLAZA_PLUGINS_PERMISSIONS_RATE_GATE_H_
#define PLAZA_PLUGINS_PERMISSIONS_RATE_GATE_H_

#include <cstdint>

#include "rule_set.h"

namespace plaza::permissions {

// Tokens refilled at `rate` per second up to `burst`; starts full. A rate
// of 0 means unlimited.
class TokenBucket {
 public:
  TokenBucket() = default;
  TokenBucket(double rate, double burst);

  // True if `amount` tokens are there at `now_ns` (after refilling).
  bool Has(double amount, int64_t now_ns);
  // Takes `amount` tokens; call only after Has() said yes for the same time.
  void Take(double amount);
  double tokens() const { return tokens_; }

 private:
  double rate_ = 0;
  double burst_ = 0;
  double tokens_ = 0;
  int64_t last_ns_ = 0;
  bool started_ = false;
};

// A drop more than this after the previous one starts a new abuse streak.
inline constexpr int64_t kAbuseGapNs = 1'000'000'000;

class RateGate {
 public:
  enum class Outcome {
    kPass,  // within the limit
    kDrop,  // over the limit: drop this message
    kKick,  // over the limit for kick_after_seconds: drop it and disconnect
  };

  explicit RateGate(const RateLimit& limit);

  // Admits one message of `bytes` at `now_ns`.
  Outcome Admit(uint64_t bytes, int64_t now_ns);
  // True while the current streak's first drop is unreported (for logging
  // once per streak).
  bool streak_started() const { return streak_new_; }

 private:
  bool unlimited_;
  double kick_after_ns_;
  TokenBucket messages_;
  TokenBucket bytes_;
  bool over_ = false;
  bool streak_new_ = false;
  int64_t streak_start_ns_ = 0;
  int64_t last_drop_ns_ = 0;
};

}  // namespace plaza::permissions

#endif  // PLAZA_PLUGINS_PERMISSIONS_RATE_GATE_H_
