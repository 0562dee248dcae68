// One worker thread: an epoll loop that owns a set of sockets and drives the
// Shard holding their protocol state. Workers talk to each other only
// through their inboxes: messages to route, shared-subscription work,
// connections handed over after CONNECT, new limits, and the request to stop.
//
// Per loop turn a worker reads what arrived, lets its shard act on it,
// posts the messages its clients published to the other workers in one
// batch each, and then writes each socket that has output with a single
// writev() (gather write), so a burst costs one system call per socket.
#ifndef PLAZA_BROKER_NET_WORKER_H_
#define PLAZA_BROKER_NET_WORKER_H_

#include <sys/epoll.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/limits.h"
#include "core/shard.h"
#include "net/idle_spin.h"
#include "net/worker_stats.h"

namespace plaza::broker {

// Counters shared by all workers.
struct ServerCounters {
  std::atomic<size_t> connections{0};
  std::atomic<uint64_t> refused_max_connections{0};
};

class Worker final : public ShardHost {
 public:
  // `summary` (may be null) is shared by every worker and outlives them.
  // `idle_spin_ns` caps how long the loop polls before sleeping (see
  // idle_spin.h); 0 never polls.
  Worker(size_t index, size_t count, const Limits& limits, size_t max_connections,
         int64_t idle_spin_ns, ServerCounters* counters, Hooks* hooks,
         SubscriptionSummary* summary = nullptr);
  ~Worker() override;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // The other workers, indexed like shards (this one included). Set before
  // Start().
  void SetPeers(std::vector<Worker*> peers) { peers_ = std::move(peers); }
  // A listening socket this worker accepts from; the Server owns it.
  void AddListener(int fd);

  void Start();
  // Asks the loop to close every connection and end; Join() waits for it.
  void Stop();
  void Join();

  // Thread-safe: post work to this worker.
  void PostMessages(const std::vector<MessagePtr>& messages);
  // Shared-subscription work for this worker's shard, run as one task (in
  // order with the messages and tasks posted around it).
  void PostShared(std::vector<SharedWork> work);
  void PostHandoff(int fd, std::string peer, std::string input);
  void PostLimits(const Limits& limits);
  void PostTask(std::function<void(Shard&)> task);

  // Counters for the metrics endpoint; updated every loop tick.
  const WorkerStats& stats() const { return stats_; }
  size_t index() const { return index_; }

  // The index of the worker running the calling thread, or -1.
  static int CurrentIndex();

  // ShardHost, called on this worker's thread only.
  void WantWrite(ConnId id) override;
  void Close(ConnId id) override;
  void Handoff(ConnId id, size_t target, std::string peer, std::string input) override;
  void Broadcast(const MessagePtr& message) override;
  void PostShared(size_t target, SharedWork work) override;
  SubscriptionSummary* Summary() override { return summary_; }
  int64_t NowMs() override { return now_ms_; }

 private:
  struct Socket {
    int fd;
    bool dirty = false;           // has output to write this turn
    bool watching_write = false;  // EPOLLOUT registered
    bool closing = false;
  };
  struct HandoffItem {
    int fd;
    std::string peer;
    std::string input;
  };
  // What other threads post; guarded by mutex_.
  struct Inbox {
    std::vector<MessagePtr> messages;
    std::vector<HandoffItem> handoffs;
    std::optional<Limits> limits;
    std::vector<std::function<void(Shard&)>> tasks;
    // How many messages were posted before each task: a task runs after
    // the messages posted before it and before those posted after it (a
    // plugin's unsubscribe must stop the next message, not the one after).
    std::vector<size_t> task_positions;
    bool stop = false;
    bool signaled = false;  // the eventfd holds a wake-up not yet read
  };

  void Run();
  void Accept(int listen_fd);
  ConnId Register(int fd, std::string peer);
  void ReadFrom(ConnId id);
  void DrainInbox();
  void Wake();
  void Flush(ConnId id);
  void FinishTurn();
  void CloseSocket(ConnId id);
  void UpdateInterest(Socket& socket, ConnId id, bool want_write);
  void PublishStats();
  // Waits for events: polls while the idle window is open, then sleeps
  // until the next tick at the latest.
  int WaitForEvents(epoll_event* events, int capacity, int64_t next_tick_ms);
  static int64_t MonotonicNs();

  const size_t index_;
  const size_t max_connections_;
  ServerCounters* const counters_;
  SubscriptionSummary* const summary_;
  Shard shard_;
  std::vector<Worker*> peers_;
  std::vector<int> listeners_;
  int epoll_fd_ = -1;
  int event_fd_ = -1;
  int spare_fd_ = -1;  // released to accept-and-close when out of descriptors
  std::thread thread_;
  int64_t now_ms_ = 0;
  IdleSpin idle_spin_;
  uint64_t sleeps_ = 0;  // blocking waits, for the metrics
  uint64_t next_conn_ = 0;
  bool stopping_ = false;

  std::unordered_map<ConnId, Socket> sockets_;
  std::vector<ConnId> dirty_;
  std::vector<ConnId> closing_;
  std::vector<MessagePtr> outgoing_;  // published here, for the other workers
  // Shared-subscription work for each worker, posted before `outgoing_`.
  std::vector<std::vector<SharedWork>> shared_out_;
  bool has_shared_out_ = false;
  std::string read_buffer_;

  WorkerStats stats_;

  std::mutex mutex_;
  Inbox inbox_;
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_NET_WORKER_H_
