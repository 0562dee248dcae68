// The running broker: its listeners and worker threads. Every worker watches
// every listening socket (EPOLLEXCLUSIVE wakes one of them per connection),
// so there is no acceptor thread; where a connection is accepted matters
// little, as it moves to its client id's worker after CONNECT.
#ifndef PLAZA_BROKER_NET_SERVER_H_
#define PLAZA_BROKER_NET_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/limits.h"
#include "core/shard_runner.h"
#include "net/worker.h"

namespace plaza::broker {

struct ListenerConfig {
  std::string bind = "127.0.0.1";
  uint16_t port = 1883;  // 0 picks a free port, logged at start
};

struct ServerOptions {
  std::vector<ListenerConfig> listeners;
  size_t threads = 0;          // 0: one per core
  size_t max_connections = 0;  // 0: no limit but the descriptor limit
  // The longest a worker polls for more events after a busy turn before it
  // sleeps (adaptive, see net/idle_spin.h); 0 never polls.
  uint32_t idle_spin_us = 50;
  Limits limits;
  Hooks* hooks = nullptr;  // the plugins; outlives the server
};

class Server final : public ShardRunner {
 public:
  explicit Server(ServerOptions options);
  ~Server() override;

  // Binds every listener and starts the workers; false with `error` set if a
  // listener cannot be opened.
  bool Start(std::string* error);
  // New limits for every worker, applied between two loop turns.
  void Reload(const Limits& limits);
  // Closes every connection and joins the workers.
  void Stop();

  // The ports actually bound, one per listener, in configuration order.
  const std::vector<uint16_t>& ports() const { return ports_; }
  size_t threads() const { return workers_.size(); }
  // Each worker's counters (for metrics), and the server-wide ones.
  const WorkerStats& worker_stats(size_t index) const { return workers_[index]->stats(); }
  const ServerCounters& counters() const { return counters_; }

  // ShardRunner: tasks queued before Start() run once the workers do;
  // after Stop() they are dropped with the workers.
  void RunOn(size_t index, std::function<void(Shard&)> task) override;
  size_t CurrentShard() const override;

 private:
  void CloseListeners();

  ServerOptions options_;
  std::vector<int> listen_fds_;
  ServerCounters counters_;
  std::unique_ptr<SubscriptionSummary> summary_;  // read by every worker
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<uint16_t> ports_;
  bool running_ = false;
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_NET_SERVER_H_
