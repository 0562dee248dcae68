// The delivery rules of event and world rooms; see delivery_policy.h.
#include "delivery_policy.h"

#include "room_topics.h"

namespace plaza::rooms {

Delivery DecideEvent(const RoomSeats& room, std::string_view publisher,
                     std::string_view subscriber) {
  const Seat* from = room.Find(publisher);
  // The stage reaches everyone.
  if (from && from->stage) return Delivery::kPass;
  const Seat* to = room.Find(subscriber);
  // The stage hears everyone (a non-member's traffic too, so moderators see it).
  if (to && to->stage) return Delivery::kPass;
  // Audience to audience: only within a neighbourhood. A non-member,
  // publishing or subscribing, is in none.
  if (from && to && from->group != kNoGroup && from->group == to->group) return Delivery::kPass;
  return Delivery::kDrop;
}

namespace {

// The neighbourhood a presence event is about (its user property), if any.
std::optional<uint32_t> NeighbourhoodOf(const plaza::MessageView& message) {
  for (size_t i = 0; i < message.user_property_count(); ++i) {
    const plaza::UserPropertyView property = message.user_property(i);
    if (property.key != kNeighbourhoodProperty) continue;
    uint32_t group = 0;
    for (const char c : property.value) {
      if (c < '0' || c > '9') return std::nullopt;
      group = group * 10 + static_cast<uint32_t>(c - '0');
    }
    return group;
  }
  return std::nullopt;
}

}  // namespace

Delivery RoutePresence(const plaza::MessageView& message, const Seat* to) {
  const std::optional<uint32_t> about = NeighbourhoodOf(message);
  if (!about) return Delivery::kPass;  // a stage member: everyone hears of it
  return to && (to->stage || to->group == *about) ? Delivery::kPass : Delivery::kDrop;
}

Routed RouteSnapshot(const RoomSeats& room, const Seat* to) {
  Routed routed;
  if (!to) return routed;  // the published copy: the stage only
  std::shared_ptr<const MemberViews> views = room.views().Get();
  if (!views) return routed;
  if (to->stage) {
    routed.payload = views->stage;
  } else if (to->group < views->by_group.size()) {
    routed.payload = views->by_group[to->group];
  } else {
    return routed;
  }
  routed.delivery = Delivery::kRewrite;
  routed.views = std::move(views);
  return routed;
}

namespace {

// The server's member broadcasts in an event: presence about an audience
// member to the stage and its neighbourhood; each subscriber's own copy of
// the snapshot.
Routed RouteEventBroadcast(const RoomSeats& room, std::string_view rest,
                           const plaza::MessageView& message, std::string_view subscriber) {
  Routed routed;
  if (rest == kPresenceRest) {
    routed.delivery = RoutePresence(message, room.Find(subscriber));
    return routed;
  }
  if (rest == kSnapshotRest) return RouteSnapshot(room, room.Find(subscriber));
  return routed;
}

}  // namespace

Routed RouteDelivery(const DeliveryWorld& world, DeliveryStats& stats,
                     const plaza::MessageView& message, std::optional<std::string_view> publisher,
                     std::string_view subscriber) {
  Routed routed;
  const std::string_view topic = message.topic();
  if (topic.substr(0, kRoomsPrefix.size()) != kRoomsPrefix) return routed;
  const std::optional<RoomTopic> parsed = ParseRoomTopic(topic);
  if (!parsed) return routed;
  const RoomSeats* room = world.Find(parsed->room);
  if (!room) return routed;  // not a room this plugin runs
  const bool from_client = publisher && !publisher->empty();
  if (from_client &&
      (parsed->topic_class == TopicClass::kJoin || parsed->topic_class == TopicClass::kLeave)) {
    routed.delivery = Delivery::kDrop;
    return routed;
  }
  if (room->kind() == RoomKind::kEvent) {
    if (from_client && IsMemberTraffic(parsed->topic_class) &&
        DecideEvent(*room, *publisher, subscriber) == Delivery::kDrop) {
      routed.delivery = Delivery::kDrop;
    } else if (!from_client && parsed->topic_class == TopicClass::kServer) {
      routed = RouteEventBroadcast(*room, parsed->rest, message, subscriber);
    }
    if (routed.delivery == Delivery::kDrop) {
      stats.AddDropped(room->stats_index());
      return routed;
    }
  }
  stats.AddDelivered(room->stats_index());
  return routed;
}

void CountPublish(const DeliveryWorld& world, DeliveryStats& stats, std::string_view topic,
                  std::string_view publisher, size_t payload_size) {
  const std::optional<RoomTopic> parsed = ParseRoomTopic(topic);
  if (!parsed) return;
  const RoomSeats* room = world.Find(parsed->room);
  if (room && room->Find(publisher)) stats.AddIn(room->stats_index(), payload_size);
}

}  // namespace plaza::rooms
