// Who receives what in a room (docs/protocol.md, "Event and world
// delivery"): in a world everything reaches everyone; in an event what the
// stage sends reaches everyone, and what an audience member sends reaches
// the stage and the sender's own neighbourhood only, so audience traffic
// grows with N*K, not N*N. The server's member broadcasts in an event
// follow the same rule: a presence event about an audience member reaches
// the stage and its neighbourhood, and each subscriber gets its own copy of
// the member snapshot. Requests (join, leave) reach no one: they are for
// the server. RouteDelivery states the rules plainly (no lock, no
// allocation, a few hash lookups; a snapshot delivery takes a lock); the
// delivery hook runs them through DeliveryRouter (delivery_router.h), which
// decides the same with the per-message work done once per message.
#ifndef PLAZA_PLUGINS_ROOMS_DELIVERY_POLICY_H_
#define PLAZA_PLUGINS_ROOMS_DELIVERY_POLICY_H_

#include <memory>
#include <optional>
#include <string_view>

#include "delivery_stats.h"
#include "delivery_table.h"
#include "plaza/plugin.hpp"

namespace plaza::rooms {

enum class Delivery { kPass, kDrop, kRewrite };

// The decision for one delivery.
struct Routed {
  Delivery delivery = Delivery::kPass;
  // With kRewrite: the payload to deliver instead, kept alive by `views`.
  std::string_view payload;
  std::shared_ptr<const MemberViews> views;
};

// The user property that tells the delivery hook which neighbourhood a
// presence event is about.
inline constexpr std::string_view kNeighbourhoodProperty = "neighbourhood";

// What follows rooms/R/ in the server's presence events and member
// snapshots.
inline constexpr std::string_view kPresenceRest = "server/presence";
inline constexpr std::string_view kSnapshotRest = "server/members";

// The event rule for member traffic from `publisher` to `subscriber`
// (client ids) in `room`, an event.
Delivery DecideEvent(const RoomSeats& room, std::string_view publisher,
                     std::string_view subscriber);

// The server's presence event `message` in an event, to a subscriber with
// seat `to` (nullptr: not a member): one about an audience member (its
// neighbourhood property) reaches the stage and that neighbourhood only.
Delivery RoutePresence(const plaza::MessageView& message, const Seat* to);
// The server's member snapshot of event `room`, to a subscriber with seat
// `to`: the copy made for the stage or for the subscriber's neighbourhood.
Routed RouteSnapshot(const RoomSeats& room, const Seat* to);

// One delivery of `message`, published by client `publisher` (nullopt for
// the server's own messages) to client `subscriber`; counted in `stats`.
Routed RouteDelivery(const DeliveryWorld& world, DeliveryStats& stats,
                     const plaza::MessageView& message, std::optional<std::string_view> publisher,
                     std::string_view subscriber);

// Counts a client's PUBLISH under rooms/R/ as the room's traffic in when
// the client is seated there.
void CountPublish(const DeliveryWorld& world, DeliveryStats& stats, std::string_view topic,
                  std::string_view publisher, size_t payload_size);

}  // namespace plaza::rooms

#endif  // PLAZA_PLUGINS_ROOMS_DELIVERY_POLICY_H_
