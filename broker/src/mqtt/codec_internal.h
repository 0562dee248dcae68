// What the two halves of the codec share and nothing else uses: the bounds-
// checked body reader, the error a body decoder returns, the places a
// property may appear, the byte writers, and the MQTT 5 property codec
// (property_codec.cc) that codec.cc calls for every packet with
// properties. Not part of the codec's interface (mqtt/codec.h).
#ifndef PLAZA_BROKER_MQTT_CODEC_INTERNAL_H_
#define PLAZA_BROKER_MQTT_CODEC_INTERNAL_H_

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mqtt/codec.h"

namespace plaza::mqtt {

inline constexpr size_t kMaxStringLength = 65535;

enum class VarIntStatus { kOk, kTruncated, kTooLong, kNotMinimal };

// Reads the fields of one packet's body. Every read is bounds-checked, so a
// length field cannot make the decoder look past the packet.
class Reader {
 public:
  explicit Reader(std::string_view body, size_t pos = 0) : body_(body), pos_(pos) {}

  bool empty() const { return pos_ >= body_.size(); }
  size_t remaining() const { return empty() ? 0 : body_.size() - pos_; }
  size_t position() const { return pos_; }

  bool ReadByte(uint8_t* value) {
    if (remaining() < 1) return false;
    *value = static_cast<uint8_t>(body_[pos_++]);
    return true;
  }

  bool ReadU16(uint16_t* value) {
    if (remaining() < 2) return false;
    *value = static_cast<uint16_t>((static_cast<uint8_t>(body_[pos_]) << 8) |
                                   static_cast<uint8_t>(body_[pos_ + 1]));
    pos_ += 2;
    return true;
  }

  bool ReadU32(uint32_t* value) {
    if (remaining() < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(body_[pos_ + i]);
    pos_ += 4;
    *value = v;
    return true;
  }

  // A Variable Byte Integer (v5 section 1.5.5): 7 bits per byte, least
  // significant first, at most 4 bytes, and in MQTT 5 as few as possible.
  VarIntStatus ReadVarInt(uint32_t* value) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      uint8_t byte = 0;
      if (!ReadByte(&byte)) return VarIntStatus::kTruncated;
      v |= static_cast<uint32_t>(byte & 0x7F) << (7 * i);
      if (!(byte & 0x80)) {
        *value = v;
        // A last byte of 0 after others only adds leading zeros.
        return (i > 0 && byte == 0) ? VarIntStatus::kNotMinimal : VarIntStatus::kOk;
      }
    }
    return VarIntStatus::kTooLong;
  }

  // A UTF-8 string or binary data field: a 2-byte length, then the bytes.
  bool ReadLengthPrefixed(std::string_view* value) {
    uint16_t length = 0;
    if (!ReadU16(&length)) return false;
    if (remaining() < length) return false;
    *value = body_.substr(pos_, length);
    pos_ += length;
    return true;
  }

  // The next `length` bytes; the caller has checked remaining().
  std::string_view ReadBytes(size_t length) {
    std::string_view bytes = body_.substr(pos_, length);
    pos_ += length;
    return bytes;
  }

  std::string_view ReadRest() {
    std::string_view rest = body_.substr(empty() ? body_.size() : pos_);
    pos_ = body_.size();
    return rest;
  }

 private:
  std::string_view body_;
  size_t pos_ = 0;
};

// Body decoders return an empty Error on success or the rule the packet
// broke. The texts are literals so that the success path never allocates;
// the reason code is what an MQTT 5 peer is told, and `property` names the
// property at fault, if any.
struct Error {
  constexpr Error(const char* text_in = nullptr,
                  ReasonCode reason_in = ReasonCode::kMalformedPacket, uint8_t property_in = 0)
      : text(text_in), reason(reason_in), property(property_in) {}
  explicit operator bool() const { return text != nullptr; }

  const char* text;
  ReasonCode reason;
  uint8_t property;  // a PropertyId, or 0
};

inline Error ProtocolError(const char* text, PropertyId property = {}) {
  return Error(text, ReasonCode::kProtocolError, static_cast<uint8_t>(property));
}

// The places a property may appear, one bit each (the table of v5 section
// 2.2.2.2). The four publish acknowledgements share one.
enum Where : uint16_t {
  kInConnect = 1 << 0,
  kInWill = 1 << 1,
  kInConnack = 1 << 2,
  kInPublish = 1 << 3,
  kInPubAck = 1 << 4,  // PUBACK, PUBREC, PUBREL, PUBCOMP
  kInSubscribe = 1 << 5,
  kInSuback = 1 << 6,
  kInUnsubscribe = 1 << 7,
  kInUnsuback = 1 << 8,
  kInDisconnect = 1 << 9,
  kInAuth = 1 << 10,
};

inline void AppendByte(uint8_t value, std::string* out) {
  out->push_back(static_cast<char>(value));
}

inline void AppendU16(uint16_t value, std::string* out) {
  AppendByte(static_cast<uint8_t>(value >> 8), out);
  AppendByte(static_cast<uint8_t>(value), out);
}

inline void AppendU32(uint32_t value, std::string* out) {
  AppendU16(static_cast<uint16_t>(value >> 16), out);
  AppendU16(static_cast<uint16_t>(value), out);
}

inline void AppendVarInt(uint32_t value, std::string* out) {
  uint8_t bytes[4];
  out->append(reinterpret_cast<const char*>(bytes), EncodeRemainingLength(value, bytes));
}

inline void AppendLengthPrefixed(std::string_view value, std::string* out) {
  // Longer fields cannot be represented; callers validate before encoding.
  assert(value.size() <= kMaxStringLength);
  AppendU16(static_cast<uint16_t>(value.size()), out);
  out->append(value);
}

// Reads the property block at the reader's position into `props`, checking
// every rule that one packet shows: known identifiers, allowed in `where`,
// at most once unless repeatable, well-formed values, and the values the
// standard forbids.
Error DecodeProperties(Reader& r, uint16_t where, Properties* props);

// The properties of `block` (no length prefix), checked as DecodeProperties
// says.
Error DecodePropertyBlock(std::string_view block, uint16_t where, Properties* props);

// The bytes of the properties themselves, without their length prefix.
size_t PropertiesBodySize(const Properties& p);

// The property block with its length prefix.
size_t PropertiesSize(const Properties& p);

void AppendProperties(const Properties& p, std::string* out);

}  // namespace plaza::mqtt

#endif  // PLAZA_BROKER_MQTT_CODEC_INTERNAL_H_
