// Helpers the codec tests share: raw MQTT bytes built by hand (so the codec
// is not checked against itself), the codec's own encoding at either
// protocol level, and a buffer of exactly the input's size so ASan sees any
// read past the end.
#ifndef PLAZA_TESTS_BROKER_CODEC_TEST_BYTES_H_
#define PLAZA_TESTS_BROKER_CODEC_TEST_BYTES_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "mqtt/codec.h"
#include "mqtt/packet.h"

namespace plaza::mqtt::wire {

inline constexpr size_t kNoLimit = std::numeric_limits<size_t>::max();

inline std::string Byte(uint8_t b) { return std::string(1, static_cast<char>(b)); }
inline std::string U16(uint16_t v) { return Byte(static_cast<uint8_t>(v >> 8)) + Byte(v & 0xFF); }
inline std::string U32(uint32_t v) { return U16(static_cast<uint16_t>(v >> 16)) + U16(v & 0xFFFF); }

// A UTF-8 string or binary field: 2-byte length, then the bytes.
inline std::string Str(std::string_view s) {
  return U16(static_cast<uint16_t>(s.size())) + std::string(s);
}

// A variable byte integer (the remaining length, a property length).
inline std::string VarInt(uint32_t value) {
  uint8_t bytes[4];
  const size_t n = EncodeRemainingLength(value, bytes);
  return std::string(reinterpret_cast<const char*>(bytes), n);
}

// A whole packet: first byte, remaining length, body.
inline std::string Frame(uint8_t first, std::string_view body) {
  return Byte(first) + VarInt(static_cast<uint32_t>(body.size())) + std::string(body);
}

// An MQTT 5 property block: its length, then the properties.
inline std::string Props(std::string_view block = "") {
  return VarInt(static_cast<uint32_t>(block.size())) + std::string(block);
}

inline std::string EncodeToString(const Packet& packet, uint8_t level = kProtocolLevel311) {
  std::string out;
  Encode(packet, &out, level);
  return out;
}

inline std::string Encode5(const Packet& packet) { return EncodeToString(packet, kProtocolLevel5); }

// Decodes from an exactly-sized heap copy so that ASan reports any read past
// the end (a std::string has slack capacity and a terminating NUL).
class ExactBuffer {
 public:
  explicit ExactBuffer(std::string_view bytes)
      : size_(bytes.size()), data_(std::make_unique<char[]>(bytes.size())) {
    std::copy(bytes.begin(), bytes.end(), data_.get());
  }
  std::string_view view() const { return {data_.get(), size_}; }

 private:
  size_t size_;
  std::unique_ptr<char[]> data_;
};

}  // namespace plaza::mqtt::wire

#endif  // PLAZA_TESTS_BROKER_CODEC_TEST_BYTES_H_
