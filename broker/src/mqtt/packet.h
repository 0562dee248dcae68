// The MQTT control packets as plain structs: the vocabulary shared by the
// decoder, the encoder, the broker core and the bench load generator. One set
// of structs serves MQTT 3.1.1 and 5.0: the v5 fields (reason codes,
// properties, subscription options) come last with defaults, so 3.1.1 code
// neither sees nor sets them, and the 3.1.1 codec ignores them.
//
// Packets are *views*: every std::string_view field borrows from a buffer the
// caller owns (the input buffer after decoding, or the caller's strings
// before encoding). A decoded packet is valid only until that buffer is
// changed; copy what you keep.
#ifndef PLAZA_BROKER_MQTT_PACKET_H_
#define PLAZA_BROKER_MQTT_PACKET_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "mqtt/properties.h"
#include "mqtt/reason_code.h"

namespace plaza::mqtt {

// The protocol levels carried in CONNECT.
inline constexpr uint8_t kProtocolLevel311 = 4;
inline constexpr uint8_t kProtocolLevel5 = 5;

enum class PacketType : uint8_t {
  kConnect = 1,
  kConnack = 2,
  kPublish = 3,
  kPuback = 4,
  kPubrec = 5,
  kPubrel = 6,
  kPubcomp = 7,
  kSubscribe = 8,
  kSuback = 9,
  kUnsubscribe = 10,
  kUnsuback = 11,
  kPingreq = 12,
  kPingresp = 13,
  kDisconnect = 14,
  kAuth = 15,
};

// CONNACK return codes of MQTT 3.1.1 (section 3.2.2.3).
enum class ConnectReturnCode : uint8_t {
  kAccepted = 0,
  kUnacceptableProtocolVersion = 1,
  kIdentifierRejected = 2,
  kServerUnavailable = 3,
  kBadUsernameOrPassword = 4,
  kNotAuthorized = 5,
};

// SUBACK return code for a refused filter (3.1.1 section 3.9.3; in MQTT 5 it
// is the reason code "Unspecified error").
inline constexpr uint8_t kSubackFailure = 0x80;

struct Will {
  std::string_view topic;
  std::string_view payload;
  uint8_t qos = 0;
  bool retain = false;
  Properties properties = {};  // MQTT 5 will properties
};

struct Connect {
  std::string_view protocol_name;  // "MQTT" (or "MQIsdp" for 3.1, refused)
  uint8_t protocol_level = kProtocolLevel311;
  bool clean_session = true;  // "Clean Start" in MQTT 5
  uint16_t keep_alive = 0;    // seconds; 0 disables the keep-alive check
  std::string_view client_id;
  std::optional<Will> will;
  std::optional<std::string_view> username;
  std::optional<std::string_view> password;
  // MQTT 5. A CONNECT is encoded and decoded in the format of its own
  // protocol_level, whatever level the codec is called with.
  Properties properties = {};
};

struct Connack {
  bool session_present = false;
  ConnectReturnCode return_code = ConnectReturnCode::kAccepted;  // 3.1.1
  ReasonCode reason_code = ReasonCode::kSuccess;                 // MQTT 5
  Properties properties = {};                                    // MQTT 5
};

struct Publish {
  std::string_view topic;
  std::string_view payload;
  uint8_t qos = 0;
  bool retain = false;
  bool dup = false;
  uint16_t packet_id = 0;  // present only when qos > 0
  // MQTT 5. The topic may be empty when properties.topic_alias is set
  // (section 3.3.2.3.4); resolving the alias is the receiver's business.
  Properties properties = {};
};

// PUBACK, PUBREC, PUBREL and PUBCOMP carry a packet id; in MQTT 5 also a
// reason code and properties, both left out on the wire when they are
// 0x00 and empty (section 3.4.2.1).
struct Puback {
  uint16_t packet_id = 0;
  ReasonCode reason_code = ReasonCode::kSuccess;
  Properties properties = {};
};
struct Pubrec {
  uint16_t packet_id = 0;
  ReasonCode reason_code = ReasonCode::kSuccess;
  Properties properties = {};
};
struct Pubrel {
  uint16_t packet_id = 0;
  ReasonCode reason_code = ReasonCode::kSuccess;
  Properties properties = {};
};
struct Pubcomp {
  uint16_t packet_id = 0;
  ReasonCode reason_code = ReasonCode::kSuccess;
  Properties properties = {};
};

// MQTT 5 Retain Handling (section 3.8.3.1).
inline constexpr uint8_t kRetainSendAtSubscribe = 0;
inline constexpr uint8_t kRetainSendIfNewSubscription = 1;
inline constexpr uint8_t kRetainDoNotSend = 2;

struct SubscribeFilter {
  std::string_view filter;
  uint8_t qos = 0;  // requested maximum QoS
  // MQTT 5 subscription options; always false/0 in 3.1.1.
  bool no_local = false;
  bool retain_as_published = false;
  uint8_t retain_handling = kRetainSendAtSubscribe;
};

struct Subscribe {
  uint16_t packet_id = 0;
  std::vector<SubscribeFilter> filters;  // never empty once decoded
  Properties properties = {};            // MQTT 5
};

struct Suback {
  uint16_t packet_id = 0;
  // 3.1.1: granted QoS 0..2 or kSubackFailure. MQTT 5: one ReasonCode per
  // filter (section 3.9.3), as its byte value.
  std::vector<uint8_t> return_codes;
  Properties properties = {};  // MQTT 5
};

struct Unsubscribe {
  uint16_t packet_id = 0;
  std::vector<std::string_view> filters;  // never empty once decoded
  Properties properties = {};             // MQTT 5
};

struct Unsuback {
  uint16_t packet_id = 0;
  // MQTT 5: one per filter of the UNSUBSCRIBE, never empty on the wire
  // (section 3.11.3). 3.1.1 UNSUBACK has none.
  std::vector<ReasonCode> reason_codes = {};
  Properties properties = {};
};

struct Pingreq {};
struct Pingresp {};

// In 3.1.1 a DISCONNECT has no body and these fields are not written.
struct Disconnect {
  ReasonCode reason_code = ReasonCode::kNormalDisconnection;  // MQTT 5
  Properties properties = {};                                 // MQTT 5
};

// MQTT 5 only: a step of extended authentication (section 3.15).
struct Auth {
  ReasonCode reason_code = ReasonCode::kSuccess;
  Properties properties = {};
};

using Packet = std::variant<Connect, Connack, Publish, Puback, Pubrec, Pubrel, Pubcomp, Subscribe,
                            Suback, Unsubscribe, Unsuback, Pingreq, Pingresp, Disconnect, Auth>;

// The packet type of a Packet, for logging and dispatch.
PacketType TypeOf(const Packet& packet);

// A short upper-case name ("PUBLISH") for logs and error messages.
const char* PacketTypeName(PacketType type);

}  // namespace plaza::mqtt

#endif  // PLAZA_BROKER_MQTT_PACKET_H_
