// Topics, payload encoding and announcement ids.
#include "push/room_push.h"

#include <chrono>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/strings.h"
#include "google/protobuf/util/json_util.h"
#include "plaza/adapter/v1/room_messages.pb.h"

namespace plaza::adapter::push {
namespace {

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

v1::LivePush ToLivePush(PublishResult result) {
  return result == PublishResult::kPublished ? v1::LIVE_PUSH_PUBLISHED
                                             : v1::LIVE_PUSH_BROKER_UNAVAILABLE;
}

}  // namespace

absl::StatusOr<PayloadFormat> ParsePayloadFormat(std::string_view name) {
  if (name == "json") return PayloadFormat::kJson;
  if (name == "protobuf") return PayloadFormat::kProtobuf;
  return absl::InvalidArgumentError(
      absl::StrCat("mqtt.payload_format must be json or protobuf, got \"", AsAbsl(name), "\""));
}

std::string SettingsTopic(const std::string& room_id) {
  return absl::StrCat("rooms/", room_id, "/server/settings");
}

std::string AnnouncementsTopic(const std::string& room_id) {
  return absl::StrCat("rooms/", room_id, "/server/announcements");
}

std::string EncodePayload(const google::protobuf::Message& message, PayloadFormat format) {
  std::string out;
  if (format == PayloadFormat::kProtobuf) {
    message.SerializeToString(&out);
    return out;
  }
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

RoomPush::RoomPush(MqttPublisher* publisher, PayloadFormat format)
    : publisher_(publisher), format_(format), id_prefix_(std::random_device{}()) {}

v1::LivePush RoomPush::PushSettings(const std::string& room_id, const v1::RoomSettings& settings) {
  if (publisher_ == nullptr) return v1::LIVE_PUSH_DISABLED;
  v1::RoomSettingsMessage message;
  message.set_room_id(room_id);
  *message.mutable_settings() = settings;
  message.set_published_at_unix_ms(NowUnixMs());
  return ToLivePush(
      publisher_->Publish(SettingsTopic(room_id), EncodePayload(message, format_), true));
}

v1::LivePush RoomPush::PushAnnouncement(const v1::AnnounceToRoomRequest& request,
                                        std::string* announcement_id) {
  *announcement_id = NextAnnouncementId();
  if (publisher_ == nullptr) return v1::LIVE_PUSH_DISABLED;
  v1::AnnouncementMessage message;
  message.set_room_id(request.room_id());
  message.set_announcement_id(*announcement_id);
  message.set_text(request.text());
  message.set_level(request.level() == v1::ANNOUNCEMENT_LEVEL_UNSPECIFIED
                        ? v1::ANNOUNCEMENT_LEVEL_INFO
                        : request.level());
  message.set_published_at_unix_ms(NowUnixMs());
  return ToLivePush(publisher_->Publish(AnnouncementsTopic(request.room_id()),
                                        EncodePayload(message, format_), false));
}

std::string RoomPush::NextAnnouncementId() {
  // Unique across adapter instances (random prefix) and within one (counter).
  return absl::StrFormat("%08x-%d", static_cast<uint32_t>(id_prefix_), next_id_.fetch_add(1));
}

}  // namespace plaza::adapter::push
