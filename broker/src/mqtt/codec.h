// The MQTT 3.1.1 wire codec: bytes to packets and packets to bytes, with no
// I/O and no state. Every rule that makes a packet malformed (reserved flag
// bits, QoS 3, a missing packet id, bad UTF-8, trailing bytes, ...) is
// checked here, so the broker core only ever sees well-formed packets.
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
};

// Decodes the packet at the start of `data`. `max_packet_size` bounds the
// whole packet (fixed header included). A CONNECT whose protocol level is not
// 3.1.1 is returned with only protocol_name and protocol_level filled in, so
// the caller can answer "unacceptable protocol version".
DecodeResult Decode(std::string_view data, size_t max_packet_size);

// Appends the wire form of `packet` to `out`.
// An empty Connect::protocol_name is written as "MQTT"; strings must fit in 65,535 bytes.
void Encode(const Packet& packet, std::string* out);

// Writes the variable-length "remaining length" of `length` (at most
// kMaxRemainingLength) into `out` and returns how many bytes it used (1-4).
size_t EncodeRemainingLength(uint32_t length, uint8_t out[4]);

// The first byte of a PUBLISH fixed header.
inline uint8_t PublishHeaderByte(uint8_t qos, bool retain, bool dup) {
  return static_cast<uint8_t>((3u << 4) | (dup ? 0x08u : 0u) | (qos << 1) | (retain ? 1u : 0u));
}

}  // namespace plaza::mqtt

#endif  // PLAZA_BROKER_MQTT_CODEC_H_
