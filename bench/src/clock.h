// One clock for the whole bench: the steady clock in nanoseconds. Publishers
// stamp payloads with it and subscribers subtract from it, so both sides must
// read the same clock (they do: they share one process).
#ifndef PLAZA_BENCH_CLOCK_H_
#define PLAZA_BENCH_CLOCK_H_

#include <chrono>
#include <cstdint>

namespace plaza::bench {

inline int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline constexpr int64_t kNsPerMs = 1'000'000;
inline constexpr int64_t kNsPerSec = 1'000'000'000;

inline int64_t SecondsToNs(double seconds) { return static_cast<int64_t>(seconds * 1e9); }

}  // namespace plaza::bench

#endif  // PLAZA_BENCH_CLOCK_H_
