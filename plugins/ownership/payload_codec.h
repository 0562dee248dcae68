// The ownership plugin's payloads: server messages (ItemOwner, Reply)
// encoded in the configured payload_format, and ItemRequest read from a
// client's payload (empty = no fields; JSON accepted in json mode).
#ifndef PLAZA_PLUGINS_OWNERSHIP_PAYLOAD_CODEC_H_
#define PLAZA_PLUGINS_OWNERSHIP_PAYLOAD_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "ownership_model.h"
#include "plaza/room/v1/items.pb.h"
#include "settings.h"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace plaza::ownership {

// The message as protobuf bytes, or JSON with the proto's field names.
std::string Encode(const google::protobuf::Message& message, PayloadFormat format);

// The retained owner state of one item.
std::string EncodeOwner(const OwnerChange& change, int64_t changed_at_unix_ms,
                        PayloadFormat format);

// The Reply (room.proto) to a request on `request_topic`.
std::string EncodeReply(std::string_view request_topic, uint8_t reason_code,
                        std::string_view reason, std::string_view correlation_data,
                        PayloadFormat format);

// Reads a request. An empty payload is a request with no fields; in json
// mode a payload starting with '{' is read as JSON. False with `error` set
// if it is neither.
bool ParseRequest(std::string_view payload, PayloadFormat format, plaza::room::v1::ItemRequest* out,
                  std::string* error);

}  // namespace plaza::ownership

#endif  // PLAZA_PLUGINS_OWNERSHIP_PAYLOAD_CODEC_H_
