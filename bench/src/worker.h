// One load-generator thread: an epoll loop owning a share of the run's
// connections. It connects and subscribes them (a bounded number at a time),
// publishes on schedule once the coordinator gives the start time, checks and
// times every delivery, and reports its counts when told to stop. Nothing on
// the message path is shared with other threads; the few cross-thread values
// are atomics the coordinator polls.
#ifndef PLAZA_BENCH_WORKER_H_
#define PLAZA_BENCH_WORKER_H_

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connection.h"
#include "event_room.h"
#include "histogram.h"
#include "scenario.h"

namespace plaza::bench {

// Fixed for one run; written by the coordinator before workers start.
struct RunSettings {
  uint16_t port = 0;
  uint8_t qos = 0;
  int payload = 128;
  double rate = 0;  // messages/s per publisher
  int inflight = 64;
  uint16_t keep_alive = 0;
  int connect_window = 128;  // per worker
  // Messages of publishers with ids from this one on are stream 1 (the
  // event's audience), the others stream 0; counted apart as well as in all.
  uint32_t stream_split = std::numeric_limits<uint32_t>::max();
  // event: deliveries the layout says should not happen are `unexpected`.
  std::optional<EventLayout> event;
};

inline constexpr int kStreams = 2;

// What the coordinator and the workers share during one run.
struct RunControl {
  std::atomic<int> ready{0};   // clients connected (and subscribed, if they subscribe)
  std::atomic<int> failed{0};  // clients that could not connect or subscribe
  // Room members whose join is complete; the member with join_order ==
  // joined is the one allowed to join next, so the broker sees the joins
  // in a known order.
  std::atomic<uint32_t> joined{0};
  // Written before start_ns is released; publishing runs [start_ns, end_ns)
  // and only messages sent in [measure_ns, end_ns) are measured.
  int64_t measure_ns = 0;
  int64_t end_ns = 0;
  std::atomic<int64_t> start_ns{0};
  std::atomic<bool> stop{false};
};

// The counts of one stream (WorkerStats, RunResult), the same meaning as
// the totals.
struct StreamStats {
  uint64_t measured_sent = 0;
  uint64_t expected = 0;
  uint64_t delivered = 0;
  uint64_t target = 0;
  uint64_t unsent = 0;
  Histogram latency;

  void Merge(const StreamStats& other) {
    measured_sent += other.measured_sent;
    expected += other.expected;
    delivered += other.delivered;
    target += other.target;
    unsent += other.unsent;
    latency.Merge(other.latency);
  }
  uint64_t lost() const { return expected > delivered ? expected - delivered : 0; }
  double loss_fraction() const {
    return expected == 0 ? 0 : static_cast<double>(lost()) / static_cast<double>(expected);
  }
};

struct WorkerStats {
  uint64_t sent = 0;             // PUBLISHes sent, warm-up included
  uint64_t measured_sent = 0;    // ... inside the measurement window
  uint64_t expected = 0;         // measured deliveries that should arrive
  uint64_t delivered = 0;        // measured deliveries received
  uint64_t delivered_all = 0;    // deliveries received, warm-up included
  uint64_t out_of_order = 0;     // a sequence number at or below one already seen
  uint64_t foreign = 0;          // deliveries not from a publisher this client watches
  uint64_t target = 0;           // measured slots the schedule had
  uint64_t unsent = 0;           // scheduled messages never sent (window full, socket full)
  uint64_t disconnects = 0;      // connections lost after setup
  uint64_t pings = 0;            // PINGREQs sent (with --keep-alive)
  uint64_t pongs = 0;            // PINGRESPs received
  uint64_t unexpected = 0;       // event: deliveries the delivery policy should have dropped
  uint64_t server_messages = 0;  // event: messages on the room's server topics
  Histogram latency;             // measured deliveries, ns
  StreamStats streams[kStreams];
  Histogram connect;  // socket() to CONNACK (or SUBACK), ns
  int64_t first_open_ns = 0;
  int64_t last_ready_ns = 0;
  std::string first_error;
};

class Worker {
 public:
  Worker(const RunSettings& settings, RunControl* control, std::vector<const ClientPlan*> clients);
  ~Worker();

  // The thread body: returns once `control->stop` is set and all its
  // connections are closed.
  void Run();

  int client_count() const { return static_cast<int>(connections_.size()); }
  const WorkerStats& stats() const { return stats_; }

  // Polled by the coordinator while the run drains.
  std::atomic<uint64_t> delivered_progress{0};
  std::atomic<bool> publishing_done{false};
  std::atomic<uint64_t> expected_total{0};

 private:
  struct Publisher {
    Connection* connection;
    uint32_t index;    // of the connection
    double rate;       // messages/s
    int64_t phase_ns;  // offset of this publisher's schedule, spreads publishers apart
    uint64_t slots_done = 0;
    uint32_t seq = 0;
    int inflight = 0;
    uint16_t next_packet_id = 1;
  };
  struct Subscriber {
    std::vector<uint32_t> next_seq;  // per watched publisher: highest seen + 1
  };

  void OpenMore();
  void OnEvent(uint32_t index, uint32_t events);
  bool OnPacket(uint32_t index, const mqtt::Packet& packet, int64_t now, std::string* error);
  void OnDelivery(uint32_t index, const mqtt::Publish& publish, int64_t now);
  void BecomeReady(Connection& connection, int64_t now);
  // Sends the joins whose turn has come (at most one: the next in order).
  void StartDueJoins();
  // Fails a join that has waited too long for its PUBACK or Reply.
  void CheckJoinTimeout(int64_t now);
  // A join's PUBACK or Reply came: when it has all it waits for, the member
  // subscribes to the room's traffic and the next member may join.
  void MaybeFinishJoin(uint32_t index);
  void OnServerMessage(uint32_t index, const mqtt::Publish& publish);
  int StreamOf(uint32_t publisher_id) const {
    return publisher_id >= settings_.stream_split ? 1 : 0;
  }
  void Fail(uint32_t index, const std::string& why);
  void PublishDue(int64_t now);
  // How many of the publisher's slots are due at `time` (counting from 1).
  uint64_t DueBy(const Publisher& publisher, int64_t time) const;
  // When slot `slot` (counting from 0) of the publisher is due.
  int64_t SlotTime(const Publisher& publisher, uint64_t slot) const;
  void FlushDirty();
  void MarkDirty(uint32_t index);
  void UpdateInterest(uint32_t index);
  void CloseAll();
  // With a keep-alive: a PINGREQ from every ready client each half period.
  void PingDue(int64_t now);

  RunSettings settings_;
  int64_t next_ping_ns_ = 0;
  RunControl* control_;
  int epoll_fd_ = -1;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<int> publisher_of_;  // connection index -> index in publishers_, or -1
  std::vector<Publisher> publishers_;
  std::vector<Subscriber> subscribers_;  // by connection index (empty for non-subscribers)
  std::vector<uint32_t> join_queue_;     // room members of this worker, in join order
  size_t next_join_ = 0;                 // the first in join_queue_ not sent yet
  std::vector<uint32_t> dirty_;
  std::vector<char> dirty_flag_;
  std::vector<char> read_buffer_;
  std::string payload_;
  size_t next_to_open_ = 0;
  int opening_ = 0;  // connections between socket() and ready
  int64_t start_ns_ = 0;
  bool publishing_finished_ = false;
  WorkerStats stats_;
};

}  // namespace plaza::bench

#endif  // PLAZA_BENCH_WORKER_H_
