// A token bucket: the per-item operation rate limit of the ownership
// plugin. Not thread-safe: its owner (an item's slot) guards it.
#ifndef PLAZA_PLUGINS_OWNERSHIP_TOKEN_BUCKET_H_
#define PLAZA_PLUGINS_OWNERSHIP_TOKEN_BUCKET_H_

#include <algorithm>
#include <cstdint>

namespace plaza::ownership {

class TokenBucket {
 public:
  // Takes one token at `now_ms` from a bucket refilled with `rate` tokens
  // a second up to `burst`; false when it is empty. A rate of 0 or less
  // never limits.
  bool Take(int64_t now_ms, double rate, double burst) {
    if (rate <= 0) return true;
    if (!started_) {
      tokens_ = burst;
      started_ = true;
    } else if (now_ms > last_ms_) {
      tokens_ = std::min(burst, tokens_ + static_cast<double>(now_ms - last_ms_) * rate / 1000.0);
    }
    last_ms_ = std::max(last_ms_, now_ms);
    tokens_ = std::min(tokens_, burst);  // the burst may have shrunk on reload
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

 private:
  bool started_ = false;
  double tokens_ = 0;
  int64_t last_ms_ = 0;
};

}  // namespace plaza::ownership

#endif  // PLAZA_PLUGINS_OWNERSHIP_TOKEN_BUCKET_H_
