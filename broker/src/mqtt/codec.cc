// The MQTT 3.1.1 wire format (OASIS standard, sections 2 and 3). Decode is
// the broker's first line of defence against untrusted bytes: it checks every
// rule whose violation makes a packet malformed, so that the core can trust
// what it receives. Rule numbers in error texts are the standard's
// normative-statement ids, or its section numbers where a rule has no id.
#include "mqtt/codec.h"

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "mqtt/topic.h"

namespace plaza::mqtt {

namespace {

constexpr size_t kMaxStringLength = 65535;

// Reads the fields of one packet's body. Every read is bounds-checked, so a
// length field cannot make the decoder look past the packet.
class Reader {
 public:
  explicit Reader(std::string_view body) : body_(body) {}

  bool empty() const { return pos_ == body_.size(); }
  size_t remaining() const { return body_.size() - pos_; }

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

  // A UTF-8 string or binary data field: a 2-byte length, then the bytes.
  bool ReadLengthPrefixed(std::string_view* value) {
    uint16_t length = 0;
    if (!ReadU16(&length)) return false;
    if (remaining() < length) return false;
    *value = body_.substr(pos_, length);
    pos_ += length;
    return true;
  }

  std::string_view ReadRest() {
    std::string_view rest = body_.substr(pos_);
    pos_ = body_.size();
    return rest;
  }

