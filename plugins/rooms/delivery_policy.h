// Who receives what in a room (docs/protocol.md, "Event and world
// delivery"): in a world everything reaches everyone; in an event what the
// stage sends reaches everyone, and what an audience member sends reaches
// the stage and the sender's own neighbourhood only, so audience traffic
// grows with N*K, not N*N. Requests (join, leave) reach no one: they are
// for the server. This is the body of the delivery hook: no lock, no
// allocation, a few hash lookups.
#ifndef PLAZA_PLUGINS_ROOMS_DELIVERY_POLICY_H_
#define PLAZA_PLUGINS_ROOMS_DELIVERY_POLICY_H_

#include <optional>
#include <string_view>

#include "delivery_stats.h"
#include "delivery_table.h"

namespace plaza::rooms {

enum class Delivery { kPass, kDrop };

// The event rule for member traffic from `publisher` to `subscriber`
// (client ids) in `room`, an event.
Delivery DecideEvent(const RoomSeats& room, std::string_view publisher,
                     std::string_view subscriber);

// One delivery of `topic`, published by client `publisher` (nullopt for the
// server's own messages) to client `subscriber`; counted in `stats`.
Delivery RouteDelivery(const DeliveryWorld& world, DeliveryStats& stats, std::string_view topic,
                       std::optional<std::string_view> publisher, std::string_view subscriber);

// Counts a client's PUBLISH under rooms/R/ as the room's traffic in when
// the client is seated there.
void CountPublish(const DeliveryWorld& world, DeliveryStats& stats, std::string_view topic,
                  std::string_view publisher, size_t payload_size);

}  // namespace plaza::rooms

#endif  // PLAZA_PLUGINS_ROOMS_DELIVERY_POLICY_H_
