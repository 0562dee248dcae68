// The MQTT control packets as plain structs: the vocabulary shared by the
// decoder, the encoder, the broker core and the bench load generator.
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

// SUBACK return code for a refused filter (3.1.1 section 3.9.3).
inline constexpr uint8_t kSubackFailure = 0x80;

struct Will {
  std::string_view topic;
  std::string_view payload;
  uint8_t qos = 0;
  bool retain = false;
};

struct Connect {
  std::string_view protocol_name;  // "MQTT" (or "MQIsdp" for 3.1, refused)
  uint8_t protocol_level = kProtocolLevel311;
  bool clean_session = true;
  uint16_t keep_alive = 0;  // seconds; 0 disables the keep-alive check
  std::string_view client_id;
  std::optional<Will> will;
  std::optional<std::string_view> username;
  std::optional<std::string_view> password;
};

struct Connack {
  bool session_present = false;
  ConnectReturnCode return_code = ConnectReturnCode::kAccepted;
};

struct Publish {
  std::string_view topic;
  std::string_view payload;
  uint8_t qos = 0;
  bool retain = false;
  bool dup = false;
  uint16_t packet_id = 0;  // present only when qos > 0
};

// PUBACK, PUBREC, PUBREL, PUBCOMP and UNSUBACK carry only a packet id.
struct Puback {
  uint16_t packet_id = 0;
};
struct Pubrec {
  uint16_t packet_id = 0;
};
struct Pubrel {
  uint16_t packet_id = 0;
};
struct Pubcomp {
  uint16_t packet_id = 0;
};

struct SubscribeFilter {
  std::string_view filter;
  uint8_t qos = 0;  // requested maximum QoS
};

struct Subscribe {
  uint16_t packet_id = 0;
  std::vector<SubscribeFilter> filters;  // never empty once decoded
};

struct Suback {
  uint16_t packet_id = 0;
  std::vector<uint8_t> return_codes;  // granted QoS 0..2 or kSubackFailure
};

struct Unsubscribe {
  uint16_t packet_id = 0;
  std::vector<std::string_view> filters;  // never empty once decoded
};

struct Unsuback {
  uint16_t packet_id = 0;
};

struct Pingreq {};
struct Pingresp {};
struct Disconnect {};

using Packet = std::variant<Connect, Connack, Publish, Puback, Pubrec, Pubrel, Pubcomp, Subscribe,
                            Suback, Unsubscribe, Unsuback, Pingreq, Pingresp, Disconnect>;

// The packet type of a Packet, for logging and dispatch.
PacketType TypeOf(const Packet& packet);

// A short upper-case name ("PUBLISH") for logs and error messages.
const char* PacketTypeName(PacketType type);

}  // namespace plaza::mqtt

#endif  // PLAZA_BROKER_MQTT_PACKET_H_
