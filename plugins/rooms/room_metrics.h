// Per-room metrics on the broker's /metrics page, labeled by room:
//   plaza_plugin_<name>_members{room}                 gauge
//   plaza_plugin_<name>_messages_in_total{room}       members' publishes
//   plaza_plugin_<name>_bytes_in_total{room}          their payload bytes
//   plaza_plugin_<name>_deliveries_total{room}        deliveries let through
//   plaza_plugin_<name>_deliveries_dropped_total{room} dropped by the event policy
// Rooms past max_metric_rooms share room="_other". A broker without labeled
// metrics gets the same names without labels (sums over rooms); one
// without metrics gets none.
#ifndef PLAZA_PLUGINS_ROOMS_ROOM_METRICS_H_
#define PLAZA_PLUGINS_ROOMS_ROOM_METRICS_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "delivery_stats.h"
#include "plaza/plugin.hpp"

namespace plaza::rooms {

class RoomMetrics {
 public:
  // Counts up to `max_rooms` rooms by name; DeliveryStats needs
  // stats_size() slots.
  RoomMetrics(plaza::Host& host, uint32_t max_rooms);

  uint32_t stats_size() const { return max_rooms_ + 1; }
  // The stats index of a new room (creating its series).
  uint32_t Register(const std::string& room_id);
  // Hands the counts to the broker: `members` by stats index.
  void Flush(const std::vector<RoomCounts>& totals, const std::vector<uint64_t>& members);

 private:
  struct Series {
    std::optional<uint64_t> members, messages_in, bytes_in, delivered, dropped;
  };
  Series Make(const std::string* room);

  plaza::Host& host_;
  const uint32_t max_rooms_;
  std::mutex mutex_;
  bool labeled_ = true;                 // guarded by mutex_; false once the broker refused labels
  uint32_t registered_ = 0;             // guarded by mutex_
  std::vector<Series> series_;          // guarded by mutex_; by stats index
  std::optional<Series> totals_;        // guarded by mutex_; unlabeled fallback
  std::vector<RoomCounts> flushed_;     // guarded by mutex_; what the broker has
  uint64_t flushed_members_total_ = 0;  // guarded by mutex_
};

}  // namespace plaza::rooms

#endif  // PLAZA_PLUGINS_ROOMS_ROOM_METRICS_H_
