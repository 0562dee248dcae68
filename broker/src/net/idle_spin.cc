// The adaptive polling window of a worker; see idle_spin.h.
#include "net/idle_spin.h"

#include <algorithm>

namespace plaza::broker {
namespace {

// A window that grows starts from a quarter of the limit, doubles on each
// gap it missed, and halves on each gap beyond the limit; below a
// microsecond it is not worth a poll.
constexpr int64_t kGrowFactor = 2;
constexpr int64_t kShrinkFactor = 2;
constexpr int64_t kGrowStartDivisor = 4;
constexpr int64_t kMinWindowNs = 1000;

}  // namespace

void IdleSpin::Observe(int64_t gap_ns) {
  if (limit_ns_ == 0 || gap_ns <= window_ns_) return;  // off, or caught
  if (gap_ns <= limit_ns_) {
    window_ns_ = std::clamp(window_ns_ * kGrowFactor, limit_ns_ / kGrowStartDivisor, limit_ns_);
    return;
  }
  window_ns_ /= kShrinkFactor;
  if (window_ns_ < kMinWindowNs) window_ns_ = 0;
}

}  // namespace plaza::broker
