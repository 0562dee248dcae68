// The coordinator of one run; see run.h. The coordinating (main) thread never
// touches a socket: it starts the workers, sets the schedule once everybody
// is ready, samples /proc at the edges of the measured window, waits for the
// drain and merges the workers' counts after joining them.
#include "run.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "clock.h"
#include "proc_stats.h"
#include "scenario.h"
#include "worker.h"

namespace plaza::bench {
namespace {

void SleepUntil(int64_t time_ns) {
  const int64_t left = time_ns - NowNs();
  if (left > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(left));
}

// The workers of one run and their threads.
class WorkerPool {
 public:
  WorkerPool(const Options& options, const Plan& plan, const RunSettings& base,
             RunControl* control) {
    const int threads =
        std::max(1, std::min<int>(options.threads, static_cast<int>(plan.clients.size())));
    RunSettings settings = base;
    settings.connect_window = std::max(1, options.connect_window / threads);
    // Round-robin, so every thread gets its share of publishers and subscribers.
    std::vector<std::vector<const ClientPlan*>> shares(static_cast<size_t>(threads));
    for (size_t i = 0; i < plan.clients.size(); ++i) {
      shares[i % static_cast<size_t>(threads)].push_back(&plan.clients[i]);
    }
    for (auto& share : shares) {
      workers_.push_back(std::make_unique<Worker>(settings, control, std::move(share)));
    }
    for (auto& worker : workers_) threads_.emplace_back([w = worker.get()] { w->Run(); });
    control_ = control;
  }

  ~WorkerPool() { StopAndJoin(); }

