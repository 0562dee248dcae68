// The saturation search; see saturation.h.
#include "saturation.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <thread>

#include "report.h"
#include "run.h"

namespace plaza::bench {
namespace {

constexpr int kDisturbedRepeats = 3;

// Why a run does not count as sustained, or "" when it does.
std::string Verdict(const Options& options, const RunResult& r) {
  if (!r.completed) return "error";
  if (r.disconnects > 0) return "disconnects";
  if (r.lost > 0) return "loss";
  // A schedule the publishers could not keep is not that rate (QoS 1 window
  // full, or the broker stopped reading).
  if (r.sent < r.target * 0.99 || r.unsent > r.target / 100) return "unsent";
  if (r.latency.count() == 0) return "no-deliveries";
  if (static_cast<double>(r.latency.Percentile(0.99)) > options.p99_bound_ms * 1e6) return "p99";
  return "";
}

}  // namespace

int RunSaturation(const Options& options) {
  double low = 0;                                         // highest rate that passed
  double high = std::numeric_limits<double>::infinity();  // lowest that failed
  double rate = options.start_rate;
  RunResult best;
  bool have_best = false;
  int steps = 0;
  std::string last_failure;
  double worst_other_cpu = -1;
  int run_index = 0;
  for (int step = 1; step <= options.max_steps; ++step) {
    RunResult r;
    std::string verdict;
    // A step other processes disturbed says nothing about the broker: repeat
    // it (a few times at most) after a pause.
    for (int attempt = 0;; ++attempt) {
      r = RunFixed(options, rate, options.duration, ++run_index);
      verdict = Verdict(options, r);
      // Bounded twice: per step, and in all, so a busy machine can at most
      // double the length of the search.
      const bool repeat =
          r.disturbed() && attempt < kDisturbedRepeats && run_index < 2 * options.max_steps;
      if (!options.quiet) {
        std::printf("  step %d: %s -> %s%s\n", step, HumanLine(options, r).c_str(),
                    verdict.empty() ? "PASS" : ("FAIL (" + verdict + ")").c_str(),
                    repeat ? ", disturbed: repeating" : "");
        std::fflush(stdout);
      }
      if (!repeat) break;
      std::this_thread::sleep_for(std::chrono::seconds(2));
    }
    ++steps;
    worst_other_cpu = std::max(worst_other_cpu, r.other_cpu_pct);
    if (!r.completed) {
      // Connecting failed: no rate will do better, and the error is the news.
      best = r;
      last_failure = "error";
      break;
    }
    if (verdict.empty()) {
      low = rate;
      best = r;
      have_best = true;
    } else {
      high = rate;
      last_failure = verdict;
    }
    if (std::isinf(high)) {
      rate *= 2;
    } else if (low == 0) {
      rate /= 2;
    } else if ((high - low) / low < options.precision) {
      break;
    } else {
      rate = std::sqrt(low * high);  // bisect in log space: rates span decades
    }
    // Let the broker forget the previous run's clients before the next.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }

  char extra[256];
  std::snprintf(extra, sizeof extra, "max_rate=%.6g max_msg_s=%.0f p99_bound_ms=%g steps=%d%s%s",
                have_best ? low : 0.0, have_best ? best.delivered_per_s : 0.0, options.p99_bound_ms,
                steps, last_failure.empty() ? "" : " limit=", last_failure.c_str());
  if (!have_best && best.completed) best = RunResult{};  // no passing run: no figures
  if (!have_best && best.error.empty()) best.error = "no rate passed";
  // The answer rests on every step, so it is as disturbed as the worst one.
  best.other_cpu_pct = worst_other_cpu;
  std::printf(
      "%s saturation: max %.6g msg/s per publisher, %.0f delivered msg/s (p99 bound %g ms, "
      "%d steps%s%s)\n",
      ScenarioName(options.scenario), have_best ? low : 0.0, have_best ? best.delivered_per_s : 0.0,
      options.p99_bound_ms, steps, last_failure.empty() ? "" : ", limited by ",
      last_failure.c_str());
  std::printf("%s\n", ResultLine(options, "saturation", best, extra).c_str());
  return have_best ? 0 : 1;
}

}  // namespace plaza::bench
