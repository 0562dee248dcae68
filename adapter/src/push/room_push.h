// What the adapter publishes into a live room, and where: the topics and
// payloads of the room side (documented in adapter/README.md), encoded as
// protobuf or JSON.
#ifndef PLAZA_ADAPTER_PUSH_ROOM_PUSH_H_
#define PLAZA_ADAPTER_PUSH_ROOM_PUSH_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "plaza/adapter/v1/platform.pb.h"
#include "plaza/adapter/v1/room.pb.h"
#include "push/mqtt_publisher.h"

namespace plaza::adapter::push {

enum class PayloadFormat { kJson, kProtobuf };

absl::StatusOr<PayloadFormat> ParsePayloadFormat(std::string_view name);

// rooms/<room_id>/server/settings and rooms/<room_id>/server/announcements.
std::string SettingsTopic(const std::string& room_id);
std::string AnnouncementsTopic(const std::string& room_id);

// JSON uses the proto field names (snake_case) and prints every field.
std::string EncodePayload(const google::protobuf::Message& message, PayloadFormat format);

class RoomPush {
 public:
  // `publisher` null: pushes are disabled (LIVE_PUSH_DISABLED).
  RoomPush(MqttPublisher* publisher, PayloadFormat format);

  v1::LivePush PushSettings(const std::string& room_id, const v1::RoomSettings& settings);
  // Fills `announcement_id` with the id it gave the announcement.
  v1::LivePush PushAnnouncement(const v1::AnnounceToRoomRequest& request,
                                std::string* announcement_id);

 private:
  std::string NextAnnouncementId();

  MqttPublisher* publisher_;
  const PayloadFormat format_;
  const uint64_t id_prefix_;
  std::atomic<uint64_t> next_id_{1};
};

}  // namespace plaza::adapter::push

#endif  // PLAZA_ADAPTER_PUSH_ROOM_PUSH_H_
