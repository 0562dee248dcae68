// Encoding and decoding the rooms plugin's payloads; see payloads.h.
#include "payloads.h"

#include <google/protobuf/util/json_util.h>

#include "plaza/adapter/v1/room_messages.pb.h"
#include "plaza/room/v1/room.pb.h"

namespace plaza::rooms {
namespace {

room::v1::Member ToProto(const Member& member) {
  room::v1::Member out;
  out.set_user_id(member.user_id);
  out.set_display_name(member.display_name);
  out.set_role(std::string(RoleName(member.role)));
  out.set_joined_at_unix_ms(member.joined_at_ms);
  return out;
}

}  // namespace

std::string Encode(const google::protobuf::Message& message, PayloadFormat format) {
  std::string out;
  if (format == PayloadFormat::kProtobuf) {
    message.SerializeToString(&out);
    return out;
  }
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  if (!google::protobuf::util::MessageToJsonString(message, &out, options).ok()) out = "{}";
  return out;
}

std::string_view ContentType(PayloadFormat format) {
  return format == PayloadFormat::kJson ? "application/json" : "application/x-protobuf";
}

std::string EncodeMembers(const Room& room, PayloadFormat format) {
  room::v1::RoomMembers snapshot;
  snapshot.set_room_id(room.id());
  snapshot.set_kind(std::string(KindName(room.config().kind)));
  snapshot.set_capacity(static_cast<int32_t>(room.config().capacity));
  snapshot.set_version(room.version());
  for (const Member* member : room.MembersInJoinOrder()) {
    *snapshot.add_members() = ToProto(*member);
  }
  return Encode(snapshot, format);
}

MemberViews EncodeMemberViews(const Room& room, PayloadFormat format) {
  MemberViews views;
  if (room.config().kind != RoomKind::kEvent) {
    views.outsider = EncodeMembers(room, format);
    return views;
  }
  room::v1::RoomMembers base;
  base.set_room_id(room.id());
  base.set_kind(std::string(KindName(room.config().kind)));
  base.set_capacity(static_cast<int32_t>(room.config().capacity));
  base.set_version(room.version());
  room::v1::RoomMembers everyone = base;
  std::vector<room::v1::RoomMembers> groups(room.group_sizes().size(), base);
  uint32_t audience = 0;
  for (const Member* member : room.MembersInJoinOrder()) {
    const room::v1::Member proto = ToProto(*member);
    *everyone.add_members() = proto;
    if (member->group == kNoGroup) {
      *base.add_members() = proto;  // the stage is in every copy
      for (room::v1::RoomMembers& group : groups) *group.add_members() = proto;
    } else {
      ++audience;
      if (member->group < groups.size()) *groups[member->group].add_members() = proto;
    }
  }
  base.set_audience_count(audience);
  everyone.set_audience_count(audience);
  views.outsider = Encode(base, format);
  views.stage = Encode(everyone, format);
  for (room::v1::RoomMembers& group : groups) {
    group.set_audience_count(audience);
    views.by_group.push_back(Encode(group, format));
  }
  return views;
}

std::string EncodePresence(const Room& room, const Member& member, bool joined,
                           PayloadFormat format) {
  room::v1::PresenceEvent event;
  event.set_room_id(room.id());
  event.set_kind(joined ? room::v1::PresenceEvent::KIND_JOINED
                        : room::v1::PresenceEvent::KIND_LEFT);
  *event.mutable_member() = ToProto(member);
  event.set_version(room.version());
  return Encode(event, format);
}

std::string EncodeReply(std::string_view request_topic, uint8_t reason_code,
                        std::string_view reason, std::string_view correlation_data,
                        PayloadFormat format, std::string_view user_id) {
  room::v1::Reply reply;
  reply.set_request_topic(std::string(request_topic));
  reply.set_reason_code(reason_code);
  reply.set_reason(std::string(reason));
  reply.set_correlation_data(std::string(correlation_data));
  reply.set_user_id(std::string(user_id));
  return Encode(reply, format);
}

std::string EncodeSettings(const RoomConfig& room, int64_t now_ms, PayloadFormat format) {
  adapter::v1::RoomSettingsMessage message;
  message.set_room_id(room.id);
  adapter::v1::RoomSettings* settings = message.mutable_settings();
  settings->set_volume(room.settings.volume);
  settings->set_bgm_url(room.settings.bgm_url);
  settings->set_venue_asset_url(room.settings.venue_asset_url);
  message.set_published_at_unix_ms(now_ms);
  return Encode(message, format);
}

std::optional<std::string> ParseJoinDisplayName(std::string_view payload, std::string* error) {
  room::v1::JoinRequest request;
  if (payload.empty()) return std::string();
  if (payload.front() == '{') {
    const auto status = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(payload.data(), payload.size()), &request);
    if (!status.ok()) {
      *error = "the join request is not a JoinRequest in JSON: " + status.ToString();
      return std::nullopt;
    }
    return request.display_name();
  }
  if (!request.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    *error = "the join request is not a JoinRequest (protobuf, or JSON starting with '{')";
    return std::nullopt;
  }
  return request.display_name();
}

}  // namespace plaza::rooms
