// What each shard subscribes to, summed up coarsely enough that any thread
// can read it without a lock: per shard, how many subscriptions have a
// filter starting with a wildcard, and a table of counters indexed by a
// hash of each filter's first one or two literal levels. Reading it
// answers "can a subscription on that shard match this topic?" with "no"
// (certain) or "maybe", so the broker can tell an MQTT 5 publisher "No
// matching subscribers" (0x10) only when it knows.
//
// The owning shard's thread updates its row as subscriptions come and go;
// other threads read it with relaxed atomics: a subscription made
// concurrently with a publish may be missed, which is the ordinary race
// between the two.
#ifndef PLAZA_BROKER_CORE_SUBSCRIPTION_SUMMARY_H_
#define PLAZA_BROKER_CORE_SUBSCRIPTION_SUMMARY_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace plaza::broker {

class SubscriptionSummary {
 public:
  explicit SubscriptionSummary(size_t shards);

  // A subscription to a valid `filter` appeared on (or left) `shard`; called
  // on that shard's thread, Remove exactly once per Add.
  void Add(size_t shard, std::string_view filter) { Count(shard, filter, 1); }
  void Remove(size_t shard, std::string_view filter) { Count(shard, filter, -1); }

  // False when no subscription on `shard` can match the topic `name`. Any
  // thread.
  bool MayMatch(size_t shard, std::string_view name) const;

 private:
  static constexpr size_t kBuckets = 4096;
  struct Row {
    std::atomic<uint32_t> wildcard{0};  // filters whose first level is + or #
    std::array<std::atomic<uint32_t>, kBuckets> buckets{};
  };

  void Count(size_t shard, std::string_view filter, int delta);
  static size_t Bucket(std::string_view prefix);

  std::vector<std::unique_ptr<Row>> rows_;
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_CORE_SUBSCRIPTION_SUMMARY_H_
