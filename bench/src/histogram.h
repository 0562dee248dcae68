// A latency histogram in the manner of HdrHistogram: log-bucketed with 64
// linear sub-buckets per power of two, so every recorded value keeps about
// 1.6% relative precision from 1 ns up to centuries. Recording is an index
// computation and an increment -- no allocation per message -- so a
// subscriber can record every delivery on the hot path.
#ifndef PLAZA_BENCH_HISTOGRAM_H_
#define PLAZA_BENCH_HISTOGRAM_H_

#include <array>
#include <cstddef>
#include <cstdint>

namespace plaza::bench {

class Histogram {
 public:
  Histogram() { Reset(); }

  void Record(int64_t value);
  void Merge(const Histogram& other);
  void Reset();

  uint64_t count() const { return count_; }
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  double mean() const;

  // The smallest value v such that at least `fraction` (0..1] of the recorded
  // values are <= v, reported as the upper edge of its bucket (never above the
  // largest recorded value). 0 when empty.
  int64_t Percentile(double fraction) const;

 private:
  // Values below 2^kLinearBits get their own bucket; above, each power of two
  // is split into 2^(kLinearBits - 1) buckets.
  static constexpr int kLinearBits = 7;
  static constexpr int kSubBuckets = 1 << (kLinearBits - 1);
  static constexpr size_t kBuckets = (64 - kLinearBits + 2) * kSubBuckets;

  static size_t IndexOf(uint64_t value);
  static uint64_t UpperEdgeOf(size_t index);

  std::array<uint64_t, kBuckets> buckets_;
  uint64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace plaza::bench

#endif  // PLAZA_BENCH_HISTOGRAM_H_
