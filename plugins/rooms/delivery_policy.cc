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

Delivery RouteDelivery(const DeliveryWorld& world, DeliveryStats& stats, std::string_view topic,
                       std::optional<std::string_view> publisher, std::string_view subscriber) {
  if (topic.substr(0, kRoomsPrefix.size()) != kRoomsPrefix) return Delivery::kPass;
  const std::optional<RoomTopic> parsed = ParseRoomTopic(topic);
  if (!parsed) return Delivery::kPass;
  const RoomSeats* room = world.Find(parsed->room);
  if (!room) return Delivery::kPass;  // not a room this plugin runs
  const bool from_client = publisher && !publisher->empty();
  if (from_client &&
      (parsed->topic_class == TopicClass::kJoin || parsed->topic_class == TopicClass::kLeave)) {
    return Delivery::kDrop;
  }
  if (from_client && room->kind() == RoomKind::kEvent && IsMemberTraffic(parsed->topic_class) &&
      DecideEvent(*room, *publisher, subscriber) == Delivery::kDrop) {
    stats.AddDropped(room->stats_index());
    return Delivery::kDrop;
  }
  stats.AddDelivered(room->stats_index());
  return Delivery::kPass;
}

void CountPublish(const DeliveryWorld& world, DeliveryStats& stats, std::string_view topic,
                  std::string_view publisher, size_t payload_size) {
  const std::optional<RoomTopic> parsed = ParseRoomTopic(topic);
  if (!parsed) return;
  const RoomSeats* room = world.Find(parsed->room);
  if (room && room->Find(publisher)) stats.AddIn(room->stats_index(), payload_size);
}

}  // namespace plaza::rooms
