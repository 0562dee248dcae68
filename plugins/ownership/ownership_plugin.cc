// The ownership plugin (issue #6): one owner per item of a room. It reads
// claim, release and transfer requests and the owners' state updates from
// the room topics (docs/protocol.md, "Items and ownership"), decides in the
// OwnershipModel, announces every owner on the retained owner topics, tells
// each requester its outcome (a Reply, and the PUBACK reason code for MQTT 5
// QoS 1), and ends ownerships when their owner leaves, disconnects or lets
// its lease run out. Configuration: config/ownership.yaml.
#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "ownership_model.h"
#include "payload_codec.h"
#include "plaza/plugin.hpp"
#include "room_topic.h"
#include "serial_publisher.h"
#include "settings.h"

namespace plaza::ownership {
namespace {

int64_t MonotonicMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t UnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// How often the lease sweep runs: often enough that an expired lease ends
// within a quarter of its length.
uint32_t SweepIntervalMs(uint32_t lease_ms) { return std::clamp<uint32_t>(lease_ms / 4, 10, 1000); }

// "room.<R>.role" -> R; empty for any other key.
std::string_view RoomOfRoleKey(std::string_view key) {
  constexpr std::string_view kPrefix = "room.";
  constexpr std::string_view kSuffix = ".role";
  if (key.size() <= kPrefix.size() + kSuffix.size() || key.substr(0, kPrefix.size()) != kPrefix ||
      key.substr(key.size() - kSuffix.size()) != kSuffix) {
    return {};
  }
  return key.substr(kPrefix.size(), key.size() - kPrefix.size() - kSuffix.size());
}

class OwnershipPlugin final : public plaza::Plugin {
 public:
  explicit OwnershipPlugin(const plaza::InitArgs& args)
      : plaza::Plugin(args),
        model_(std::make_shared<const Settings>(ParseSettings(args.config_yaml)), &MonotonicMs,
               &publisher_),
        publisher_([this](const OwnerChange& change, int64_t at) { PublishOwner(change, at); },
                   [this] { UpdateGauge(); }) {
    claims_won_ = host().Counter("claims_won_total", "Claims that made the requester the owner");
    claims_lost_ =
        host().Counter("claims_lost_total", "Claims refused because another member owns the item");
    refused_ = host().Counter("requests_refused_total",
                              "Claim, release and transfer requests refused, for any reason");
    rate_limited_ = host().Counter("rate_limited_total",
                                   "Requests refused by the per-item operation rate limit");
    stale_dropped_ = host().Counter("state_stale_dropped_total",
                                    "State updates refused: not for the item's current epoch");
    not_owner_dropped_ = host().Counter("state_not_owner_dropped_total",
                                        "State updates refused: not from the item's owner");
    owner_changes_ = host().Counter("owner_changes_total", "Owner states published, per item");
    lease_expired_ = host().Counter("leases_expired_total", "Ownerships ended by their lease");
    items_owned_ = host().Gauge("items_owned", "Items that have an owner");
    const auto settings = model_.settings();
    host().Info(
        "started: payload_format " +
        std::string(settings->payload_format == PayloadFormat::kJson ? "json" : "protobuf") +
        ", fallback " + (settings->fallback == Fallback::kFree ? "free" : "longest_present") +
        ", lease_ms " + std::to_string(settings->lease_ms) + ", " +
        std::to_string(settings->groups.size()) + " groups");
    UpdateLeaseTimer(*settings);
  }

  ~OwnershipPlugin() override {
    std::lock_guard lock(timer_mutex_);
    if (lease_timer_) host().CancelTimer(lease_timer_);
  }

  plaza::Verdict OnPublish(plaza::PublishEvent& event) override {
    const RoomTopic topic = ParseRoomTopic(event.message().topic());
    const plaza::ClientHandle handle = event.client().handle();
    switch (topic.kind) {
      case RoomTopic::Kind::kOther:
        return plaza::Verdict::kPass;
      case RoomTopic::Kind::kJoin:
        // The rooms plugin, earlier in the chain, has set the role by now.
        if (auto member = MemberOf(event.client(), topic.room)) model_.Join(topic.room, *member);
        return plaza::Verdict::kPass;
      case RoomTopic::Kind::kLeave:
        model_.Leave(topic.room, handle);
        return plaza::Verdict::kPass;
      case RoomTopic::Kind::kState:
        return OnState(event, topic);
      case RoomTopic::Kind::kOwner:
        event.set_reason_code(0x87);  // only the server announces owners
        return plaza::Verdict::kDeny;
      case RoomTopic::Kind::kInvalid:
        event.set_reason_code(0x90);  // topic name invalid
        return plaza::Verdict::kDeny;
      case RoomTopic::Kind::kClaim:
      case RoomTopic::Kind::kRelease:
      case RoomTopic::Kind::kTransfer:
        return OnRequest(event, topic);
    }
    return plaza::Verdict::kPass;
  }

