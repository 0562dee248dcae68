// Log-bucketed latency histogram; see histogram.h for the bucket layout.
#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace plaza::bench {

size_t Histogram::IndexOf(uint64_t value) {
  if (value < (uint64_t{1} << kLinearBits)) return static_cast<size_t>(value);
  // msb >= kLinearBits; keep the top kLinearBits bits of the value.
  const int msb = 63 - std::countl_zero(value);
  const int shift = msb - (kLinearBits - 1);
  return static_cast<size_t>(shift) * kSubBuckets + static_cast<size_t>(value >> shift);
}

uint64_t Histogram::UpperEdgeOf(size_t index) {
  if (index < (size_t{1} << kLinearBits)) return index;
  const size_t shift = index / kSubBuckets - 1;
  const uint64_t mantissa = index - shift * kSubBuckets;
  return ((mantissa + 1) << shift) - 1;
}

void Histogram::Record(int64_t value) {
  if (value < 0) value = 0;  // a clock can't go backwards, but be safe
  const size_t index = IndexOf(static_cast<uint64_t>(value));
  ++buckets_[std::min(index, kBuckets - 1)];
  if (count_ == 0 || value < min_) min_ = value;
  if (value > max_) max_ = value;
  ++count_;
  sum_ += value;
}

void Histogram::Merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  if (count_ == 0 || other.min_ < min_) min_ = other.min_;
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

void Histogram::Reset() {
  buckets_.fill(0);
  count_ = 0;
  min_ = 0;
  max_ = 0;
  sum_ = 0;
}

double Histogram::mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

int64_t Histogram::Percentile(double fraction) const {
  if (count_ == 0) return 0;
  fraction = std::clamp(fraction, 0.0, 1.0);
  uint64_t rank = static_cast<uint64_t>(std::ceil(fraction * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      return std::min(static_cast<int64_t>(UpperEdgeOf(i)), max_);
    }
  }
  return max_;
}

}  // namespace plaza::bench
