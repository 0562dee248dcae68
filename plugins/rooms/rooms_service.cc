// Joins, leaves, grace periods and the server's broadcasts; see
// rooms_service.h. Membership changes happen under one lock (they are rare
// next to deliveries); host services that act on a client (attributes,
// replies) are called after it is released.
#include "rooms_service.h"

#include <algorithm>
#include <chrono>
#include <variant>

#include "delivery_policy.h"
#include "payloads.h"
#include "room_topics.h"

namespace plaza::rooms {
namespace {

// MQTT 5 reason codes the plugin answers with.
constexpr uint8_t kNotAuthorized = 0x87;
constexpr uint8_t kTopicNameInvalid = 0x90;
constexpr uint8_t kQuotaExceeded = 0x97;
constexpr uint8_t kPayloadFormatInvalid = 0x99;

// The MQTT 5 user property of a successful join's Reply that names the
// member's user id (docs/protocol.md, "Joining and leaving").
constexpr char kUserIdProperty[] = "user_id";

std::string AttributeKey(const std::string& room_id, std::string_view leaf) {
  return "room." + room_id + "." + std::string(leaf);
}

}  // namespace

RoomsService::RoomsService(plaza::Host& host, RoomsConfig config,
                           std::unique_ptr<RoomSource> source)
    : host_(host),
      config_(std::move(config)),
      metrics_(host, config_.max_metric_rooms),
      stats_(metrics_.stats_size()),
      registry_(config_.neighbourhood_size),
      source_(std::move(source)) {
  broadcaster_ = std::make_unique<Broadcaster>(
      [this](const plaza::Message& message) { return host_.Publish(message); },
      [this](const std::string& room) { return BuildSnapshot(room); },
      std::chrono::milliseconds(config_.snapshot_interval_ms),
      [this](const std::string& error) { host_.Error(error); });
  source_->SetChangeListener([this](RoomConfig room) { RoomChanged(std::move(room)); });
  {
    std::lock_guard lock(mutex_);
    for (RoomConfig& room : source_->Initial()) AddRoomLocked(std::move(room));
  }
  if (config_.source == SourceKind::kAdapter) {
    const uint32_t sweep = std::clamp<uint32_t>(config_.unwatch_after_ms / 4, 100, 10'000);
    idle_timer_ = host_.AddTimer(sweep, sweep, [this] { UnfollowIdle(); });
  }
  metrics_timer_ = host_.AddTimer(config_.metrics_interval_ms, config_.metrics_interval_ms,
                                  [this] { FlushMetrics(); });
  if (config_.grace_period_ms > 0) {
    // Grace periods end within a quarter of their length (at most 250 ms)
    // of their due time; a sweep with no one in grace costs a lock.
    const uint32_t sweep = std::clamp<uint32_t>(config_.grace_period_ms / 4, 10, 250);
    expiry_timer_ = host_.AddTimer(sweep, sweep, [this] { ExpireDue(); });
  }
}

RoomsService::~RoomsService() {
  source_.reset();
  if (metrics_timer_) host_.CancelTimer(metrics_timer_);
  if (expiry_timer_) host_.CancelTimer(expiry_timer_);
  if (idle_timer_) host_.CancelTimer(idle_timer_);
  broadcaster_.reset();
}

RoomsService::Request RoomsService::RequestOf(const plaza::PublishEvent& event,
                                              std::string_view room_id) {
  Request request;
  const plaza::ClientView client = event.client();
  const plaza::MessageView message = event.message();
  request.handle = client.handle();
  request.client_id = std::string(client.client_id());
  if (const auto username = client.username()) request.username = std::string(*username);
  request.topic = std::string(message.topic());
  request.room_id = std::string(room_id);
  request.response_topic = std::string(message.response_topic());
  request.correlation_data = std::string(message.correlation_data());
  request.pending = event.pending();
  return request;
}

Identity RoomsService::Identify(const Request& request, const std::string& requested_name) const {
  Identity identity;
  if (std::optional<std::string> id = host_.GetAttribute(request.handle, "user.id");
      id && !id->empty()) {
    identity.user_id = std::move(*id);
    identity.display_name = host_.GetAttribute(request.handle, "user.name").value_or("");
  } else if (const auto user =
                 request.username ? config_.users.find(*request.username) : config_.users.end();
             user != config_.users.end()) {
    identity.user_id = user->second.user_id;
    identity.display_name = user->second.display_name;
  } else if (request.username && !request.username->empty()) {
    identity.user_id = *request.username;
  } else {
    identity.user_id = request.client_id;
  }
  if (identity.display_name.empty()) identity.display_name = requested_name;
  return identity;
}

plaza::Verdict RoomsService::Join(plaza::PublishEvent& event, std::string_view room_id) {
  auto request = std::make_shared<const Request>(RequestOf(event, room_id));
  if (!IsValidRoomId(room_id)) {
    return Respond(
        event, *request,
        {kTopicNameInvalid, "a room id is 1 to 128 letters, digits, ':', '_', '-', '.'"});
  }
  std::string error;
  const std::optional<std::string> name = ParseJoinDisplayName(event.message().payload(), &error);
  if (!name) return Respond(event, *request, {kPayloadFormatInvalid, error});
  const Identity identity = Identify(*request, *name);
  // The source may answer later (a lookup of a room this plugin does not
  // run yet, the user's admission): the hook then returns PENDING and the
  // answer completes it.
  struct Handshake {
    std::mutex mutex;
    bool hook_returned = false;    // guarded by mutex
    std::optional<Answer> answer;  // guarded by mutex
  };
  auto handshake = std::make_shared<Handshake>();
  auto done = [this, request, handshake](const Answer& answer) {
    {
      std::lock_guard lock(handshake->mutex);
      if (!handshake->hook_returned) {
        handshake->answer = answer;
        return;
      }
    }
    SendReply(*request, answer);
    plaza::Completion completion;
    completion.verdict = answer.reason_code == 0 ? plaza::Verdict::kPass : plaza::Verdict::kDeny;
    completion.reason_code = answer.reason_code;
    completion.reason_string = answer.reason;
    host_.Complete(request->pending, completion);
  };
  // Then the user's admission, then the join itself.
  auto admit = [this, request, identity, done](std::optional<RoomConfig> fresh) {
    source_->AuthorizeJoin(
        identity.user_id, request->room_id,
        [this, request, identity, done, fresh = std::move(fresh)](Admission admission) mutable {
          if (admission.refusal) {
            return done({admission.refusal->reason_code, admission.refusal->reason});
          }
          done(JoinKnown(*request, identity, admission.role, std::move(fresh)));
        });
  };
  bool known = false;
  {
    std::lock_guard lock(mutex_);
    known = registry_.Find(room_id) != nullptr && !source_->Stale(room_id);
  }
  if (known) {
    admit(std::nullopt);
  } else {
    source_->Lookup(room_id, [admit, done](std::variant<RoomConfig, Refusal> found) {
      if (const Refusal* refusal = std::get_if<Refusal>(&found)) {
        return done({refusal->reason_code, refusal->reason});
      }
      admit(std::get<RoomConfig>(std::move(found)));
    });
  }
  std::lock_guard lock(handshake->mutex);
  if (handshake->answer) return Respond(event, *request, *handshake->answer);
  handshake->hook_returned = true;
  return plaza::Verdict::kPending;
}

RoomsService::Answer RoomsService::JoinKnown(const Request& request, const Identity& identity,
                                             std::optional<Role> role,
                                             std::optional<RoomConfig> fresh) {
  std::unique_lock lock(mutex_);
  Room* room = fresh ? &AddRoomLocked(std::move(*fresh)) : registry_.Find(request.room_id);
  if (!room) return {kTopicNameInvalid, "no such room '" + request.room_id + "'"};
  const std::string kind(KindName(room->config().kind));
  const JoinResult result =
      registry_.Join(*room, {request.handle, request.client_id}, identity, NowMs(), role);
  if (result.outcome == JoinOutcome::kJoined) AnnounceLocked(*room, result.member, true);
  SyncSeatsLocked(*room);
  lock.unlock();
  return Finish(request, kind, result);
}

RoomsService::Answer RoomsService::Finish(const Request& request, const std::string& kind,
                                          const JoinResult& result) {
  if (result.displaced) ClearAttributes(result.displaced->handle, request.room_id);
  switch (result.outcome) {
    case JoinOutcome::kFull:
      return {kQuotaExceeded, "room '" + request.room_id + "' is full"};
    case JoinOutcome::kConflict:
      return {kNotAuthorized,
              "this connection is in room '" + request.room_id + "' as another user"};
    case JoinOutcome::kJoined:
    case JoinOutcome::kRejoined:
    case JoinOutcome::kAlreadyMember:
      break;
  }
  const Member& member = result.member;
  host_.SetAttribute(request.handle, AttributeKey(request.room_id, "role"), RoleName(member.role));
  host_.SetAttribute(request.handle, AttributeKey(request.room_id, "kind"), kind);
  host_.SetAttribute(request.handle, AttributeKey(request.room_id, "joined_at"),
                     std::to_string(member.joined_at_ms));
  const char* how = result.outcome == JoinOutcome::kJoined     ? "joined"
                    : result.outcome == JoinOutcome::kRejoined ? "rejoined"
                                                               : "already a member";
  return {0, std::string(how) + " as " + std::string(RoleName(member.role)), member.user_id};
}

plaza::Verdict RoomsService::Leave(plaza::PublishEvent& event, std::string_view room_id) {
  const Request request = RequestOf(event, room_id);
  bool left = false;
  {
    std::lock_guard lock(mutex_);
    if (Room* room = registry_.Find(room_id)) {
      if (std::optional<Member> member = registry_.Leave(*room, request.handle)) {
        AnnounceLocked(*room, *member, false);
        left = true;
      }
      SyncSeatsLocked(*room);
    }
  }
  if (left) ClearAttributes(request.handle, request.room_id);
  return Respond(event, request, {0, left ? "left" : "not a member"});
}

plaza::Verdict RoomsService::Respond(plaza::PublishEvent& event, const Request& request,
                                     const Answer& answer) {
  SendReply(request, answer);
  if (answer.reason_code == 0) return plaza::Verdict::kPass;
  event.set_reason_code(answer.reason_code);
  return plaza::Verdict::kDeny;
}

void RoomsService::SendReply(const Request& request, const Answer& answer) const {
  plaza::Message reply;
  reply.qos = 1;
  reply.payload = EncodeReply(request.topic, answer.reason_code, answer.reason,
                              request.correlation_data, config_.payload_format, answer.user_id);
  reply.payload_format = config_.payload_format == PayloadFormat::kJson ? 1 : 0;
  reply.content_type = std::string(ContentType(config_.payload_format));
  reply.correlation_data = request.correlation_data;
  if (!answer.user_id.empty()) reply.user_properties.emplace_back(kUserIdProperty, answer.user_id);
  if (!request.response_topic.empty()) {
    reply.topic = request.response_topic;
    if (host_.PublishTo(request.handle, reply) != plaza::Status::kInvalid) return;
  }
  reply.topic = ServerTopic(request.room_id, "reply");
  host_.PublishTo(request.handle, reply);
}

void RoomsService::ClearAttributes(plaza::ClientHandle handle, const std::string& room_id) const {
  for (const char* leaf : {"role", "kind", "joined_at"}) {
    host_.DeleteAttribute(handle, AttributeKey(room_id, leaf));
  }
}

void RoomsService::ConnectionClosed(plaza::ClientHandle handle, plaza::DisconnectCause cause) {
  if (cause == plaza::DisconnectCause::kShutdown || handle == 0) return;
  // A DISCONNECT is a goodbye and a kick an eviction: no grace for either.
  const bool gone = cause == plaza::DisconnectCause::kNormal ||
                    cause == plaza::DisconnectCause::kKicked || config_.grace_period_ms == 0;
  std::lock_guard lock(mutex_);
  if (gone) {
    for (Departure& departure : registry_.LeaveAll(handle)) {
      AnnounceLocked(*departure.room, departure.member, false);
      SyncSeatsLocked(*departure.room);
    }
    return;
  }
  registry_.DropAll(handle, NowMs() + config_.grace_period_ms);
}

void RoomsService::ExpireDue() {
  std::lock_guard lock(mutex_);
  for (Departure& departure : registry_.Expire(NowMs())) {
    AnnounceLocked(*departure.room, departure.member, false);
    SyncSeatsLocked(*departure.room);
  }
}

Room& RoomsService::AddRoomLocked(RoomConfig config) {
  if (Room* known = registry_.Find(config.id)) {
    // Looked up again (the source had stopped following it).
    ReconfigureLocked(*known, std::move(config));
    source_->Follow(known->id());
    return *known;
  }
  Room& room = registry_.Add(std::move(config));
  const uint32_t index = metrics_.Register(room.id());
  stats_index_[room.id()] = index;
  table_.PutRoom(room.id(), room.config().kind, index);
  PublishSettingsLocked(room);
  // An empty list at once, so a client that subscribes first knows it.
  broadcaster_->SnapshotDue(room.id());
  source_->Follow(room.id());
  return room;
}

void RoomsService::PublishSettingsLocked(const Room& room) {
  plaza::Message settings;
  settings.topic = ServerTopic(room.id(), "settings");
  settings.payload = EncodeSettings(room.config(), NowMs(), config_.payload_format);
  settings.qos = 1;
  settings.retain = true;
  broadcaster_->Post(std::move(settings));
}

void RoomsService::ReconfigureLocked(Room& room, RoomConfig config) {
  const RoomSettings& old = room.config().settings;
  const bool settings_changed = old.volume != config.settings.volume ||
                                old.bgm_url != config.settings.bgm_url ||
                                old.venue_asset_url != config.settings.venue_asset_url;
  if (room.config().kind != config.kind) {
    const auto index = stats_index_.find(room.id());
    table_.PutRoom(room.id(), config.kind, index == stats_index_.end() ? 0 : index->second);
  }
  room.Reconfigure(std::move(config));
  if (settings_changed) PublishSettingsLocked(room);
}

void RoomsService::RoomChanged(RoomConfig config) {
  std::lock_guard lock(mutex_);
  if (Room* room = registry_.Find(config.id)) ReconfigureLocked(*room, std::move(config));
}

void RoomsService::UnfollowIdle() {
  const int64_t now = NowMs();
  std::lock_guard lock(mutex_);
  registry_.ForEach([&](Room& room) {
    if (room.size() != 0) {
      empty_since_.erase(room.id());
      return;
    }
    const auto [it, first] = empty_since_.emplace(room.id(), now);
    if (!first && now - it->second >= static_cast<int64_t>(config_.unwatch_after_ms)) {
      source_->Unfollow(room.id());
      empty_since_.erase(it);  // counted again from the next sweep
    }
  });
}

void RoomsService::AnnounceLocked(Room& room, const Member& member, bool joined) {
  plaza::Message presence;
  presence.topic = ServerTopic(room.id(), "presence");
  presence.payload = EncodePresence(room, member, joined, config_.payload_format);
  presence.qos = 1;
  if (member.group != kNoGroup) {
    // For the delivery hook: only the stage and this neighbourhood hear of it.
    presence.user_properties.emplace_back(kNeighbourhoodProperty, std::to_string(member.group));
  }
  broadcaster_->Post(std::move(presence));
  broadcaster_->SnapshotDue(room.id());
}

void RoomsService::SyncSeatsLocked(Room& room) { table_.Apply(room.id(), room.TakeSeatChanges()); }

std::optional<plaza::Message> RoomsService::BuildSnapshot(const std::string& room_id) {
  plaza::Message snapshot;
  {
    std::lock_guard lock(mutex_);
    Room* room = registry_.Find(room_id);
    if (!room) return std::nullopt;
    auto views = std::make_shared<MemberViews>(EncodeMemberViews(*room, config_.payload_format));
    snapshot.payload = views->outsider;
    // Before the publish: its deliveries hand each subscriber its copy.
    table_.SetViews(room_id, std::move(views));
  }
  snapshot.topic = ServerTopic(room_id, "members");
  snapshot.qos = 1;
  snapshot.retain = true;
  return snapshot;
}

void RoomsService::FlushMetrics() {
  std::vector<uint64_t> members(stats_.size(), 0);
  {
    std::lock_guard lock(mutex_);
    registry_.ForEach([&](Room& room) {
      const auto it = stats_index_.find(room.id());
      if (it != stats_index_.end() && it->second < members.size()) {
        members[it->second] += room.size();
      }
    });
  }
  metrics_.Flush(stats_.Totals(), members);
}

int64_t RoomsService::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace plaza::rooms
