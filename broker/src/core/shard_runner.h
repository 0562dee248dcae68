// How code outside the worker threads gets work done on a shard: the plugin
// host's services (publish as the server, kick a client, ...) run as tasks
// on the worker that owns the shard, between two loop turns. Implemented by
// the network Server; tests may run tasks directly.
#ifndef PLAZA_BROKER_CORE_SHARD_RUNNER_H_
#define PLAZA_BROKER_CORE_SHARD_RUNNER_H_

#include <cstddef>
#include <cstdint>
#include <functional>

namespace plaza::broker {

class Shard;

class ShardRunner {
 public:
  virtual ~ShardRunner() = default;
  // Runs `task` on shard `index`'s thread. Thread-safe; never runs the task
  // inside the caller, even when called from that very thread.
  virtual void RunOn(size_t index, std::function<void(Shard&)> task) = 0;
  // The shard of the calling worker thread, or 0 from any other thread.
  virtual size_t CurrentShard() const = 0;
};

// The shard a connection id belongs to: workers number their connections
// with their index in the top 16 bits.
inline size_t ShardOfConnection(uint64_t id) { return static_cast<size_t>(id >> 48); }

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_CORE_SHARD_RUNNER_H_
