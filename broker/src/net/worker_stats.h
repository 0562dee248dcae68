// A worker's counters as other threads may read them: the shard keeps plain
// counters on its own thread (no atomic on the per-message path), and the
// worker copies them here a few times a second for the metrics endpoint.
#ifndef PLAZA_BROKER_NET_WORKER_STATS_H_
#define PLAZA_BROKER_NET_WORKER_STATS_H_

#include <atomic>
#include <cstdint>

namespace plaza::broker {

struct WorkerStats {
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> sessions{0};
  std::atomic<uint64_t> subscriptions{0};
  std::atomic<uint64_t> retained{0};
  std::atomic<uint64_t> connections_opened{0};
  std::atomic<uint64_t> messages_received{0};
  std::atomic<uint64_t> messages_sent{0};
  std::atomic<uint64_t> qos0_dropped{0};
  std::atomic<uint64_t> queued_dropped{0};
  std::atomic<uint64_t> overflow_disconnects{0};
  std::atomic<uint64_t> protocol_errors{0};
  std::atomic<uint64_t> conflated{0};
  std::atomic<uint64_t> expired_dropped{0};
  std::atomic<uint64_t> oversize_dropped{0};
  std::atomic<uint64_t> sleeps{0};  // the loop blocked waiting for events
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_NET_WORKER_STATS_H_
