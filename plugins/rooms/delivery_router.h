// The delivery hook's hot path: the same decisions as RouteDelivery
// (delivery_policy.h), made cheap. The hook runs once per candidate
// subscriber of a message, and a pose in an event room has ~500
// candidates, so the work that depends on the message alone (parsing the
// topic, finding the room and the publisher's seat, the room's counters) is
// done once per message and remembered per thread, and each subscriber's
// seat is remembered by connection handle, so a candidate costs a few
// compares instead of hashing client ids. Both memos are tagged with the
// delivery table's generation, which every seat or room change moves, and
// compare their keys by value (topic, publisher id, subscriber id), so a
// stale or reused entry is never taken for a fresh one.
#ifndef PLAZA_PLUGINS_ROOMS_DELIVERY_ROUTER_H_
#define PLAZA_PLUGINS_ROOMS_DELIVERY_ROUTER_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "delivery_policy.h"
#include "delivery_stats.h"
#include "delivery_table.h"
#include "plaza/plugin.hpp"

namespace plaza::rooms {

class DeliveryRouter {
 public:
  // Reads `table` and counts into `stats`; both outlive the router.
  DeliveryRouter(const DeliveryTable& table, DeliveryStats& stats);
  DeliveryRouter(const DeliveryRouter&) = delete;
  DeliveryRouter& operator=(const DeliveryRouter&) = delete;

  // RouteDelivery(table.Current(), stats, ...) for the subscriber with
  // connection `subscriber_handle` and client id `subscriber`. Any thread.
  Routed Route(const plaza::MessageView& message, std::optional<std::string_view> publisher,
               uint64_t subscriber_handle, std::string_view subscriber);

 private:
  const DeliveryTable& table_;
  DeliveryStats& stats_;
  const uint64_t instance_;  // tells this router's per-thread memos from another's
};

}  // namespace plaza::rooms

#endif  // PLAZA_PLUGINS_ROOMS_DELIVERY_ROUTER_H_
