// Encoding and parsing of the ownership plugin's payloads (payload_codec.h).
#include "payload_codec.h"

#include <google/protobuf/util/json_util.h>

#include "plaza/room/v1/room.pb.h"

namespace plaza::ownership {
namespace {

plaza::room::v1::OwnerChange ToProto(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kClaimed:
      return plaza::room::v1::OWNER_CHANGE_CLAIMED;
    case ChangeKind::kReleased:
      return plaza::room::v1::OWNER_CHANGE_RELEASED;
    case ChangeKind::kTransferred:
      return plaza::room::v1::OWNER_CHANGE_TRANSFERRED;
    case ChangeKind::kOwnerLeft:
      return plaza::room::v1::OWNER_CHANGE_OWNER_LEFT;
    case ChangeKind::kLeaseExpired:
      return plaza::room::v1::OWNER_CHANGE_LEASE_EXPIRED;
  }
  return plaza::room::v1::OWNER_CHANGE_UNSPECIFIED;
}

}  // namespace

std::string Encode(const google::protobuf::Message& message, PayloadFormat format) {
  std::string out;
  if (format == PayloadFormat::kJson) {
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    options.always_print_primitive_fields = true;
    if (google::protobuf::util::MessageToJsonString(message, &out, options).ok()) return out;
    out.clear();  // cannot happen for our messages; fall back to bytes
  }
  message.SerializeToString(&out);
  return out;
}

std::string EncodeOwner(const OwnerChange& change, int64_t changed_at_unix_ms,
                        PayloadFormat format) {
  plaza::room::v1::ItemOwner owner;
  owner.set_room_id(change.room_id);
  owner.set_item_id(change.item_id);
  owner.set_owner_user_id(change.owner_user_id);
  owner.set_epoch(change.epoch);
  owner.set_change(ToProto(change.kind));
  for (const std::string& item : change.group) owner.add_group_item_ids(item);
  owner.set_changed_at_unix_ms(changed_at_unix_ms);
  return Encode(owner, format);
}

std::string EncodeReply(std::string_view request_topic, uint8_t reason_code,
                        std::string_view reason, std::string_view correlation_data,
                        PayloadFormat format) {
  plaza::room::v1::Reply reply;
  reply.set_request_topic(std::string(request_topic));
  reply.set_reason_code(reason_code);
  reply.set_reason(std::string(reason));
  reply.set_correlation_data(std::string(correlation_data));
  return Encode(reply, format);
}

bool ParseRequest(std::string_view payload, PayloadFormat format, plaza::room::v1::ItemRequest* out,
                  std::string* error) {
  out->Clear();
  if (payload.empty()) return true;
  if (format == PayloadFormat::kJson && payload.front() == '{') {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    const auto status =
        google::protobuf::util::JsonStringToMessage(std::string(payload), out, options);
    if (status.ok()) return true;
    *error = "not an ItemRequest in JSON";
    return false;
  }
  if (out->ParseFromArray(payload.data(), static_cast<int>(payload.size()))) return true;
  *error = "not an ItemRequest";
  return false;
}

}  // namespace plaza::ownership
