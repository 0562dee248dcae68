// Saturation mode: the highest publish rate a broker sustains with no loss,
// p99 latency under a bound and every scheduled message actually sent. It
// doubles the rate from --start-rate until a short run fails, then bisects
// between the last pass and the first failure, each step a fresh run. A step
// that other processes disturbed (see RunResult::disturbed) is repeated.
#ifndef PLAZA_BENCH_SATURATION_H_
#define PLAZA_BENCH_SATURATION_H_

#include "options.h"

namespace plaza::bench {

// Prints a line per step and a final RESULT line; returns the exit code
// (0 when a passing rate was found, 1 otherwise).
int RunSaturation(const Options& options);

}  // namespace plaza::bench

#endif  // PLAZA_BENCH_SATURATION_H_
