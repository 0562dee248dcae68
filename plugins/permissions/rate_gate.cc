// Token buckets and the abuse streak; see rate_gate.h.
#include "rate_gate.h"

#include <algorithm>

namespace plaza::permissions {

TokenBucket::TokenBucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}

bool TokenBucket::Has(double amount, int64_t now_ns) {
  if (rate_ <= 0) return true;
  if (!started_) {
    started_ = true;
    last_ns_ = now_ns;
  } else if (now_ns > last_ns_) {
    tokens_ = std::min(burst_, tokens_ + rate_ * static_cast<double>(now_ns - last_ns_) / 1e9);
    last_ns_ = now_ns;
  }
  return tokens_ >= amount;
}

void TokenBucket::Take(double amount) {
  if (rate_ > 0) tokens_ -= amount;
}

RateGate::RateGate(const RateLimit& limit)
    : unlimited_(limit.unlimited),
      kick_after_ns_(limit.kick_after_seconds * 1e9),
      messages_(limit.messages_per_second, limit.messages_burst),
      bytes_(limit.bytes_per_second, limit.bytes_burst) {}

RateGate::Outcome RateGate::Admit(uint64_t bytes, int64_t now_ns) {
  streak_new_ = false;
  if (unlimited_) return Outcome::kPass;
  // Both buckets are refilled before either is taken from, so a message
  // refused for its bytes costs no message token, and the other way round.
  const bool messages_ok = messages_.Has(1, now_ns);
  const bool bytes_ok = bytes_.Has(static_cast<double>(bytes), now_ns);
  if (messages_ok && bytes_ok) {
    messages_.Take(1);
    bytes_.Take(static_cast<double>(bytes));
    return Outcome::kPass;
  }
  if (!over_ || now_ns - last_drop_ns_ > kAbuseGapNs) {
    over_ = true;
    streak_new_ = true;
    streak_start_ns_ = now_ns;
  }
  last_drop_ns_ = now_ns;
  if (kick_after_ns_ > 0 && static_cast<double>(now_ns - streak_start_ns_) >= kick_after_ns_) {
    return Outcome::kKick;
  }
  return Outcome::kDrop;
}

}  // namespace plaza::permissions