  void StopAndJoin() {
    control_->stop.store(true, std::memory_order_release);
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

  // Waits until every client is ready; false (with *error) on a failure or
  // the timeout.
  bool WaitReady(int total, double timeout_s, std::string* error) {
    const int64_t deadline = NowNs() + SecondsToNs(timeout_s);
    while (true) {
      const int ready = control_->ready.load(std::memory_order_relaxed);
      const int failed = control_->failed.load(std::memory_order_relaxed);
      if (ready >= total) return true;
      if (failed > 0) {
        // Give the failing worker a moment to record why.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        StopAndJoin();
        *error = std::to_string(failed) + " of " + std::to_string(total) +
                 " clients failed to connect: " + FirstError();
        return false;
      }
      if (NowNs() > deadline) {
        StopAndJoin();
        *error = "setup timed out with " + std::to_string(ready) + " of " + std::to_string(total) +
                 " clients ready";
        const std::string first = FirstError();
        if (!first.empty()) *error += ": " + first;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  std::string FirstError() const {
    for (const auto& worker : workers_) {
      if (!worker->stats().first_error.empty()) return worker->stats().first_error;
    }
    return "";
  }

  const std::vector<std::unique_ptr<Worker>>& workers() const { return workers_; }

 private:
  RunControl* control_ = nullptr;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace

RunResult RunFixed(const Options& options, double rate, double duration, int run_index) {
  const Plan plan = BuildPlan(options, run_index);
  RunResult result;
  result.shape = plan.shape;
  result.rate = rate;
  result.duration = duration;
  result.publishers = plan.publishers;

  RunSettings settings;
  settings.port = options.port;
  settings.qos = static_cast<uint8_t>(options.qos);
  settings.payload = options.payload;
  settings.rate = rate;
  settings.inflight = options.inflight;
  settings.keep_alive = static_cast<uint16_t>(options.keep_alive);
  if (plan.event) {
    settings.event = plan.event;
    settings.stream_split = plan.event->performers;
  }
  RunControl control;
  WorkerPool pool(options, plan, settings, &control);
  if (!pool.WaitReady(static_cast<int>(plan.clients.size()), options.setup_timeout,
                      &result.error)) {
    return result;
  }

  const int64_t start = NowNs() + 20 * kNsPerMs;
  control.measure_ns = start + SecondsToNs(options.warmup);
  control.end_ns = control.measure_ns + SecondsToNs(duration);
  control.start_ns.store(start, std::memory_order_release);

  const pid_t broker = options.broker_pid;
  SleepUntil(control.measure_ns);
  const auto broker_cpu_0 = broker > 0 ? ReadCpuSeconds(broker) : std::nullopt;
  const auto self_cpu_0 = ReadCpuSeconds(getpid());
  const auto host_cpu_0 = ReadHostBusySeconds();
  SleepUntil(control.end_ns);
  const auto broker_cpu_1 = broker > 0 ? ReadCpuSeconds(broker) : std::nullopt;
  const auto self_cpu_1 = ReadCpuSeconds(getpid());
  const auto host_cpu_1 = ReadHostBusySeconds();
  const auto broker_rss = broker > 0 ? ReadRssKib(broker) : std::nullopt;

  // Every worker posts its expected count when it stops publishing (right
  // after end_ns); then wait for the deliveries, at most --drain.
  const auto& workers = pool.workers();
  const int64_t drain_deadline = control.end_ns + SecondsToNs(options.drain);
  uint64_t expected = 0;
  bool all_posted = false;
  while (NowNs() < drain_deadline) {
    if (!all_posted) {
      all_posted = std::all_of(workers.begin(), workers.end(), [](const auto& w) {
        return w->publishing_done.load(std::memory_order_acquire);
      });
      if (all_posted) {
        for (const auto& w : workers) expected += w->expected_total.load(std::memory_order_relaxed);
      }
    }
    if (all_posted) {
      uint64_t delivered = 0;
      for (const auto& w : workers)
        delivered += w->delivered_progress.load(std::memory_order_relaxed);
      if (delivered >= expected) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  pool.StopAndJoin();

  for (const auto& worker : workers) {
    const WorkerStats& stats = worker->stats();
    result.target += stats.target;
    result.sent += stats.measured_sent;
    result.unsent += stats.unsent;
    result.expected += stats.expected;
    result.delivered += stats.delivered;
    result.out_of_order += stats.out_of_order;
    result.foreign += stats.foreign;
    result.disconnects += stats.disconnects;
    result.unexpected += stats.unexpected;
    result.server_messages += stats.server_messages;
    result.latency.Merge(stats.latency);
    for (int s = 0; s < kStreams; ++s) result.streams[s].Merge(stats.streams[s]);
    if (result.error.empty()) result.error = stats.first_error;
  }
  result.lost = result.expected > result.delivered ? result.expected - result.delivered : 0;
  result.delivered_per_s = static_cast<double>(result.delivered) / duration;
  if (broker_cpu_0 && broker_cpu_1) {
    result.broker_cpu_pct = (*broker_cpu_1 - *broker_cpu_0) / duration * 100;
  }
  if (broker_rss) result.broker_rss_kib = *broker_rss;
  if (self_cpu_0 && self_cpu_1) result.bench_cpu_pct = (*self_cpu_1 - *self_cpu_0) / duration * 100;
  if (host_cpu_0 && host_cpu_1 && result.broker_cpu_pct >= 0) {
    const double host_pct = (*host_cpu_1 - *host_cpu_0) / duration * 100;
    result.other_cpu_pct = std::max(0.0, host_pct - result.broker_cpu_pct - result.bench_cpu_pct);
  }
  result.completed = true;
  return result;
}

RunResult RunStorm(const Options& options, int run_index) {
  const Plan plan = BuildPlan(options, run_index);
  RunResult result;
  result.shape = plan.shape;
  result.connections = static_cast<int>(plan.clients.size());

  const pid_t broker = options.broker_pid;
  // -1 where a figure is unavailable (no --broker-pid).
  const long rss_before = broker > 0 ? ReadRssKib(broker).value_or(-1) : -1;
  const double cpu_before = broker > 0 ? ReadCpuSeconds(broker).value_or(-1) : -1;
  const double self_before = ReadCpuSeconds(getpid()).value_or(-1);
  const double host_before = ReadHostBusySeconds().value_or(-1);

  RunSettings settings;
  settings.port = options.port;
  settings.keep_alive = static_cast<uint16_t>(options.keep_alive);
  RunControl control;
  const int64_t start_ns = NowNs();
  WorkerPool pool(options, plan, settings, &control);
  if (!pool.WaitReady(result.connections, options.setup_timeout, &result.error)) return result;
  const double cpu_after = broker > 0 ? ReadCpuSeconds(broker).value_or(-1) : -1;
  const double self_after = ReadCpuSeconds(getpid()).value_or(-1);
  const double host_after = ReadHostBusySeconds().value_or(-1);
  const double connect_s = static_cast<double>(NowNs() - start_ns) / 1e9;

  // Hold everybody idle, then see what the broker keeps resident for them.
  std::this_thread::sleep_for(std::chrono::nanoseconds(SecondsToNs(options.hold)));
  const long rss_after = broker > 0 ? ReadRssKib(broker).value_or(-1) : -1;
  result.bench_rss_kib = ReadRssKib(getpid()).value_or(-1);
  pool.StopAndJoin();

  int64_t first_open = 0;
  int64_t last_ready = 0;
  for (const auto& worker : pool.workers()) {
    const WorkerStats& stats = worker->stats();
    result.connect_latency.Merge(stats.connect);
    result.disconnects += stats.disconnects;
    result.pings += stats.pings;
    result.pongs += stats.pongs;
    if (first_open == 0 || (stats.first_open_ns != 0 && stats.first_open_ns < first_open)) {
      first_open = stats.first_open_ns;
    }
    last_ready = std::max(last_ready, stats.last_ready_ns);
    if (result.error.empty()) result.error = stats.first_error;
  }
  result.duration = static_cast<double>(last_ready - first_open) / 1e9;
  if (result.duration > 0) result.connect_per_s = result.connections / result.duration;
  result.broker_rss_before_kib = rss_before;
  result.broker_rss_kib = rss_after;
  if (rss_before >= 0 && rss_after >= 0) {
    result.rss_per_connection_kib =
        static_cast<double>(rss_after - rss_before) / result.connections;
  }
  if (cpu_before >= 0 && cpu_after >= 0) {
    result.broker_cpu_s_per_1k = (cpu_after - cpu_before) / result.connections * 1000;
    if (self_before >= 0 && self_after >= 0 && host_before >= 0 && host_after >= 0 &&
        connect_s > 0) {
      const double others =
          (host_after - host_before) - (cpu_after - cpu_before) - (self_after - self_before);
      result.other_cpu_pct = std::max(0.0, others / connect_s * 100);
    }
  }
  result.completed = true;
  return result;
}

}  // namespace plaza::bench
