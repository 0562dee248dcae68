// One bounded run of a publishing scenario at a fixed rate: start the worker
// threads, wait until every client is connected and subscribed, publish
// through warm-up and the measured window, let late deliveries drain, stop,
// and merge what the workers saw. Also the connection storm, which shares the
// workers but measures connecting instead of publishing.
#ifndef PLAZA_BENCH_RUN_H_
#define PLAZA_BENCH_RUN_H_

#include <cstdint>
#include <string>

#include "histogram.h"
#include "options.h"
#include "worker.h"

namespace plaza::bench {

// Other processes using more than this share of a core (%) during a run
// make its figures suspect ("disturbed").
inline constexpr double kDisturbedCpuPct = 15;

struct RunResult {
  bool completed = false;  // false: setup failed (see error); no figures
  std::string error;       // first connection error, if any
  std::string shape;       // "pubs=1 subs=1000"
  double rate = 0;         // messages/s per publisher
  double duration = 0;     // measured window, s
  int publishers = 0;

  uint64_t target = 0;  // messages the schedule asked for in the window
  uint64_t sent = 0;    // measured messages sent
  uint64_t unsent = 0;  // scheduled but never sent (QoS 1 window or socket full)
  uint64_t expected = 0;
  uint64_t delivered = 0;
  uint64_t lost = 0;
  uint64_t out_of_order = 0;
  uint64_t foreign = 0;
  uint64_t disconnects = 0;
  uint64_t pings = 0;  // storm with --keep-alive: PINGREQs sent and answered
  uint64_t pongs = 0;
  double delivered_per_s = 0;
  Histogram latency;
  // event: [0] the stage's messages, [1] the audience's; `unexpected` are
  // deliveries the delivery policy should have dropped (not in delivered).
  StreamStats streams[kStreams];
  uint64_t unexpected = 0;
  uint64_t server_messages = 0;

  double broker_cpu_pct = -1;  // -1: no --broker-pid
  long broker_rss_kib = -1;
  double bench_cpu_pct = 0;
  // CPU that neither the broker nor the bench used during the window (% of
  // one core); well above a few percent means the figures are disturbed.
  double other_cpu_pct = -1;
  bool disturbed() const { return other_cpu_pct > kDisturbedCpuPct; }

  // Storm only.
  int connections = 0;
  double connect_per_s = 0;
  Histogram connect_latency;
  long broker_rss_before_kib = -1;
  double rss_per_connection_kib = -1;
  double broker_cpu_s_per_1k = -1;  // broker CPU seconds per 1000 connects
  long bench_rss_kib = -1;

  // Broker CPU time per delivered message, µs: efficiency that compares
  // across brokers even when their throughputs differ. -1 when unknown.
  double broker_us_per_msg() const {
    if (broker_cpu_pct < 0 || delivered_per_s <= 0) return -1;
    return broker_cpu_pct / 100 / delivered_per_s * 1e6;
  }
  double loss_fraction() const {
    return expected == 0 ? 0 : static_cast<double>(lost) / static_cast<double>(expected);
  }
  double sent_fraction() const {
    return target == 0 ? 1 : static_cast<double>(sent) / static_cast<double>(target);
  }
};

// `run_index` keeps topics and client ids unique across runs of one process.
RunResult RunFixed(const Options& options, double rate, double duration, int run_index);

RunResult RunStorm(const Options& options, int run_index);

}  // namespace plaza::bench

#endif  // PLAZA_BENCH_RUN_H_