 private:
  std::string_view body_;
  size_t pos_ = 0;
};

// Body decoders return nullptr on success or the rule the packet broke. The
// texts are literals so that the success path never allocates.
using Error = const char*;

constexpr Error kLeftoverBytes = "bytes left over after the last field [section 2.2.3]";

// Why a topic name (PUBLISH topic or will topic) failed IsValidTopicName.
// Called only on failure, so the hot path stays a single pass.
Error TopicNameError(std::string_view topic, Error utf8_rule) {
  if (!IsValidUtf8(topic)) return utf8_rule;
  if (topic.empty()) return "topic name is empty [MQTT-4.7.3-1]";
  return "topic name contains a wildcard [MQTT-3.3.2-2]";
}

Error DecodeConnect(Reader& r, Packet* packet) {
  Connect& c = packet->emplace<Connect>();
  if (!r.ReadLengthPrefixed(&c.protocol_name)) {
    return "protocol name runs past the end of the packet [section 3.1.2.1]";
  }
  if (!r.ReadByte(&c.protocol_level)) return "protocol level is missing [section 3.1.2.2]";
  // Any other level is a protocol this decoder does not speak: its layout may
  // differ (MQTT 5 adds properties), so stop here and let the core refuse it
  // with return code 1 [MQTT-3.1.2-2].
  if (c.protocol_level != kProtocolLevel311) return nullptr;
  if (c.protocol_name != "MQTT") return "protocol name must be \"MQTT\" [MQTT-3.1.2-1]";

  uint8_t flags = 0;
  if (!r.ReadByte(&flags)) return "connect flags are missing [section 3.1.2.3]";
  if (!r.ReadU16(&c.keep_alive)) return "keep alive is missing [section 3.1.2.10]";
  if (flags & 0x01) return "reserved connect flag must be 0 [MQTT-3.1.2-3]";
  const bool has_will = flags & 0x04;
  const uint8_t will_qos = (flags >> 3) & 0x03;
  const bool will_retain = flags & 0x20;
  const bool has_password = flags & 0x40;
  const bool has_username = flags & 0x80;
  if (!has_will && will_qos != 0) return "will QoS must be 0 without a will [MQTT-3.1.2-13]";
  if (!has_will && will_retain) return "will retain must be 0 without a will [MQTT-3.1.2-15]";
  if (will_qos == 3) return "will QoS 3 is not allowed [MQTT-3.1.2-14]";
  if (has_password && !has_username) {
    return "password flag set without user name flag [MQTT-3.1.2-22]";
  }
  c.clean_session = flags & 0x02;

  if (!r.ReadLengthPrefixed(&c.client_id)) {
    return "client identifier runs past the end of the packet [MQTT-3.1.3-3]";
  }
  if (!IsValidUtf8(c.client_id)) return "client identifier is not valid UTF-8 [MQTT-3.1.3-4]";
  if (has_will) {
    Will& will = c.will.emplace();
    will.qos = will_qos;
    will.retain = will_retain;
    if (!r.ReadLengthPrefixed(&will.topic)) {
      return "will topic runs past the end of the packet [MQTT-3.1.2-9]";
    }
    if (!IsValidTopicName(will.topic)) {
      return TopicNameError(will.topic, "will topic is not valid UTF-8 [MQTT-3.1.3-10]");
    }
    if (!r.ReadLengthPrefixed(&will.payload)) {
      return "will message runs past the end of the packet [MQTT-3.1.2-9]";
    }
  }
  if (has_username) {
    if (!r.ReadLengthPrefixed(&c.username.emplace())) {
      return "user name runs past the end of the packet [MQTT-3.1.2-19]";
    }
    if (!IsValidUtf8(*c.username)) return "user name is not valid UTF-8 [MQTT-3.1.3-11]";
  }
  if (has_password && !r.ReadLengthPrefixed(&c.password.emplace())) {
    return "password runs past the end of the packet [MQTT-3.1.2-21]";
  }
  return r.empty() ? nullptr : kLeftoverBytes;
}

Error DecodeConnack(Reader& r, Packet* packet) {
  Connack& c = packet->emplace<Connack>();
  uint8_t ack_flags = 0;
  uint8_t code = 0;
  // The fixed header check guarantees exactly two bytes.
  r.ReadByte(&ack_flags);
  r.ReadByte(&code);
  if (ack_flags & 0xFE) return "reserved acknowledge flags must be 0 [section 3.2.2.1]";
  if (code > static_cast<uint8_t>(ConnectReturnCode::kNotAuthorized)) {
    return "return codes 6-255 are reserved [section 3.2.2.3]";
  }
  c.session_present = ack_flags & 0x01;
  c.return_code = static_cast<ConnectReturnCode>(code);
  if (c.session_present && code != 0) {
    return "session present must be 0 with a non-zero return code [MQTT-3.2.2-4]";
  }
  return nullptr;
}

Error DecodePublish(Reader& r, uint8_t flags, Packet* packet) {
  Publish& p = packet->emplace<Publish>();
  p.retain = flags & 0x01;
  p.qos = (flags >> 1) & 0x03;
  p.dup = flags & 0x08;
  if (!r.ReadLengthPrefixed(&p.topic)) {
    return "topic name runs past the end of the packet [MQTT-3.3.2-1]";
  }
  if (!IsValidTopicName(p.topic)) {
    return TopicNameError(p.topic, "topic name is not valid UTF-8 [MQTT-3.3.2-1]");
  }
  if (p.qos > 0) {
    if (!r.ReadU16(&p.packet_id)) return "packet identifier is missing [section 3.3.2.2]";
    if (p.packet_id == 0) return "packet identifier must be non-zero [MQTT-2.3.1-1]";
  }
  p.payload = r.ReadRest();
  return nullptr;
}

// PUBACK, PUBREC, PUBREL, PUBCOMP and UNSUBACK: the fixed header check has
// already made sure the body is exactly the packet id.
template <typename T>
Error DecodePacketIdOnly(Reader& r, Packet* packet) {
  r.ReadU16(&packet->emplace<T>().packet_id);
  return nullptr;
}

Error DecodeSubscribe(Reader& r, Packet* packet) {
  Subscribe& s = packet->emplace<Subscribe>();
  if (!r.ReadU16(&s.packet_id)) return "packet identifier is missing [section 3.8.2]";
  if (s.packet_id == 0) return "packet identifier must be non-zero [MQTT-2.3.1-1]";
  if (r.empty()) return "no topic filter [MQTT-3.8.3-3]";
  while (!r.empty()) {
    SubscribeFilter& f = s.filters.emplace_back();
    if (!r.ReadLengthPrefixed(&f.filter)) {
      return "topic filter runs past the end of the packet [section 3.8.3]";
    }
    // The filter's wildcard syntax is the core's business: a bad filter is
    // refused with 0x80 in the SUBACK, not by closing the connection.
    if (!IsValidUtf8(f.filter)) return "topic filter is not valid UTF-8 [MQTT-3.8.3-1]";
    if (f.filter.empty()) return "topic filter is empty [MQTT-4.7.3-1]";
    if (!r.ReadByte(&f.qos)) return "requested QoS is missing [section 3.8.3]";
    if (f.qos & 0xFC) return "reserved bits of the requested QoS must be 0 [MQTT-3-8.3-4]";
    if (f.qos == 3) return "requested QoS 3 is not allowed [MQTT-3-8.3-4]";
  }
  return nullptr;
}

Error DecodeSuback(Reader& r, Packet* packet) {
  Suback& s = packet->emplace<Suback>();
  if (!r.ReadU16(&s.packet_id)) return "packet identifier is missing [section 3.9.2]";
  if (r.empty()) return "no return code [MQTT-3.8.4-5]";
  s.return_codes.reserve(r.remaining());
  uint8_t code = 0;
  while (r.ReadByte(&code)) {
    if (code > 2 && code != kSubackFailure) {
      return "return codes other than 0x00, 0x01, 0x02 and 0x80 are reserved [MQTT-3.9.3-2]";
    }
    s.return_codes.push_back(code);
  }
  return nullptr;
}

Error DecodeUnsubscribe(Reader& r, Packet* packet) {
  Unsubscribe& u = packet->emplace<Unsubscribe>();
  if (!r.ReadU16(&u.packet_id)) return "packet identifier is missing [section 3.10.2]";
  if (u.packet_id == 0) return "packet identifier must be non-zero [MQTT-2.3.1-1]";
  if (r.empty()) return "no topic filter [MQTT-3.10.3-2]";
  while (!r.empty()) {
    std::string_view& filter = u.filters.emplace_back();
    if (!r.ReadLengthPrefixed(&filter)) {
      return "topic filter runs past the end of the packet [section 3.10.3]";
    }
    if (!IsValidUtf8(filter)) return "topic filter is not valid UTF-8 [MQTT-3.10.3-1]";
    if (filter.empty()) return "topic filter is empty [MQTT-4.7.3-1]";
  }
  return nullptr;
}

// The rule a fixed header's flag nibble breaks, or nullptr. PUBLISH uses its
// flags for DUP, QoS and RETAIN; every other type has fixed values
// [MQTT-2.2.2-1].
Error FixedHeaderFlagsError(PacketType type, uint8_t flags) {
  switch (type) {
    case PacketType::kPublish:
      if (((flags >> 1) & 0x03) == 3) return "QoS 3 is not allowed [MQTT-3.3.1-4]";
      if ((flags & 0x08) && ((flags >> 1) & 0x03) == 0) {
        return "DUP must be 0 for QoS 0 [MQTT-3.3.1-2]";
      }
      return nullptr;
    case PacketType::kPubrel:
      return flags == 0x02 ? nullptr : "fixed header flags must be 0010 [MQTT-3.6.1-1]";
    case PacketType::kSubscribe:
      return flags == 0x02 ? nullptr : "fixed header flags must be 0010 [MQTT-3.8.1-1]";
    case PacketType::kUnsubscribe:
      return flags == 0x02 ? nullptr : "fixed header flags must be 0010 [MQTT-3.10.1-1]";
    default:
      return flags == 0 ? nullptr : "reserved fixed header flags must be 0 [MQTT-2.2.2-1]";
  }
}

// The rule a remaining length breaks for the types whose body has a fixed
// size, or nullptr. Checked as soon as the length is known, so a broken
// header is refused without waiting for a body that will never make sense.
Error FixedBodySizeError(PacketType type, uint32_t remaining_length) {
  switch (type) {
    case PacketType::kConnack:
      return remaining_length == 2 ? nullptr : "remaining length must be 2 [section 3.2.1]";
    case PacketType::kPuback:
      return remaining_length == 2 ? nullptr : "remaining length must be 2 [section 3.4.1]";
    case PacketType::kPubrec:
      return remaining_length == 2 ? nullptr : "remaining length must be 2 [section 3.5.1]";
    case PacketType::kPubrel:
      return remaining_length == 2 ? nullptr : "remaining length must be 2 [section 3.6.1]";
    case PacketType::kPubcomp:
      return remaining_length == 2 ? nullptr : "remaining length must be 2 [section 3.7.1]";
    case PacketType::kUnsuback:
      return remaining_length == 2 ? nullptr : "remaining length must be 2 [section 3.11.1]";
    case PacketType::kPingreq:
      return remaining_length == 0 ? nullptr : "remaining length must be 0 [section 3.12.1]";
    case PacketType::kPingresp:
      return remaining_length == 0 ? nullptr : "remaining length must be 0 [section 3.13.1]";
    case PacketType::kDisconnect:
      return remaining_length == 0 ? nullptr : "remaining length must be 0 [section 3.14.1]";
    default:
      return nullptr;
  }
}

Error DecodeBody(PacketType type, uint8_t flags, std::string_view body, Packet* packet) {
  Reader r(body);
  switch (type) {
    case PacketType::kConnect:
      return DecodeConnect(r, packet);
    case PacketType::kConnack:
      return DecodeConnack(r, packet);
    case PacketType::kPublish:
      return DecodePublish(r, flags, packet);
    case PacketType::kPuback:
      return DecodePacketIdOnly<Puback>(r, packet);
    case PacketType::kPubrec:
      return DecodePacketIdOnly<Pubrec>(r, packet);
    case PacketType::kPubrel:
      return DecodePacketIdOnly<Pubrel>(r, packet);
    case PacketType::kPubcomp:
      return DecodePacketIdOnly<Pubcomp>(r, packet);
    case PacketType::kSubscribe:
      return DecodeSubscribe(r, packet);
    case PacketType::kSuback:
      return DecodeSuback(r, packet);
    case PacketType::kUnsubscribe:
      return DecodeUnsubscribe(r, packet);
    case PacketType::kUnsuback:
      return DecodePacketIdOnly<Unsuback>(r, packet);
    case PacketType::kPingreq:
      packet->emplace<Pingreq>();
      return nullptr;
    case PacketType::kPingresp:
      packet->emplace<Pingresp>();
      return nullptr;
    case PacketType::kDisconnect:
      packet->emplace<Disconnect>();
      return nullptr;
    case PacketType::kAuth:
      break;
  }
  // Decode refuses type 15 before it gets here.
  return "unexpected packet type";
}

DecodeResult Malformed(DecodeResult result, const char* packet_name, Error rule) {
  result.status = DecodeStatus::kMalformed;
  result.consumed = 0;
  result.error = std::string(packet_name) + ": " + rule;
  return result;
}

// --- Encoding ---

void AppendByte(uint8_t value, std::string* out) { out->push_back(static_cast<char>(value)); }

void AppendU16(uint16_t value, std::string* out) {
  AppendByte(static_cast<uint8_t>(value >> 8), out);
  AppendByte(static_cast<uint8_t>(value), out);
}

void AppendLengthPrefixed(std::string_view value, std::string* out) {
  // Longer fields cannot be represented; callers validate before encoding.
  assert(value.size() <= kMaxStringLength);
  AppendU16(static_cast<uint16_t>(value.size()), out);
  out->append(value);
}

// Writes the fixed header and reserves room for the body, so that appending
// the fields never reallocates.
void AppendFixedHeader(uint8_t first_byte, size_t remaining_length, std::string* out) {
  assert(remaining_length <= kMaxRemainingLength);
  uint8_t length[4];
  const size_t length_size = EncodeRemainingLength(static_cast<uint32_t>(remaining_length), length);
  out->reserve(out->size() + 1 + length_size + remaining_length);
  AppendByte(first_byte, out);
  out->append(reinterpret_cast<const char*>(length), length_size);
}

uint8_t HeaderByte(PacketType type, uint8_t flags = 0) {
  return static_cast<uint8_t>((static_cast<uint8_t>(type) << 4) | flags);
}

void EncodeConnect(const Connect& c, std::string* out) {
  // An unset name means "the usual one", so a default Connect encodes as a
  // valid 3.1.1 CONNECT.
  const std::string_view name = c.protocol_name.empty() ? "MQTT" : c.protocol_name;
  uint8_t flags = c.clean_session ? 0x02 : 0;
  size_t length = 2 + name.size() + 1 + 1 + 2 + 2 + c.client_id.size();
  if (c.will) {
    flags |= static_cast<uint8_t>(0x04 | (c.will->qos << 3) | (c.will->retain ? 0x20 : 0));
    length += 2 + c.will->topic.size() + 2 + c.will->payload.size();
  }
  if (c.username) {
    flags |= 0x80;
    length += 2 + c.username->size();
  }
  if (c.password) {
    flags |= 0x40;
    length += 2 + c.password->size();
  }
  AppendFixedHeader(HeaderByte(PacketType::kConnect), length, out);
  AppendLengthPrefixed(name, out);
  AppendByte(c.protocol_level, out);
  AppendByte(flags, out);
  AppendU16(c.keep_alive, out);
  AppendLengthPrefixed(c.client_id, out);
  if (c.will) {
    AppendLengthPrefixed(c.will->topic, out);
    AppendLengthPrefixed(c.will->payload, out);
  }
  if (c.username) AppendLengthPrefixed(*c.username, out);
  if (c.password) AppendLengthPrefixed(*c.password, out);
}

void EncodeConnack(const Connack& c, std::string* out) {
  AppendFixedHeader(HeaderByte(PacketType::kConnack), 2, out);
  AppendByte(c.session_present ? 1 : 0, out);
  AppendByte(static_cast<uint8_t>(c.return_code), out);
}

void EncodePublish(const Publish& p, std::string* out) {
  const size_t length = 2 + p.topic.size() + (p.qos > 0 ? 2 : 0) + p.payload.size();
  AppendFixedHeader(PublishHeaderByte(p.qos, p.retain, p.dup), length, out);
  AppendLengthPrefixed(p.topic, out);
  if (p.qos > 0) AppendU16(p.packet_id, out);
  out->append(p.payload);
}

void EncodePacketId(PacketType type, uint8_t flags, uint16_t packet_id, std::string* out) {
  AppendFixedHeader(HeaderByte(type, flags), 2, out);
  AppendU16(packet_id, out);
}

void EncodeSubscribe(const Subscribe& s, std::string* out) {
  size_t length = 2;
  for (const SubscribeFilter& f : s.filters) length += 2 + f.filter.size() + 1;
  AppendFixedHeader(HeaderByte(PacketType::kSubscribe, 0x02), length, out);
  AppendU16(s.packet_id, out);
  for (const SubscribeFilter& f : s.filters) {
    AppendLengthPrefixed(f.filter, out);
    AppendByte(f.qos, out);
  }
}

void EncodeSuback(const Suback& s, std::string* out) {
  AppendFixedHeader(HeaderByte(PacketType::kSuback), 2 + s.return_codes.size(), out);
  AppendU16(s.packet_id, out);
  for (uint8_t code : s.return_codes) AppendByte(code, out);
}

void EncodeUnsubscribe(const Unsubscribe& u, std::string* out) {
  size_t length = 2;
  for (std::string_view filter : u.filters) length += 2 + filter.size();
  AppendFixedHeader(HeaderByte(PacketType::kUnsubscribe, 0x02), length, out);
  AppendU16(u.packet_id, out);
  for (std::string_view filter : u.filters) AppendLengthPrefixed(filter, out);
}

}  // namespace

DecodeResult Decode(std::string_view data, size_t max_packet_size) {
  DecodeResult result;
  if (data.empty()) return result;

  const uint8_t first = static_cast<uint8_t>(data[0]);
  const uint8_t type_bits = first >> 4;
  const uint8_t flags = first & 0x0F;
  // The first byte alone can condemn the stream, so it is judged before
  // waiting for anything else.
  if (type_bits == 0) {
    return Malformed(std::move(result), "packet type 0", "reserved [section 2.2.1]");
  }
  if (type_bits == static_cast<uint8_t>(PacketType::kAuth)) {
    return Malformed(std::move(result), "packet type 15",
                     "reserved in MQTT 3.1.1 (AUTH exists only in MQTT 5) [section 2.2.1]");
  }
  const auto type = static_cast<PacketType>(type_bits);
  const char* name = PacketTypeName(type);
  if (Error error = FixedHeaderFlagsError(type, flags)) {
    return Malformed(std::move(result), name, error);
  }

  // Remaining length: 7 bits per byte, least significant first, at most 4
  // bytes [section 2.2.3].
  uint32_t remaining_length = 0;
  size_t header_size = 1;
  for (int shift = 0;; shift += 7) {
    if (header_size >= data.size()) return result;  // incomplete
    const uint8_t byte = static_cast<uint8_t>(data[header_size++]);
    remaining_length |= static_cast<uint32_t>(byte & 0x7F) << shift;
    if (!(byte & 0x80)) break;
    if (header_size == 5) {
      return Malformed(std::move(result), name,
                       "remaining length longer than 4 bytes [section 2.2.3]");
    }
  }
  if (Error error = FixedBodySizeError(type, remaining_length)) {
    return Malformed(std::move(result), name, error);
  }
  const size_t packet_size = header_size + remaining_length;
  if (packet_size > max_packet_size) {
    result.status = DecodeStatus::kTooLarge;
    result.error = std::string(name) + ": packet of " + std::to_string(packet_size) +
                   " bytes exceeds the limit of " + std::to_string(max_packet_size) + " bytes";
    return result;
  }
  if (data.size() < packet_size) return result;  // incomplete

  const std::string_view body = data.substr(header_size, remaining_length);
  if (Error error = DecodeBody(type, flags, body, &result.packet)) {
    return Malformed(std::move(result), name, error);
  }
  result.status = DecodeStatus::kOk;
  result.consumed = packet_size;
  return result;
}

void Encode(const Packet& packet, std::string* out) {
  std::visit(
      [out](const auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, Connect>) {
          EncodeConnect(p, out);
        } else if constexpr (std::is_same_v<T, Connack>) {
          EncodeConnack(p, out);
        } else if constexpr (std::is_same_v<T, Publish>) {
          EncodePublish(p, out);
        } else if constexpr (std::is_same_v<T, Puback>) {
          EncodePacketId(PacketType::kPuback, 0, p.packet_id, out);
        } else if constexpr (std::is_same_v<T, Pubrec>) {
          EncodePacketId(PacketType::kPubrec, 0, p.packet_id, out);
        } else if constexpr (std::is_same_v<T, Pubrel>) {
          EncodePacketId(PacketType::kPubrel, 0x02, p.packet_id, out);
        } else if constexpr (std::is_same_v<T, Pubcomp>) {
          EncodePacketId(PacketType::kPubcomp, 0, p.packet_id, out);
        } else if constexpr (std::is_same_v<T, Subscribe>) {
          EncodeSubscribe(p, out);
        } else if constexpr (std::is_same_v<T, Suback>) {
          EncodeSuback(p, out);
        } else if constexpr (std::is_same_v<T, Unsubscribe>) {
          EncodeUnsubscribe(p, out);
        } else if constexpr (std::is_same_v<T, Unsuback>) {
          EncodePacketId(PacketType::kUnsuback, 0, p.packet_id, out);
        } else if constexpr (std::is_same_v<T, Pingreq>) {
          AppendFixedHeader(HeaderByte(PacketType::kPingreq), 0, out);
        } else if constexpr (std::is_same_v<T, Pingresp>) {
          AppendFixedHeader(HeaderByte(PacketType::kPingresp), 0, out);
        } else {
          static_assert(std::is_same_v<T, Disconnect>, "every packet type needs an encoder");
          AppendFixedHeader(HeaderByte(PacketType::kDisconnect), 0, out);
        }
      },
      packet);
}

size_t EncodeRemainingLength(uint32_t length, uint8_t out[4]) {
  assert(length <= kMaxRemainingLength);
  // Never write a fifth byte, even if a caller broke the contract in a
  // release build.
  if (length > kMaxRemainingLength) length = kMaxRemainingLength;
  size_t used = 0;
  do {
    uint8_t byte = length & 0x7F;
    length >>= 7;
    if (length > 0) byte |= 0x80;
    out[used++] = byte;
  } while (length > 0);
  return used;
}

}  // namespace plaza::mqtt
