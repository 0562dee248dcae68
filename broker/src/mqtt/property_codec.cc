// MQTT 5 properties on the wire (v5 section 2.2.2): which property may
// appear where and with what type, decoding a property block with every
// rule one packet shows, finding repeated properties in a validated block,
// and encoding and sizing a property list. codec.cc calls it for every
// packet that carries properties.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "mqtt/codec.h"
#include "mqtt/codec_internal.h"
#include "mqtt/topic.h"

namespace plaza::mqtt {
namespace {

enum class PropertyType : uint8_t {
  kNone,  // not a property identifier
  kByte,
  kTwoByte,
  kFourByte,
  kVarInt,
  kString,
  kBinary,
  kStringPair,
};

struct PropertySpec {
  PropertyType type = PropertyType::kNone;
  uint16_t where = 0;
};

constexpr uint8_t kPropertyIdLimit = 0x2B;  // one past the largest identifier

constexpr std::array<PropertySpec, kPropertyIdLimit> kPropertySpecs = [] {
  using T = PropertyType;
  std::array<PropertySpec, kPropertyIdLimit> t{};
  const auto set = [&t](PropertyId id, T type, uint16_t where) {
    t[static_cast<uint8_t>(id)] = PropertySpec{type, where};
  };
  set(PropertyId::kPayloadFormatIndicator, T::kByte, kInPublish | kInWill);
  set(PropertyId::kMessageExpiryInterval, T::kFourByte, kInPublish | kInWill);
  set(PropertyId::kContentType, T::kString, kInPublish | kInWill);
  set(PropertyId::kResponseTopic, T::kString, kInPublish | kInWill);
  set(PropertyId::kCorrelationData, T::kBinary, kInPublish | kInWill);
  set(PropertyId::kSubscriptionIdentifier, T::kVarInt, kInPublish | kInSubscribe);
  set(PropertyId::kSessionExpiryInterval, T::kFourByte, kInConnect | kInConnack | kInDisconnect);
  set(PropertyId::kAssignedClientIdentifier, T::kString, kInConnack);
  set(PropertyId::kServerKeepAlive, T::kTwoByte, kInConnack);
  set(PropertyId::kAuthenticationMethod, T::kString, kInConnect | kInConnack | kInAuth);
  set(PropertyId::kAuthenticationData, T::kBinary, kInConnect | kInConnack | kInAuth);
  set(PropertyId::kRequestProblemInformation, T::kByte, kInConnect);
  set(PropertyId::kWillDelayInterval, T::kFourByte, kInWill);
  set(PropertyId::kRequestResponseInformation, T::kByte, kInConnect);
  set(PropertyId::kResponseInformation, T::kString, kInConnack);
  set(PropertyId::kServerReference, T::kString, kInConnack | kInDisconnect);
  set(PropertyId::kReasonString, T::kString,
      kInConnack | kInPubAck | kInSuback | kInUnsuback | kInDisconnect | kInAuth);
  set(PropertyId::kReceiveMaximum, T::kTwoByte, kInConnect | kInConnack);
  set(PropertyId::kTopicAliasMaximum, T::kTwoByte, kInConnect | kInConnack);
  set(PropertyId::kTopicAlias, T::kTwoByte, kInPublish);
  set(PropertyId::kMaximumQos, T::kByte, kInConnack);
  set(PropertyId::kRetainAvailable, T::kByte, kInConnack);
  set(PropertyId::kUserProperty, T::kStringPair,
      kInConnect | kInWill | kInConnack | kInPublish | kInPubAck | kInSubscribe | kInSuback |
          kInUnsubscribe | kInUnsuback | kInDisconnect | kInAuth);
  set(PropertyId::kMaximumPacketSize, T::kFourByte, kInConnect | kInConnack);
  set(PropertyId::kWildcardSubscriptionAvailable, T::kByte, kInConnack);
  set(PropertyId::kSubscriptionIdentifierAvailable, T::kByte, kInConnack);
  set(PropertyId::kSharedSubscriptionAvailable, T::kByte, kInConnack);
  return t;
}();

const PropertySpec* SpecOf(uint8_t id) {
  if (id >= kPropertyIdLimit || kPropertySpecs[id].type == PropertyType::kNone) return nullptr;
  return &kPropertySpecs[id];
}

// Checks a Byte property that the standard allows only as 0 or 1.
Error CheckBoolean(uint8_t value, PropertyId id, std::optional<bool>* out) {
  if (value > 1) return ProtocolError("value other than 0 or 1 [v5 section 2.2.2.2]", id);
  *out = value == 1;
  return nullptr;
}

// Calls `f` for each property that is set, in identifier order (user
// properties in their own order), with the identifier and the value. One
// walk serves both the size computation and the writing, so they agree.
template <typename F>
void ForEachProperty(const Properties& p, F&& f) {
  if (p.payload_format_indicator)
    f(PropertyId::kPayloadFormatIndicator, *p.payload_format_indicator);
  if (p.message_expiry_interval) f(PropertyId::kMessageExpiryInterval, *p.message_expiry_interval);
  if (p.content_type) f(PropertyId::kContentType, *p.content_type);
  if (p.response_topic) f(PropertyId::kResponseTopic, *p.response_topic);
  if (p.correlation_data) f(PropertyId::kCorrelationData, *p.correlation_data);
  for (uint32_t id : p.subscription_identifiers) f(PropertyId::kSubscriptionIdentifier, id);
  if (p.session_expiry_interval) f(PropertyId::kSessionExpiryInterval, *p.session_expiry_interval);
  if (p.assigned_client_identifier) {
    f(PropertyId::kAssignedClientIdentifier, *p.assigned_client_identifier);
  }
  if (p.server_keep_alive) f(PropertyId::kServerKeepAlive, *p.server_keep_alive);
  if (p.authentication_method) f(PropertyId::kAuthenticationMethod, *p.authentication_method);
  if (p.authentication_data) f(PropertyId::kAuthenticationData, *p.authentication_data);
  if (p.request_problem_information) {
    f(PropertyId::kRequestProblemInformation, uint8_t{*p.request_problem_information});
  }
  if (p.will_delay_interval) f(PropertyId::kWillDelayInterval, *p.will_delay_interval);
  if (p.request_response_information) {
    f(PropertyId::kRequestResponseInformation, uint8_t{*p.request_response_information});
  }
  if (p.response_information) f(PropertyId::kResponseInformation, *p.response_information);
  if (p.server_reference) f(PropertyId::kServerReference, *p.server_reference);
  if (p.reason_string) f(PropertyId::kReasonString, *p.reason_string);
  if (p.receive_maximum) f(PropertyId::kReceiveMaximum, *p.receive_maximum);
  if (p.topic_alias_maximum) f(PropertyId::kTopicAliasMaximum, *p.topic_alias_maximum);
  if (p.topic_alias) f(PropertyId::kTopicAlias, *p.topic_alias);
  if (p.maximum_qos) f(PropertyId::kMaximumQos, *p.maximum_qos);
  if (p.retain_available) f(PropertyId::kRetainAvailable, uint8_t{*p.retain_available});
  for (const UserProperty& up : p.user_properties) f(PropertyId::kUserProperty, up);
  if (p.maximum_packet_size) f(PropertyId::kMaximumPacketSize, *p.maximum_packet_size);
  if (p.wildcard_subscription_available) {
    f(PropertyId::kWildcardSubscriptionAvailable, uint8_t{*p.wildcard_subscription_available});
  }
  if (p.subscription_identifier_available) {
    f(PropertyId::kSubscriptionIdentifierAvailable, uint8_t{*p.subscription_identifier_available});
  }
  if (p.shared_subscription_available) {
    f(PropertyId::kSharedSubscriptionAvailable, uint8_t{*p.shared_subscription_available});
  }
}

}  // namespace

Error DecodeProperties(Reader& r, uint16_t where, Properties* props) {
  uint32_t length = 0;
  switch (r.ReadVarInt(&length)) {
    case VarIntStatus::kOk:
      break;
    case VarIntStatus::kTruncated:
      return "property length runs past the end of the packet [v5 section 2.2.2.1]";
    case VarIntStatus::kTooLong:
      return "property length longer than 4 bytes [v5 section 1.5.5]";
    case VarIntStatus::kNotMinimal:
      return "property length not in its shortest form [MQTT-1.5.5-1]";
  }
  if (r.remaining() < length) {
    return "properties run past the end of the packet [v5 section 2.2.2.1]";
  }
  return DecodePropertyBlock(r.ReadBytes(length), where, props);
}

Error DecodePropertyBlock(std::string_view block, uint16_t where, Properties* props) {
  Reader p(block);
  uint64_t seen = 0;
  size_t user_properties = 0;
  size_t subscription_identifiers = 0;
  while (!p.empty()) {
    uint8_t raw_id = 0;
    p.ReadByte(&raw_id);
    const PropertySpec* spec = SpecOf(raw_id);
    // An identifier of more than one byte is also unknown: none exists yet.
    if (!spec) return "unknown property identifier [v5 section 2.2.2.2]";
    const auto id = static_cast<PropertyId>(raw_id);
    if (!(spec->where & where)) {
      return Error("property not allowed in this packet [v5 section 2.2.2.2]",
                   ReasonCode::kMalformedPacket, raw_id);
    }
    // Only User Property repeats, and Subscription Identifier in a PUBLISH
    // from the server (v5 section 3.3.2.3.8); everything else "is a Protocol
    // Error to include more than once".
    const bool repeatable = id == PropertyId::kUserProperty ||
                            (id == PropertyId::kSubscriptionIdentifier && where == kInPublish);
    if (((seen >> raw_id) & 1) && !repeatable) {
      return ProtocolError("property included more than once [v5 section 3]", id);
    }
    seen |= uint64_t{1} << raw_id;

    uint8_t byte = 0;
    uint16_t two = 0;
    uint32_t four = 0;
    std::string_view text;
    std::string_view value;
    const Error truncated("property value runs past the end of the properties [v5 section 2.2.2]",
                          ReasonCode::kMalformedPacket, raw_id);
    switch (spec->type) {
      case PropertyType::kNone:
        break;
      case PropertyType::kByte:
        if (!p.ReadByte(&byte)) return truncated;
        break;
      case PropertyType::kTwoByte:
        if (!p.ReadU16(&two)) return truncated;
        break;
      case PropertyType::kFourByte:
        if (!p.ReadU32(&four)) return truncated;
        break;
      case PropertyType::kVarInt:
        switch (p.ReadVarInt(&four)) {
          case VarIntStatus::kOk:
            break;
          case VarIntStatus::kTruncated:
            return truncated;
          case VarIntStatus::kTooLong:
            return Error("variable byte integer longer than 4 bytes [v5 section 1.5.5]",
                         ReasonCode::kMalformedPacket, raw_id);
          case VarIntStatus::kNotMinimal:
            return Error("variable byte integer not in its shortest form [MQTT-1.5.5-1]",
                         ReasonCode::kMalformedPacket, raw_id);
        }
        break;
      case PropertyType::kString:
        if (!p.ReadLengthPrefixed(&text)) return truncated;
        if (!IsValidUtf8(text)) {
          return Error("string is not valid UTF-8 [MQTT-1.5.4-1]", ReasonCode::kMalformedPacket,
                       raw_id);
        }
        break;
      case PropertyType::kBinary:
        if (!p.ReadLengthPrefixed(&text)) return truncated;
        break;
      case PropertyType::kStringPair:
        if (!p.ReadLengthPrefixed(&text) || !p.ReadLengthPrefixed(&value)) return truncated;
        if (!IsValidUtf8(text) || !IsValidUtf8(value)) {
          return Error("string pair is not valid UTF-8 [MQTT-1.5.7-1]",
                       ReasonCode::kMalformedPacket, raw_id);
        }
        break;
    }

    switch (id) {
      case PropertyId::kPayloadFormatIndicator:
        if (byte > 1) return ProtocolError("value other than 0 or 1 [v5 section 3.3.2.3.2]", id);
        props->payload_format_indicator = byte;
        break;
      case PropertyId::kMessageExpiryInterval:
        props->message_expiry_interval = four;
        break;
      case PropertyId::kContentType:
        props->content_type = text;
        break;
      case PropertyId::kResponseTopic:
        if (!IsValidTopicName(text)) {
          return ProtocolError("response topic is empty or has a wildcard [MQTT-3.3.2-14]", id);
        }
        props->response_topic = text;
        break;
      case PropertyId::kCorrelationData:
        props->correlation_data = text;
        break;
      case PropertyId::kSubscriptionIdentifier:
        if (four == 0) return ProtocolError("value 0 [v5 section 3.3.2.3.8]", id);
        ++subscription_identifiers;
        break;
      case PropertyId::kSessionExpiryInterval:
        props->session_expiry_interval = four;
        break;
      case PropertyId::kAssignedClientIdentifier:
        props->assigned_client_identifier = text;
        break;
      case PropertyId::kServerKeepAlive:
        props->server_keep_alive = two;
        break;
      case PropertyId::kAuthenticationMethod:
        props->authentication_method = text;
        break;
      case PropertyId::kAuthenticationData:
        props->authentication_data = text;
        break;
      case PropertyId::kRequestProblemInformation:
        if (Error e = CheckBoolean(byte, id, &props->request_problem_information)) return e;
        break;
      case PropertyId::kWillDelayInterval:
        props->will_delay_interval = four;
        break;
      case PropertyId::kRequestResponseInformation:
        if (Error e = CheckBoolean(byte, id, &props->request_response_information)) return e;
        break;
      case PropertyId::kResponseInformation:
        props->response_information = text;
        break;
      case PropertyId::kServerReference:
        props->server_reference = text;
        break;
      case PropertyId::kReasonString:
        props->reason_string = text;
        break;
      case PropertyId::kReceiveMaximum:
        if (two == 0) return ProtocolError("value 0 [v5 section 3.1.2.11.3]", id);
        props->receive_maximum = two;
        break;
      case PropertyId::kTopicAliasMaximum:
        props->topic_alias_maximum = two;
        break;
      case PropertyId::kTopicAlias:
        if (two == 0) return ProtocolError("value 0 [MQTT-3.3.2-8]", id);
        props->topic_alias = two;
        break;
      case PropertyId::kMaximumQos:
        if (byte > 1) return ProtocolError("value other than 0 or 1 [v5 section 3.2.2.3.4]", id);
        props->maximum_qos = byte;
        break;
      case PropertyId::kRetainAvailable:
        if (Error e = CheckBoolean(byte, id, &props->retain_available)) return e;
        break;
      case PropertyId::kUserProperty:
        ++user_properties;
        break;
      case PropertyId::kMaximumPacketSize:
        if (four == 0) return ProtocolError("value 0 [v5 section 3.1.2.11.4]", id);
        props->maximum_packet_size = four;
        break;
      case PropertyId::kWildcardSubscriptionAvailable:
        if (Error e = CheckBoolean(byte, id, &props->wildcard_subscription_available)) return e;
        break;
      case PropertyId::kSubscriptionIdentifierAvailable:
        if (Error e = CheckBoolean(byte, id, &props->subscription_identifier_available)) return e;
        break;
      case PropertyId::kSharedSubscriptionAvailable:
        if (Error e = CheckBoolean(byte, id, &props->shared_subscription_available)) return e;
        break;
    }
  }
  if (props->authentication_data && !props->authentication_method) {
    return ProtocolError("authentication data without a method [v5 section 3.1.2.11.10]",
                         PropertyId::kAuthenticationData);
  }
  if (user_properties > 0) {
    props->user_properties =
        UserProperties::FromWire(block, PropertyId::kUserProperty, user_properties);
  }
  if (subscription_identifiers > 0) {
    props->subscription_identifiers = SubscriptionIdentifiers::FromWire(
        block, PropertyId::kSubscriptionIdentifier, subscription_identifiers);
  }
  return nullptr;
}

size_t PropertiesBodySize(const Properties& p) {
  size_t size = 0;
  ForEachProperty(p, [&size](PropertyId id, const auto& value) {
    using V = std::decay_t<decltype(value)>;
    size += 1;
    if constexpr (std::is_same_v<V, uint8_t>) {
      size += 1;
    } else if constexpr (std::is_same_v<V, uint16_t>) {
      size += 2;
    } else if constexpr (std::is_same_v<V, uint32_t>) {
      size += id == PropertyId::kSubscriptionIdentifier ? VarIntSize(value) : 4;
    } else if constexpr (std::is_same_v<V, std::string_view>) {
      size += 2 + value.size();
    } else {
      static_assert(std::is_same_v<V, UserProperty>);
      size += 4 + value.key.size() + value.value.size();
    }
  });
  return size;
}

size_t PropertiesSize(const Properties& p) {
  const size_t body = PropertiesBodySize(p);
  return VarIntSize(body) + body;
}

void AppendProperties(const Properties& p, std::string* out) {
  AppendVarInt(static_cast<uint32_t>(PropertiesBodySize(p)), out);
  ForEachProperty(p, [out](PropertyId id, const auto& value) {
    using V = std::decay_t<decltype(value)>;
    AppendByte(static_cast<uint8_t>(id), out);
    if constexpr (std::is_same_v<V, uint8_t>) {
      AppendByte(value, out);
    } else if constexpr (std::is_same_v<V, uint16_t>) {
      AppendU16(value, out);
    } else if constexpr (std::is_same_v<V, uint32_t>) {
      if (id == PropertyId::kSubscriptionIdentifier) {
        AppendVarInt(value, out);
      } else {
        AppendU32(value, out);
      }
    } else if constexpr (std::is_same_v<V, std::string_view>) {
      AppendLengthPrefixed(value, out);
    } else {
      AppendLengthPrefixed(value.key, out);
      AppendLengthPrefixed(value.value, out);
    }
  });
}

void AppendPropertyList(const Properties& properties, std::string* out) {
  const size_t before = out->size();
  AppendProperties(properties, out);
  // Drop the length prefix AppendProperties wrote.
  const size_t prefix = VarIntSize(PropertiesBodySize(properties));
  out->erase(before, prefix);
}

size_t PropertyListSize(const Properties& properties) { return PropertiesBodySize(properties); }

namespace internal {

size_t FindProperty(std::string_view block, size_t pos, uint8_t id) {
  while (pos < block.size()) {
    const uint8_t here = static_cast<uint8_t>(block[pos]);
    if (here == id) return pos;
    const PropertySpec* spec = SpecOf(here);
    if (!spec) return block.size();  // cannot happen in a validated block
    Reader r(block, pos + 1);
    uint8_t byte = 0;
    uint16_t two = 0;
    uint32_t four = 0;
    std::string_view text;
    bool ok = true;
    switch (spec->type) {
      case PropertyType::kNone:
        ok = false;
        break;
      case PropertyType::kByte:
        ok = r.ReadByte(&byte);
        break;
      case PropertyType::kTwoByte:
        ok = r.ReadU16(&two);
        break;
      case PropertyType::kFourByte:
        ok = r.ReadU32(&four);
        break;
      case PropertyType::kVarInt:
        ok = r.ReadVarInt(&four) != VarIntStatus::kTruncated;
        break;
      case PropertyType::kString:
      case PropertyType::kBinary:
        ok = r.ReadLengthPrefixed(&text);
        break;
      case PropertyType::kStringPair:
        ok = r.ReadLengthPrefixed(&text) && r.ReadLengthPrefixed(&text);
        break;
    }
    if (!ok) return block.size();
    pos = r.position();
  }
  return block.size();
}

size_t ReadPropertyValue(std::string_view block, size_t pos, UserProperty* value) {
  Reader r(block, pos);
  if (!r.ReadLengthPrefixed(&value->key) || !r.ReadLengthPrefixed(&value->value)) {
    return block.size();
  }
  return r.position();
}

size_t ReadPropertyValue(std::string_view block, size_t pos, uint32_t* value) {
  Reader r(block, pos);
  if (r.ReadVarInt(value) == VarIntStatus::kTruncated) return block.size();
  return r.position();
}

}  // namespace internal

bool ParsePropertyList(std::string_view list, Properties* properties) {
  *properties = Properties{};
  return !DecodePropertyBlock(list, kInPublish, properties);
}

}  // namespace plaza::mqtt
