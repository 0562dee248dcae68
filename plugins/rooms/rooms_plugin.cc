// rooms: the Plaza plugin that runs rooms (issue #5, docs/protocol.md).
// Clients join and leave a room by publishing to rooms/R/join and
// rooms/R/leave; the plugin keeps the members (capacity, roles, a grace
// period for dropped connections), broadcasts them (a retained snapshot and
// presence events), publishes each room's settings, decides who receives
// member traffic (the event and world delivery policies), asks the broker
// to conflate avatar state, and counts per-room metrics. Configuration:
// config/rooms.yaml. With `source: adapter` the rooms, the members' roles
// and live changes come from plaza-adapter (adapter_room_source.h), in a
// build with the adapter only.
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "delivery_policy.h"
#include "delivery_router.h"
#include "plaza/plugin.hpp"
#include "room_topics.h"
#include "rooms_config.h"
#include "rooms_service.h"

#ifdef PLAZA_ROOMS_WITH_ADAPTER
#include "adapter_room_source.h"
#endif

namespace plaza::rooms {
namespace {

class RoomsPlugin final : public plaza::Plugin {
 public:
  explicit RoomsPlugin(const plaza::InitArgs& args)
      : plaza::Plugin(args), config_(ParseRoomsConfig(args.config_yaml)) {
    for (const std::string& filter : config_.conflate_filters) {
      const plaza::Status status = host().Conflate(filter);
      if (status != plaza::Status::kOk) {
        host().Warning("cannot conflate " + filter + ": " + plaza::StatusName(status) +
                       " (slow subscribers get every message of it)");
      }
    }
    service_ = std::make_unique<RoomsService>(host(), config_, MakeSource(config_));
    router_ = std::make_unique<DeliveryRouter>(service_->table(), service_->stats());
    if (config_.source == SourceKind::kAdapter) {
      host().Info("serving the rooms of plaza-adapter at " + config_.adapter);
    } else {
      host().Info("serving " + std::to_string(config_.rooms.size()) +
                  " configured rooms (unknown rooms: " +
                  (config_.create_unknown_rooms ? "created as worlds" : "refused") + ")");
    }
  }

  plaza::Verdict OnPublish(plaza::PublishEvent& event) override {
    const plaza::MessageView message = event.message();
    const std::optional<RoomTopic> topic = ParseRoomTopic(message.topic());
    if (!topic) return plaza::Verdict::kPass;
    switch (topic->topic_class) {
      case TopicClass::kJoin:
        return service_->Join(event, topic->room);
      case TopicClass::kLeave:
        return service_->Leave(event, topic->room);
      default:
        CountPublish(service_->table().Current(), service_->stats(), message.topic(),
                     event.client().client_id(), message.payload().size());
        return plaza::Verdict::kPass;
    }
  }

  plaza::Verdict OnDeliver(plaza::DeliverEvent& event) override {
    const plaza::MessageView message = event.message();
    const std::string_view topic = message.topic();
    // The fast path: most traffic of a broker may be elsewhere.
    if (topic.substr(0, kRoomsPrefix.size()) != kRoomsPrefix) return plaza::Verdict::kPass;
    const plaza::ClientView subscriber = event.subscriber();
    const Routed routed = router_->Route(message, event.publisher_client_id(), subscriber.handle(),
                                         subscriber.client_id());
    switch (routed.delivery) {
      case Delivery::kPass:
        return plaza::Verdict::kPass;
      case Delivery::kDrop:
        return plaza::Verdict::kDrop;
      case Delivery::kRewrite: {
        // A snapshot tailored to this subscriber (rare: one per change).
        plaza::Message copy = plaza::Message::CopyOf(message);
        copy.payload = std::string(routed.payload);
        event.set_rewrite(std::move(copy));
        return plaza::Verdict::kPass;
      }
    }
    return plaza::Verdict::kPass;
  }

  void OnDisconnect(const plaza::DisconnectEvent& event) override {
    service_->ConnectionClosed(event.client().handle(), event.cause());
  }

 private:
  static std::unique_ptr<RoomSource> MakeSource(const RoomsConfig& config) {
    if (config.source == SourceKind::kConfig) return std::make_unique<ConfigRoomSource>(config);
#ifdef PLAZA_ROOMS_WITH_ADAPTER
    return std::make_unique<AdapterRoomSource>(config.adapter,
                                               std::chrono::milliseconds(config.deadline_ms));
#else
    throw std::runtime_error(
        "rooms config: source: adapter needs a build with the adapter (PLAZA_BUILD_ADAPTER=ON)");
#endif
  }

  const RoomsConfig config_;
  std::unique_ptr<RoomsService> service_;
  std::unique_ptr<DeliveryRouter> router_;  // the delivery hook's memoised policy
};

}  // namespace
}  // namespace plaza::rooms

PLAZA_PLUGIN(plaza::rooms::RoomsPlugin)
