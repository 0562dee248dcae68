// The MQTT 3.1.1 and 5.0 wire formats (OASIS standards, sections 1 to 3).
// Decode is the broker's first line of defence against untrusted bytes: it
// checks every rule whose violation makes a packet malformed (and, for MQTT
// 5, every Protocol Error visible in a single packet), so that the core can
// trust what it receives. Rule numbers in error texts are the standard's
// normative-statement ids, or its section numbers where a rule has no id;
// MQTT 5 section numbers are marked "v5".
#include "mqtt/codec.h"

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "mqtt/codec_internal.h"
#include "mqtt/topic.h"

namespace plaza::mqtt {

namespace {

constexpr Error kLeftoverBytes = "bytes left over after the last field [section 2.2.3]";

// Why a topic name (PUBLISH topic or will topic) failed IsValidTopicName.
// Called only on failure, so the hot path stays a single pass.
Error TopicNameError(std::string_view topic, Error utf8_rule) {
  if (!IsValidUtf8(topic)) return utf8_rule;
  if (topic.empty()) return "topic name is empty [MQTT-4.7.3-1]";
  return "topic name contains a wildcard [MQTT-3.3.2-2]";
}

// The same for MQTT 5, where an invalid name that is well-formed UTF-8 is
// answered with "Topic Name invalid" rather than "Malformed Packet".
Error TopicNameError5(std::string_view topic, Error utf8_rule) {
  Error error = TopicNameError(topic, utf8_rule);
  if (IsValidUtf8(topic)) error.reason = ReasonCode::kTopicNameInvalid;
  return error;
}

// Checks the reason code of an MQTT 5 packet against the standard's table.
Error CheckReasonCode(PacketType type, uint8_t code, const char* rule) {
  return IsValidReasonCode(type, code) ? Error() : Error(rule, ReasonCode::kProtocolError);
}

Error DecodeConnect5(Reader& r, Connect& c);

Error DecodeConnect(Reader& r, Packet* packet) {
  Connect& c = packet->emplace<Connect>();
  c.protocol_level = 0;  // until read, so a refusal does not claim a level
  if (!r.ReadLengthPrefixed(&c.protocol_name)) {
    return "protocol name runs past the end of the packet [section 3.1.2.1]";
  }
  if (!r.ReadByte(&c.protocol_level)) return "protocol level is missing [section 3.1.2.2]";
  if (c.protocol_level == kProtocolLevel5) return DecodeConnect5(r, c);
  // Any other level is a protocol this decoder does not speak: its layout may
  // differ, so stop here and let the core refuse it with return code 1
  // [MQTT-3.1.2-2].
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

// --- MQTT 5 bodies ---

Error DecodeConnect5(Reader& r, Connect& c) {
  if (c.protocol_name != "MQTT") {
    return Error("protocol name must be \"MQTT\" [MQTT-3.1.2-1]",
                 ReasonCode::kUnsupportedProtocolVersion);
  }
  uint8_t flags = 0;
  if (!r.ReadByte(&flags)) return "connect flags are missing [v5 section 3.1.2.3]";
  if (!r.ReadU16(&c.keep_alive)) return "keep alive is missing [v5 section 3.1.2.10]";
  if (flags & 0x01) return "reserved connect flag must be 0 [MQTT-3.1.2-3]";
  const bool has_will = flags & 0x04;
  const uint8_t will_qos = (flags >> 3) & 0x03;
  const bool will_retain = flags & 0x20;
  if (!has_will && will_qos != 0) return "will QoS must be 0 without a will [MQTT-3.1.2-11]";
  if (will_qos == 3) return "will QoS 3 is not allowed [MQTT-3.1.2-12]";
  if (!has_will && will_retain) return "will retain must be 0 without a will [MQTT-3.1.2-13]";
  // Unlike 3.1.1, MQTT 5 allows a password without a user name.
  c.clean_session = flags & 0x02;
  if (Error error = DecodeProperties(r, kInConnect, &c.properties)) return error;

  if (!r.ReadLengthPrefixed(&c.client_id)) {
    return "client identifier runs past the end of the packet [MQTT-3.1.3-3]";
  }
  if (!IsValidUtf8(c.client_id)) return "client identifier is not valid UTF-8 [MQTT-3.1.3-4]";
  if (has_will) {
    Will& will = c.will.emplace();
    will.qos = will_qos;
    will.retain = will_retain;
    if (Error error = DecodeProperties(r, kInWill, &will.properties)) return error;
    if (!r.ReadLengthPrefixed(&will.topic)) {
      return "will topic runs past the end of the packet [MQTT-3.1.2-9]";
    }
    if (!IsValidTopicName(will.topic)) {
      return TopicNameError5(will.topic, "will topic is not valid UTF-8 [MQTT-3.1.3-11]");
    }
    if (!r.ReadLengthPrefixed(&will.payload)) {
      return "will payload runs past the end of the packet [MQTT-3.1.2-9]";
    }
  }
  if (flags & 0x80) {
    if (!r.ReadLengthPrefixed(&c.username.emplace())) {
      return "user name runs past the end of the packet [MQTT-3.1.2-17]";
    }
    if (!IsValidUtf8(*c.username)) return "user name is not valid UTF-8 [MQTT-3.1.3-12]";
  }
  if ((flags & 0x40) && !r.ReadLengthPrefixed(&c.password.emplace())) {
    return "password runs past the end of the packet [MQTT-3.1.2-19]";
  }
  return r.empty() ? nullptr : kLeftoverBytes;
}

Error DecodeConnack5(Reader& r, Packet* packet) {
  Connack& c = packet->emplace<Connack>();
  uint8_t ack_flags = 0;
  uint8_t code = 0;
  if (!r.ReadByte(&ack_flags)) return "acknowledge flags are missing [v5 section 3.2.2.1]";
  if (!r.ReadByte(&code)) return "reason code is missing [v5 section 3.2.2.2]";
  if (ack_flags & 0xFE) return "reserved acknowledge flags must be 0 [MQTT-3.2.2-1]";
  c.session_present = ack_flags & 0x01;
  c.reason_code = static_cast<ReasonCode>(code);
  if (Error error = DecodeProperties(r, kInConnack, &c.properties)) return error;
  if (Error error =
          CheckReasonCode(PacketType::kConnack, code, "not a CONNACK reason code [MQTT-3.2.2-8]")) {
    return error;
  }
  if (c.session_present && code != 0) {
    return ProtocolError("session present must be 0 with a non-zero reason code [MQTT-3.2.2-6]");
  }
  return r.empty() ? nullptr : kLeftoverBytes;
}

Error DecodePublish5(Reader& r, uint8_t flags, Packet* packet) {
  Publish& p = packet->emplace<Publish>();
  p.retain = flags & 0x01;
  p.qos = (flags >> 1) & 0x03;
  p.dup = flags & 0x08;
  if (!r.ReadLengthPrefixed(&p.topic)) {
    return "topic name runs past the end of the packet [MQTT-3.3.2-1]";
  }
  // An empty name is allowed only with a Topic Alias, known after the
  // properties; any other invalid name is refused now.
  if (!p.topic.empty() && !IsValidTopicName(p.topic)) {
    return TopicNameError5(p.topic, "topic name is not valid UTF-8 [MQTT-3.3.2-1]");
  }
  if (p.qos > 0) {
    if (!r.ReadU16(&p.packet_id)) return "packet identifier is missing [v5 section 3.3.2.2]";
    if (p.packet_id == 0) return "packet identifier must be non-zero [MQTT-2.2.1-3]";
  }
  if (Error error = DecodeProperties(r, kInPublish, &p.properties)) return error;
  if (p.topic.empty() && !p.properties.topic_alias) {
    return ProtocolError("empty topic name without a topic alias [v5 section 3.3.2.3.4]");
  }
  p.payload = r.ReadRest();
  return nullptr;
}

// PUBACK, PUBREC, PUBREL, PUBCOMP: a packet id, then a reason code and
// properties that a shorter remaining length leaves out (v5 section 3.4.2.1).
template <typename T>
Error DecodePubAck5(Reader& r, Packet* packet, const char* reason_rule) {
  T& ack = packet->emplace<T>();
  // The fixed header check guarantees at least the packet id.
  r.ReadU16(&ack.packet_id);
  if (r.empty()) return nullptr;
  uint8_t code = 0;
  r.ReadByte(&code);
  ack.reason_code = static_cast<ReasonCode>(code);
  if (!r.empty()) {
    if (Error error = DecodeProperties(r, kInPubAck, &ack.properties)) return error;
  }
  if (Error error = CheckReasonCode(TypeOf(*packet), code, reason_rule)) return error;
  return r.empty() ? nullptr : kLeftoverBytes;
}

Error DecodeSubscribe5(Reader& r, Packet* packet) {
  Subscribe& s = packet->emplace<Subscribe>();
  if (!r.ReadU16(&s.packet_id)) return "packet identifier is missing [v5 section 3.8.2]";
  if (s.packet_id == 0) return "packet identifier must be non-zero [MQTT-2.2.1-3]";
  if (Error error = DecodeProperties(r, kInSubscribe, &s.properties)) return error;
  if (r.empty()) return ProtocolError("no topic filter [MQTT-3.8.3-2]");
  while (!r.empty()) {
    SubscribeFilter& f = s.filters.emplace_back();
    if (!r.ReadLengthPrefixed(&f.filter)) {
      return "topic filter runs past the end of the packet [v5 section 3.8.3]";
    }
    // The filter's wildcard syntax is the core's business: a bad filter is
    // refused with 0x8F in the SUBACK, not by closing the connection.
    if (!IsValidUtf8(f.filter)) return "topic filter is not valid UTF-8 [MQTT-3.8.3-1]";
    if (f.filter.empty()) return "topic filter is empty [MQTT-4.7.3-1]";
    uint8_t options = 0;
    if (!r.ReadByte(&options)) return "subscription options are missing [v5 section 3.8.3.1]";
    if (options & 0xC0) return "reserved subscription option bits must be 0 [MQTT-3.8.3-5]";
    f.qos = options & 0x03;
    f.no_local = options & 0x04;
    f.retain_as_published = options & 0x08;
    f.retain_handling = (options >> 4) & 0x03;
    if (f.qos == 3) return ProtocolError("maximum QoS 3 is not allowed [v5 section 3.8.3.1]");
    if (f.retain_handling == 3) {
      return ProtocolError("retain handling 3 is not allowed [v5 section 3.8.3.1]");
    }
  }
  return nullptr;
}

Error DecodeSuback5(Reader& r, Packet* packet) {
  Suback& s = packet->emplace<Suback>();
  if (!r.ReadU16(&s.packet_id)) return "packet identifier is missing [v5 section 3.9.2]";
  if (Error error = DecodeProperties(r, kInSuback, &s.properties)) return error;
  if (r.empty()) return "no reason code [v5 section 3.9.3]";
  s.return_codes.reserve(r.remaining());
  uint8_t code = 0;
  while (r.ReadByte(&code)) {
    if (Error error =
            CheckReasonCode(PacketType::kSuback, code, "not a SUBACK reason code [MQTT-3.9.3-2]")) {
      return error;
    }
    s.return_codes.push_back(code);
  }
  return nullptr;
}

Error DecodeUnsubscribe5(Reader& r, Packet* packet) {
  Unsubscribe& u = packet->emplace<Unsubscribe>();
  if (!r.ReadU16(&u.packet_id)) return "packet identifier is missing [v5 section 3.10.2]";
  if (u.packet_id == 0) return "packet identifier must be non-zero [MQTT-2.2.1-3]";
  if (Error error = DecodeProperties(r, kInUnsubscribe, &u.properties)) return error;
  if (r.empty()) return ProtocolError("no topic filter [MQTT-3.10.3-2]");
  while (!r.empty()) {
    std::string_view& filter = u.filters.emplace_back();
    if (!r.ReadLengthPrefixed(&filter)) {
      return "topic filter runs past the end of the packet [v5 section 3.10.3]";
    }
    if (!IsValidUtf8(filter)) return "topic filter is not valid UTF-8 [MQTT-3.10.3-1]";
    if (filter.empty()) return "topic filter is empty [MQTT-4.7.3-1]";
  }
  return nullptr;
}

Error DecodeUnsuback5(Reader& r, Packet* packet) {
  Unsuback& u = packet->emplace<Unsuback>();
  if (!r.ReadU16(&u.packet_id)) return "packet identifier is missing [v5 section 3.11.2]";
  if (Error error = DecodeProperties(r, kInUnsuback, &u.properties)) return error;
  if (r.empty()) return "no reason code [v5 section 3.11.3]";
  u.reason_codes.reserve(r.remaining());
  uint8_t code = 0;
  while (r.ReadByte(&code)) {
    if (Error error = CheckReasonCode(PacketType::kUnsuback, code,
                                      "not an UNSUBACK reason code [MQTT-3.11.3-2]")) {
      return error;
    }
    u.reason_codes.push_back(static_cast<ReasonCode>(code));
  }
  return nullptr;
}

// DISCONNECT and AUTH: a reason code and properties, each left out when the
// remaining length stops before it (v5 sections 3.14.2.1 and 3.15.2.1).
template <typename T>
Error DecodeReasonAndProperties5(Reader& r, Packet* packet, uint16_t where,
                                 const char* reason_rule) {
  T& p = packet->emplace<T>();
  if (r.empty()) return nullptr;
  uint8_t code = 0;
  r.ReadByte(&code);
  p.reason_code = static_cast<ReasonCode>(code);
  if (!r.empty()) {
    if (Error error = DecodeProperties(r, where, &p.properties)) return error;
  }
  if (Error error = CheckReasonCode(TypeOf(*packet), code, reason_rule)) return error;
  return r.empty() ? nullptr : kLeftoverBytes;
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

// The same for MQTT 5, where most bodies grew optional parts: only the
// lower bounds and the body-less types are known from the header.
Error FixedBodySizeError5(PacketType type, uint32_t remaining_length) {
  switch (type) {
    case PacketType::kConnack:
      return remaining_length >= 3 ? nullptr
                                   : "remaining length must be at least 3 [v5 section 3.2.1]";
    case PacketType::kPuback:
      return remaining_length >= 2 ? nullptr
                                   : "remaining length must be at least 2 [v5 section 3.4.1]";
    case PacketType::kPubrec:
      return remaining_length >= 2 ? nullptr
                                   : "remaining length must be at least 2 [v5 section 3.5.1]";
    case PacketType::kPubrel:
      return remaining_length >= 2 ? nullptr
                                   : "remaining length must be at least 2 [v5 section 3.6.1]";
    case PacketType::kPubcomp:
      return remaining_length >= 2 ? nullptr
                                   : "remaining length must be at least 2 [v5 section 3.7.1]";
    case PacketType::kPingreq:
      return remaining_length == 0 ? nullptr : "remaining length must be 0 [v5 section 3.12.1]";
    case PacketType::kPingresp:
      return remaining_length == 0 ? nullptr : "remaining length must be 0 [v5 section 3.13.1]";
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

Error DecodeBody5(PacketType type, uint8_t flags, std::string_view body, Packet* packet) {
  Reader r(body);
  switch (type) {
    case PacketType::kConnect:
      // Still read by its own level byte: a client may not switch protocols,
      // but that is for the core to judge (a second CONNECT is an error).
      return DecodeConnect(r, packet);
    case PacketType::kConnack:
      return DecodeConnack5(r, packet);
    case PacketType::kPublish:
      return DecodePublish5(r, flags, packet);
    case PacketType::kPuback:
      return DecodePubAck5<Puback>(r, packet, "not a PUBACK reason code [MQTT-3.4.2-1]");
    case PacketType::kPubrec:
      return DecodePubAck5<Pubrec>(r, packet, "not a PUBREC reason code [MQTT-3.5.2-1]");
    case PacketType::kPubrel:
      return DecodePubAck5<Pubrel>(r, packet, "not a PUBREL reason code [MQTT-3.6.2-1]");
    case PacketType::kPubcomp:
      return DecodePubAck5<Pubcomp>(r, packet, "not a PUBCOMP reason code [MQTT-3.7.2-1]");
    case PacketType::kSubscribe:
      return DecodeSubscribe5(r, packet);
    case PacketType::kSuback:
      return DecodeSuback5(r, packet);
    case PacketType::kUnsubscribe:
      return DecodeUnsubscribe5(r, packet);
    case PacketType::kUnsuback:
      return DecodeUnsuback5(r, packet);
    case PacketType::kPingreq:
      packet->emplace<Pingreq>();
      return nullptr;
    case PacketType::kPingresp:
      packet->emplace<Pingresp>();
      return nullptr;
    case PacketType::kDisconnect:
      return DecodeReasonAndProperties5<Disconnect>(r, packet, kInDisconnect,
                                                    "not a DISCONNECT reason code [MQTT-3.14.2-1]");
    case PacketType::kAuth:
      return DecodeReasonAndProperties5<Auth>(r, packet, kInAuth,
                                              "not an AUTH reason code [MQTT-3.15.2-1]");
  }
  return "unexpected packet type";
}

DecodeResult Malformed(DecodeResult result, const char* packet_name, Error rule) {
  result.status = DecodeStatus::kMalformed;
  result.consumed = 0;
  result.reason = rule.reason;
  result.error = std::string(packet_name) + ": " + rule.text;
  if (rule.property != 0) {
    result.error += std::string(" (") + PropertyName(static_cast<PropertyId>(rule.property)) + ")";
  }
  return result;
}

// --- Encoding ---

}  // namespace

size_t VarIntSize(size_t value) {
  return value < 128 ? 1 : value < 16384 ? 2 : value < 2097152 ? 3 : 4;
}

namespace {

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

// Each packet type has a BodySize (the remaining length) and an AppendBody,
// so that Encode and EncodedSize share one definition of the layout.

std::string_view ProtocolNameOf(const Connect& c) {
  // An unset name means "the usual one", so a default Connect encodes as a
  // valid CONNECT.
  return c.protocol_name.empty() ? "MQTT" : c.protocol_name;
}

size_t BodySize(const Connect& c, bool) {
  const bool v5 = c.protocol_level == kProtocolLevel5;
  size_t length = 2 + ProtocolNameOf(c).size() + 1 + 1 + 2 + 2 + c.client_id.size();
  if (v5) length += PropertiesSize(c.properties);
  if (c.will) {
    length += 2 + c.will->topic.size() + 2 + c.will->payload.size();
    if (v5) length += PropertiesSize(c.will->properties);
  }
  if (c.username) length += 2 + c.username->size();
  if (c.password) length += 2 + c.password->size();
  return length;
}

void AppendBody(const Connect& c, bool, std::string* out) {
  const bool v5 = c.protocol_level == kProtocolLevel5;
  uint8_t flags = c.clean_session ? 0x02 : 0;
  if (c.will) {
    flags |= static_cast<uint8_t>(0x04 | (c.will->qos << 3) | (c.will->retain ? 0x20 : 0));
  }
  if (c.username) flags |= 0x80;
  if (c.password) flags |= 0x40;
  AppendLengthPrefixed(ProtocolNameOf(c), out);
  AppendByte(c.protocol_level, out);
  AppendByte(flags, out);
  AppendU16(c.keep_alive, out);
  if (v5) AppendProperties(c.properties, out);
  AppendLengthPrefixed(c.client_id, out);
  if (c.will) {
    if (v5) AppendProperties(c.will->properties, out);
    AppendLengthPrefixed(c.will->topic, out);
    AppendLengthPrefixed(c.will->payload, out);
  }
  if (c.username) AppendLengthPrefixed(*c.username, out);
  if (c.password) AppendLengthPrefixed(*c.password, out);
}

size_t BodySize(const Connack& c, bool v5) { return v5 ? 2 + PropertiesSize(c.properties) : 2; }

void AppendBody(const Connack& c, bool v5, std::string* out) {
  AppendByte(c.session_present ? 1 : 0, out);
  if (v5) {
    AppendByte(static_cast<uint8_t>(c.reason_code), out);
    AppendProperties(c.properties, out);
  } else {
    AppendByte(static_cast<uint8_t>(c.return_code), out);
  }
}

size_t BodySize(const Publish& p, bool v5) {
  return 2 + p.topic.size() + (p.qos > 0 ? 2 : 0) + (v5 ? PropertiesSize(p.properties) : 0) +
         p.payload.size();
}

void AppendBody(const Publish& p, bool v5, std::string* out) {
  AppendLengthPrefixed(p.topic, out);
  if (p.qos > 0) AppendU16(p.packet_id, out);
  if (v5) AppendProperties(p.properties, out);
  out->append(p.payload);
}

// PUBACK, PUBREC, PUBREL, PUBCOMP: MQTT 5 leaves out what is 0x00 / empty.
template <typename T>
concept PubAck = std::is_same_v<T, Puback> || std::is_same_v<T, Pubrec> ||
    std::is_same_v<T, Pubrel> || std::is_same_v<T, Pubcomp>;

template <PubAck T>
size_t BodySize(const T& ack, bool v5) {
  if (!v5) return 2;
  const size_t properties = PropertiesBodySize(ack.properties);
  if (properties == 0) return ack.reason_code == ReasonCode::kSuccess ? 2 : 3;
  return 3 + VarIntSize(properties) + properties;
}

template <PubAck T>
void AppendBody(const T& ack, bool v5, std::string* out) {
  AppendU16(ack.packet_id, out);
  const size_t length = BodySize(ack, v5);
  if (length >= 3) AppendByte(static_cast<uint8_t>(ack.reason_code), out);
  if (length >= 4) AppendProperties(ack.properties, out);
}

uint8_t SubscriptionOptions(const SubscribeFilter& f, bool v5) {
  if (!v5) return f.qos;
  return static_cast<uint8_t>(f.qos | (f.no_local ? 0x04 : 0) | (f.retain_as_published ? 0x08 : 0) |
                              (f.retain_handling << 4));
}

size_t BodySize(const Subscribe& s, bool v5) {
  size_t length = 2 + (v5 ? PropertiesSize(s.properties) : 0);
  for (const SubscribeFilter& f : s.filters) length += 2 + f.filter.size() + 1;
  return length;
}

void AppendBody(const Subscribe& s, bool v5, std::string* out) {
  AppendU16(s.packet_id, out);
  if (v5) AppendProperties(s.properties, out);
  for (const SubscribeFilter& f : s.filters) {
    AppendLengthPrefixed(f.filter, out);
    AppendByte(SubscriptionOptions(f, v5), out);
  }
}

size_t BodySize(const Suback& s, bool v5) {
  return 2 + (v5 ? PropertiesSize(s.properties) : 0) + s.return_codes.size();
}

void AppendBody(const Suback& s, bool v5, std::string* out) {
  AppendU16(s.packet_id, out);
  if (v5) AppendProperties(s.properties, out);
  for (uint8_t code : s.return_codes) AppendByte(code, out);
}

size_t BodySize(const Unsubscribe& u, bool v5) {
  size_t length = 2 + (v5 ? PropertiesSize(u.properties) : 0);
  for (std::string_view filter : u.filters) length += 2 + filter.size();
  return length;
}

void AppendBody(const Unsubscribe& u, bool v5, std::string* out) {
  AppendU16(u.packet_id, out);
  if (v5) AppendProperties(u.properties, out);
  for (std::string_view filter : u.filters) AppendLengthPrefixed(filter, out);
}

size_t BodySize(const Unsuback& u, bool v5) {
  return v5 ? 2 + PropertiesSize(u.properties) + u.reason_codes.size() : 2;
}

void AppendBody(const Unsuback& u, bool v5, std::string* out) {
  AppendU16(u.packet_id, out);
  if (!v5) return;
  AppendProperties(u.properties, out);
  for (ReasonCode code : u.reason_codes) AppendByte(static_cast<uint8_t>(code), out);
}

size_t BodySize(const Pingreq&, bool) { return 0; }
void AppendBody(const Pingreq&, bool, std::string*) {}
size_t BodySize(const Pingresp&, bool) { return 0; }
void AppendBody(const Pingresp&, bool, std::string*) {}

// DISCONNECT (MQTT 5 only) and AUTH (always MQTT 5): the reason code and the
// properties, each left out when it and what follows are 0x00 / empty.
template <typename T>
concept ReasonAndProperties = std::is_same_v<T, Disconnect> || std::is_same_v<T, Auth>;

template <ReasonAndProperties T>
size_t BodySize(const T& p, bool v5) {
  if (!v5 && std::is_same_v<T, Disconnect>) return 0;
  const size_t properties = PropertiesBodySize(p.properties);
  if (properties == 0) return p.reason_code == ReasonCode::kSuccess ? 0 : 1;
  return 1 + VarIntSize(properties) + properties;
}

template <ReasonAndProperties T>
void AppendBody(const T& p, bool v5, std::string* out) {
  const size_t length = BodySize(p, v5);
  if (length >= 1) AppendByte(static_cast<uint8_t>(p.reason_code), out);
  if (length >= 2) AppendProperties(p.properties, out);
}

// The packet type of a Packet alternative, known at compile time (the
// variant lists the types in wire order from CONNECT).
template <typename T, size_t I = 0>
constexpr PacketType TypeOfAlternative() {
  if constexpr (std::is_same_v<std::variant_alternative_t<I, Packet>, T>) {
    return static_cast<PacketType>(I + static_cast<size_t>(PacketType::kConnect));
  } else {
    return TypeOfAlternative<T, I + 1>();
  }
}

template <typename T>
uint8_t FirstByte(const T& p) {
  if constexpr (std::is_same_v<T, Publish>) {
    return PublishHeaderByte(p.qos, p.retain, p.dup);
  } else if constexpr (std::is_same_v<T, Pubrel> || std::is_same_v<T, Subscribe> ||
                       std::is_same_v<T, Unsubscribe>) {
    return HeaderByte(TypeOfAlternative<T>(), 0x02);
  } else {
    return HeaderByte(TypeOfAlternative<T>());
  }
}

}  // namespace

DecodeResult Decode(std::string_view data, size_t max_packet_size, uint8_t protocol_level) {
  DecodeResult result;
  if (data.empty()) return result;
  const bool v5 = protocol_level == kProtocolLevel5;

  const uint8_t first = static_cast<uint8_t>(data[0]);
  const uint8_t type_bits = first >> 4;
  const uint8_t flags = first & 0x0F;
  // The first byte alone can condemn the stream, so it is judged before
  // waiting for anything else.
  if (type_bits == 0) {
    return Malformed(std::move(result), "packet type 0", "reserved [section 2.2.1]");
  }
  if (type_bits == static_cast<uint8_t>(PacketType::kAuth) && !v5) {
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
  uint8_t last_length_byte = 0;
  for (int shift = 0;; shift += 7) {
    if (header_size >= data.size()) return result;  // incomplete
    const uint8_t byte = static_cast<uint8_t>(data[header_size++]);
    last_length_byte = byte;
    remaining_length |= static_cast<uint32_t>(byte & 0x7F) << shift;
    if (!(byte & 0x80)) break;
    if (header_size == 5) {
      return Malformed(std::move(result), name,
                       "remaining length longer than 4 bytes [section 2.2.3]");
    }
  }
  // MQTT 5 wants the shortest form; 3.1.1 did not say so. A v5 CONNECT on a
  // connection that has no version yet is checked once its level is read.
  const bool minimal_length = header_size == 2 || last_length_byte != 0;
  const Error non_minimal = "remaining length not in its shortest form [MQTT-1.5.5-1]";
  if (v5 && !minimal_length) return Malformed(std::move(result), name, non_minimal);
  if (Error error = v5 ? FixedBodySizeError5(type, remaining_length)
                       : FixedBodySizeError(type, remaining_length)) {
    return Malformed(std::move(result), name, error);
  }
  const size_t packet_size = header_size + remaining_length;
  if (packet_size > max_packet_size) {
    result.status = DecodeStatus::kTooLarge;
    result.reason = ReasonCode::kPacketTooLarge;
    result.error = std::string(name) + ": packet of " + std::to_string(packet_size) +
                   " bytes exceeds the limit of " + std::to_string(max_packet_size) + " bytes";
    return result;
  }
  if (data.size() < packet_size) return result;  // incomplete

  const std::string_view body = data.substr(header_size, remaining_length);
  const Error error = v5 ? DecodeBody5(type, flags, body, &result.packet)
                         : DecodeBody(type, flags, body, &result.packet);
  if (const auto* connect = std::get_if<Connect>(&result.packet)) {
    result.connect_protocol_level = connect->protocol_level;
  }
  if (error) return Malformed(std::move(result), name, error);
  if (!minimal_length && type == PacketType::kConnect &&
      std::get<Connect>(result.packet).protocol_level == kProtocolLevel5) {
    return Malformed(std::move(result), name, non_minimal);
  }
  result.status = DecodeStatus::kOk;
  result.consumed = packet_size;
  return result;
}

void Encode(const Packet& packet, std::string* out, uint8_t protocol_level) {
  const bool v5 = protocol_level == kProtocolLevel5;
  std::visit(
      [out, v5](const auto& p) {
        AppendFixedHeader(FirstByte(p), BodySize(p, v5), out);
        AppendBody(p, v5, out);
      },
      packet);
}

size_t EncodedSize(const Packet& packet, uint8_t protocol_level) {
  const bool v5 = protocol_level == kProtocolLevel5;
  const size_t body = std::visit([v5](const auto& p) { return BodySize(p, v5); }, packet);
  return 1 + VarIntSize(body) + body;
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