  void OnDisconnect(const plaza::DisconnectEvent& event) override {
    model_.Disconnect(event.client().handle());
  }

  // The role attribute set or deleted by the rooms plugin (once the broker
  // runs this hook): membership even for joins and leaves not seen as
  // publishes.
  void OnAttribute(const plaza::AttributeEvent& event) override {
    const std::string_view room = RoomOfRoleKey(event.key());
    if (room.empty() || !IsValidRoomId(room)) return;
    // Acts on the role as it is now, not as the event says: the event is
    // queued behind the client's packets, and a leave and a quick rejoin
    // must not end in a late leave.
    if (auto member = MemberOf(event.client(), room)) {
      model_.Join(room, *member);
    } else if (event.deleted()) {
      model_.Leave(room, event.client().handle());
    }
  }

  void OnReload(const plaza::ReloadEvent& event) override {
    try {
      auto settings = std::make_shared<const Settings>(ParseSettings(event.config_yaml()));
      UpdateLeaseTimer(*settings);
      model_.SetSettings(std::move(settings));
      host().Info("configuration reloaded");
    } catch (const std::exception& e) {
      host().Error(std::string("bad configuration, keeping the old one: ") + e.what());
    }
  }

 private:
  // The connection as a member of `room`, if it has a role there.
  std::optional<Member> MemberOf(const plaza::ClientView& client, std::string_view room) const {
    const std::string prefix = "room." + std::string(room);
    if (!host().GetAttribute(client.handle(), prefix + ".role")) return std::nullopt;
    Member member;
    member.handle = client.handle();
    if (auto user = host().GetAttribute(client.handle(), "user.id")) {
      member.user_id = std::move(*user);
    } else if (auto username = client.username()) {
      member.user_id = std::string(*username);
    } else {
      member.user_id = std::string(client.client_id());
    }
    member.joined_at_ms = UnixMs();
    if (auto joined = host().GetAttribute(client.handle(), prefix + ".joined_at")) {
      try {
        member.joined_at_ms = std::stoll(*joined);
      } catch (const std::exception&) {
        // Not a number: "now" is as good a guess as any.
      }
    }
    return member;
  }

  plaza::Verdict OnState(plaza::PublishEvent& event, const RoomTopic& topic) {
    switch (model_.CheckState(topic.room, topic.item, topic.epoch, event.client().handle())) {
      case StateCheck::kAccepted:
        if (event.message().retain()) {
          // One retained message per epoch would pile up in the broker.
          plaza::Message copy = plaza::Message::CopyOf(event.message());
          copy.retain = false;
          event.set_rewrite(std::move(copy));
        }
        return plaza::Verdict::kPass;
      case StateCheck::kStaleEpoch:
        Count(stale_dropped_);
        break;
      case StateCheck::kNotOwner:
        Count(not_owner_dropped_);
        break;
    }
    event.set_reason_code(0x87);  // not authorized
    return plaza::Verdict::kDeny;
  }

