// The MQTT 3.1.1 and 5.0 wire codec: bytes to packets and packets to bytes,
// with no I/O and no state. Every rule that makes a packet malformed
// (reserved flag bits, QoS 3, a missing packet id, bad UTF-8, trailing bytes,
// a property the packet may not carry, a property given twice, ...) is
// checked here, so the broker core only ever sees well-formed packets.
//
// The codec does not track the connection, so the caller says which protocol
// the connection speaks (the level its CONNECT carried); the CONNECT itself
// is read in the format of its own protocol level byte. Rules that need
// connection state (topic alias ranges, Receive Maximum, a Subscription
// Identifier sent by a client, AUTH without a method) are the core's.
#ifndef PLAZA_BROKER_MQTT_CODEC_H_
#define PLAZA_BROKER_MQTT_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mqtt/packet.h"

namespace plaza::mqtt {

// The largest remaining length the 4-byte encoding can carry (268,435,455).
inline constexpr uint32_t kMaxRemainingLength = 268'435'455;

enum class DecodeStatus {
  kOk,          // one packet decoded; `consumed` bytes belong to it
  kIncomplete,  // more bytes are needed; nothing consumed
  kMalformed,   // the stream is broken; `error` says why; close the connection
  kTooLarge,    // the packet exceeds the size limit; reported as soon as its
                // fixed header is read, without waiting for the body
};

struct DecodeResult {
  DecodeStatus status = DecodeStatus::kIncomplete;
  size_t consumed = 0;
  Packet packet;      // valid when status == kOk; borrows from `data`
  std::string error;  // human-readable, names the packet and the rule
  // With kMalformed and kTooLarge, the MQTT 5 reason code to answer with (in
  // the CONNACK if the packet was the CONNECT, otherwise in a DISCONNECT):
  // kMalformedPacket, kProtocolError, kTopicNameInvalid,
  // kUnsupportedProtocolVersion (a level-5 CONNECT not named "MQTT") or
  // kPacketTooLarge. Also set in 3.1.1 mode, where the caller just closes.
  ReasonCode reason = ReasonCode::kSuccess;
  // For a CONNECT, decoded or refused, whose protocol level byte could be
  // read: that level, so the caller knows whether to answer a refusal with a
  // v5 CONNACK. 0 otherwise.
  uint8_t connect_protocol_level = 0;
};

// Decodes the packet at the start of `data`. `max_packet_size` bounds the
// whole packet (fixed header included). `protocol_level` is the connection's
// (kProtocolLevel311 or kProtocolLevel5; other values mean 3.1.1), except for
// CONNECT: level 4 and level 5 CONNECTs are decoded in full whatever the
// argument; one of any other level is returned with only protocol_name and
// protocol_level filled in, so the caller can refuse the version.
// PUBLISH decoding never allocates, with or without properties.
DecodeResult Decode(std::string_view data, size_t max_packet_size,
                    uint8_t protocol_level = kProtocolLevel311);

// Appends the wire form of `packet` to `out`, in the format of
// `protocol_level` (a CONNECT in that of its own protocol_level; AUTH always
// in MQTT 5 form). 3.1.1 writes no v5 field. MQTT 5 acknowledgements,
// DISCONNECT and AUTH take their short forms when the reason code is 0x00
// and/or there are no properties.
// An empty Connect::protocol_name is written as "MQTT"; strings must fit in
// 65,535 bytes; values are written as given (the caller keeps them valid).
void Encode(const Packet& packet, std::string* out, uint8_t protocol_level = kProtocolLevel311);

// The number of bytes Encode would append, fixed header included, computed
// without encoding: for honouring a peer's Maximum Packet Size.
size_t EncodedSize(const Packet& packet, uint8_t protocol_level = kProtocolLevel311);

// A property list without its length prefix, as a PUBLISH's property block
// carries it after the prefix: for a broker that stores a message's
// properties once and writes per-delivery ones (Message Expiry Interval,
// Subscription Identifier) in front of them.
void AppendPropertyList(const Properties& properties, std::string* out);
size_t PropertyListSize(const Properties& properties);
// The reverse, for a list AppendPropertyList wrote for a PUBLISH: false if
// it is not a valid PUBLISH property list. The views point into `list`.
bool ParsePropertyList(std::string_view list, Properties* properties);

// The size of a Variable Byte Integer holding `value`.
size_t VarIntSize(size_t value);

// Writes the variable-length "remaining length" of `length` (at most
// kMaxRemainingLength) into `out` and returns how many bytes it used (1-4).
size_t EncodeRemainingLength(uint32_t length, uint8_t out[4]);

// Appends a Subscription Identifier property (identifier and value) to
// `out`: the per-delivery property bytes a broker writes into a PUBLISH.
inline void AppendSubscriptionIdentifier(uint32_t id, std::string* out) {
  out->push_back(static_cast<char>(PropertyId::kSubscriptionIdentifier));
  uint8_t bytes[4];
  out->append(reinterpret_cast<const char*>(bytes), EncodeRemainingLength(id, bytes));
}

// The first byte of a PUBLISH fixed header.
inline uint8_t PublishHeaderByte(uint8_t qos, bool retain, bool dup) {
  return static_cast<uint8_t>((3u << 4) | (dup ? 0x08u : 0u) | (qos << 1) | (retain ? 1u : 0u));
}

}  // namespace plaza::mqtt

#endif  // PLAZA_BROKER_MQTT_CODEC_H_