  plaza::Verdict OnRequest(plaza::PublishEvent& event, const RoomTopic& topic) {
    const plaza::ClientView client = event.client();
    const plaza::MessageView message = event.message();
    const std::shared_ptr<const Settings> settings = model_.settings();
    Outcome outcome;
    plaza::room::v1::ItemRequest request;
    std::string error;
    const std::optional<Member> member = MemberOf(client, topic.room);
    if (!member) {
      outcome = {Result::kNotMember, "not a member of the room: join it first"};
    } else if (!ParseRequest(message.payload(), settings->payload_format, &request, &error)) {
      outcome = {Result::kBadPayload, error};
    } else if (topic.kind == RoomTopic::Kind::kClaim) {
      outcome = model_.Claim(topic.room, topic.item, *member, request.epoch());
      if (outcome.ok()) Count(claims_won_);
      if (outcome.result == Result::kHeld) Count(claims_lost_);
    } else if (topic.kind == RoomTopic::Kind::kRelease) {
      outcome = model_.Release(topic.room, topic.item, member->handle, request.epoch());
    } else if (request.to_user_id().empty()) {
      outcome = {Result::kBadPayload, "a transfer needs to_user_id"};
    } else {
      outcome = model_.Transfer(topic.room, topic.item, member->handle, request.to_user_id(),
                                request.epoch());
    }
    if (outcome.result == Result::kRateLimited) Count(rate_limited_);
    if (!outcome.ok()) Count(refused_);
    SendReply(client.handle(), topic.room, message, outcome, settings->payload_format);
    if (outcome.ok()) return plaza::Verdict::kPass;
    event.set_reason_code(PubackCode(outcome.result));
    return plaza::Verdict::kDeny;
  }

  // The Reply goes to the request's MQTT 5 Response Topic if it has a
  // usable one, else to rooms/R/server/reply; to the requester alone.
  void SendReply(plaza::ClientHandle client, std::string_view room,
                 const plaza::MessageView& request, const Outcome& outcome, PayloadFormat format) {
    const std::string reason = outcome.detail.empty() ? ResultName(outcome.result) : outcome.detail;
    plaza::Message reply;
    reply.qos = 1;
    reply.correlation_data = std::string(request.correlation_data());
    reply.payload = EncodeReply(request.topic(), ReplyCode(outcome.result), reason,
                                request.correlation_data(), format);
    if (!request.response_topic().empty()) {
      reply.topic = std::string(request.response_topic());
      if (host().PublishTo(client, reply) == plaza::Status::kOk) return;
    }
    reply.topic = "rooms/" + std::string(room) + "/server/reply";
    host().PublishTo(client, reply);
  }

  // On the publisher's thread.
  void PublishOwner(const OwnerChange& change, int64_t changed_at_unix_ms) {
    plaza::Message message;
    message.topic = "rooms/" + change.room_id + "/items/" + change.item_id + "/owner";
    message.payload = EncodeOwner(change, changed_at_unix_ms, model_.settings()->payload_format);
    message.qos = 1;
    message.retain = true;
    const plaza::Status status = host().Publish(message);
    if (status == plaza::Status::kUnsupported) {
      host().Debug("not published (the broker is stopping): " + message.topic);
    } else if (status != plaza::Status::kOk) {
      host().Warning("cannot publish " + message.topic + ": " + plaza::StatusName(status));
    }
    Count(owner_changes_);
    if (change.kind == ChangeKind::kLeaseExpired) Count(lease_expired_);
  }

  // On the publisher's thread, so successive values are set in order.
  void UpdateGauge() {
    if (items_owned_) host().GaugeSet(*items_owned_, static_cast<double>(model_.items_owned()));
  }

  void UpdateLeaseTimer(const Settings& settings) {
    const uint32_t interval = settings.lease_ms == 0 ? 0 : SweepIntervalMs(settings.lease_ms);
    std::lock_guard lock(timer_mutex_);
    if (interval == timer_interval_ms_) return;
    if (lease_timer_) host().CancelTimer(lease_timer_);
    lease_timer_ = {};
    timer_interval_ms_ = interval;
    if (interval == 0) return;
    lease_timer_ = host().AddTimer(interval, interval, [this] { model_.ExpireLeases(); });
    if (!lease_timer_) host().Error("no timers in this broker: leases will not expire");
  }

  void Count(const std::optional<uint64_t>& counter) const {
    if (counter) host().CounterAdd(*counter);
  }

  // The model tells the publisher of every change, so the publisher is
  // destroyed first (it sends what is left) while the model still exists.
  OwnershipModel model_;
  SerialPublisher publisher_;

  std::optional<uint64_t> claims_won_, claims_lost_, refused_, rate_limited_, stale_dropped_,
      not_owner_dropped_, owner_changes_, lease_expired_, items_owned_;

  std::mutex timer_mutex_;
  plaza::TimerHandle lease_timer_;  // guarded by timer_mutex_
  uint32_t timer_interval_ms_ = 0;  // guarded by timer_mutex_
};

}  // namespace
}  // namespace plaza::ownership

PLAZA_PLUGIN(plaza::ownership::OwnershipPlugin)
