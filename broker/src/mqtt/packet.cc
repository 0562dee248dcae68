// Names and type tags of the MQTT packets, reason codes and properties, and
// which reason codes each packet may carry: kept apart from the codec so that
// logging code and the core can use them without pulling in the wire format.
#include "mqtt/packet.h"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace plaza::mqtt {

using namespace std::string_view_literals;

namespace {

// The variant's alternatives are listed in wire-type order starting at
// CONNECT, so the index maps to the type without a visitor.
static_assert(std::variant_size_v<Packet> == 15);
static_assert(std::is_same_v<std::variant_alternative_t<0, Packet>, Connect>);
static_assert(std::is_same_v<std::variant_alternative_t<2, Packet>, Publish>);
static_assert(std::is_same_v<std::variant_alternative_t<7, Packet>, Subscribe>);
static_assert(std::is_same_v<std::variant_alternative_t<13, Packet>, Disconnect>);
static_assert(std::is_same_v<std::variant_alternative_t<14, Packet>, Auth>);

}  // namespace

PacketType TypeOf(const Packet& packet) {
  return static_cast<PacketType>(packet.index() + static_cast<size_t>(PacketType::kConnect));
}

const char* PacketTypeName(PacketType type) {
  switch (type) {
    case PacketType::kConnect:
      return "CONNECT";
    case PacketType::kConnack:
      return "CONNACK";
    case PacketType::kPublish:
      return "PUBLISH";
    case PacketType::kPuback:
      return "PUBACK";
    case PacketType::kPubrec:
      return "PUBREC";
    case PacketType::kPubrel:
      return "PUBREL";
    case PacketType::kPubcomp:
      return "PUBCOMP";
    case PacketType::kSubscribe:
      return "SUBSCRIBE";
    case PacketType::kSuback:
      return "SUBACK";
    case PacketType::kUnsubscribe:
      return "UNSUBSCRIBE";
    case PacketType::kUnsuback:
      return "UNSUBACK";
    case PacketType::kPingreq:
      return "PINGREQ";
    case PacketType::kPingresp:
      return "PINGRESP";
    case PacketType::kDisconnect:
      return "DISCONNECT";
    case PacketType::kAuth:
      return "AUTH";
  }
  // A value read off the wire can be outside the enum (type 0).
  return "UNKNOWN";
}

const char* ReasonCodeName(ReasonCode code, PacketType packet) {
  if (code == ReasonCode::kSuccess) {
    if (packet == PacketType::kDisconnect) return "Normal disconnection";
    if (packet == PacketType::kSuback) return "Granted QoS 0";
  }
  return ReasonCodeName(code);
}

const char* ReasonCodeName(ReasonCode code) {
  switch (code) {
    case ReasonCode::kSuccess:
      return "Success";
    case ReasonCode::kGrantedQos1:
      return "Granted QoS 1";
    case ReasonCode::kGrantedQos2:
      return "Granted QoS 2";
    case ReasonCode::kDisconnectWithWillMessage:
      return "Disconnect with Will Message";
    case ReasonCode::kNoMatchingSubscribers:
      return "No matching subscribers";
    case ReasonCode::kNoSubscriptionExisted:
      return "No subscription existed";
    case ReasonCode::kContinueAuthentication:
      return "Continue authentication";
    case ReasonCode::kReAuthenticate:
      return "Re-authenticate";
    case ReasonCode::kUnspecifiedError:
      return "Unspecified error";
    case ReasonCode::kMalformedPacket:
      return "Malformed Packet";
    case ReasonCode::kProtocolError:
      return "Protocol Error";
    case ReasonCode::kImplementationSpecificError:
      return "Implementation specific error";
    case ReasonCode::kUnsupportedProtocolVersion:
      return "Unsupported Protocol Version";
    case ReasonCode::kClientIdentifierNotValid:
      return "Client Identifier not valid";
    case ReasonCode::kBadUserNameOrPassword:
      return "Bad User Name or Password";
    case ReasonCode::kNotAuthorized:
      return "Not authorized";
    case ReasonCode::kServerUnavailable:
      return "Server unavailable";
    case ReasonCode::kServerBusy:
      return "Server busy";
    case ReasonCode::kBanned:
      return "Banned";
    case ReasonCode::kServerShuttingDown:
      return "Server shutting down";
    case ReasonCode::kBadAuthenticationMethod:
      return "Bad authentication method";
    case ReasonCode::kKeepAliveTimeout:
      return "Keep Alive timeout";
    case ReasonCode::kSessionTakenOver:
      return "Session taken over";
    case ReasonCode::kTopicFilterInvalid:
      return "Topic Filter invalid";
    case ReasonCode::kTopicNameInvalid:
      return "Topic Name invalid";
    case ReasonCode::kPacketIdentifierInUse:
      return "Packet Identifier in use";
    case ReasonCode::kPacketIdentifierNotFound:
      return "Packet Identifier not found";
    case ReasonCode::kReceiveMaximumExceeded:
      return "Receive Maximum exceeded";
    case ReasonCode::kTopicAliasInvalid:
      return "Topic Alias invalid";
    case ReasonCode::kPacketTooLarge:
      return "Packet too large";
    case ReasonCode::kMessageRateTooHigh:
      return "Message rate too high";
    case ReasonCode::kQuotaExceeded:
      return "Quota exceeded";
    case ReasonCode::kAdministrativeAction:
      return "Administrative action";
    case ReasonCode::kPayloadFormatInvalid:
      return "Payload format invalid";
    case ReasonCode::kRetainNotSupported:
      return "Retain not supported";
    case ReasonCode::kQosNotSupported:
      return "QoS not supported";
    case ReasonCode::kUseAnotherServer:
      return "Use another server";
    case ReasonCode::kServerMoved:
      return "Server moved";
    case ReasonCode::kSharedSubscriptionsNotSupported:
      return "Shared Subscriptions not supported";
    case ReasonCode::kConnectionRateExceeded:
      return "Connection rate exceeded";
    case ReasonCode::kMaximumConnectTime:
      return "Maximum connect time";
    case ReasonCode::kSubscriptionIdentifiersNotSupported:
      return "Subscription Identifiers not supported";
    case ReasonCode::kWildcardSubscriptionsNotSupported:
      return "Wildcard Subscriptions not supported";
  }
  return "Unknown reason code";
}

bool IsValidReasonCode(PacketType packet, uint8_t code) {
  // The tables of the standard, one string of code bytes per packet type.
  std::string_view codes;
  switch (packet) {
    case PacketType::kConnack:
      codes =
          "\x00\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8A\x8C\x90\x95\x97\x99\x9A\x9B\x9C"
          "\x9D\x9F"sv;
      break;
    case PacketType::kPuback:
    case PacketType::kPubrec:
      codes = "\x00\x10\x80\x83\x87\x90\x91\x97\x99"sv;
      break;
    case PacketType::kPubrel:
    case PacketType::kPubcomp:
      codes = "\x00\x92"sv;
      break;
    case PacketType::kSuback:
      codes = "\x00\x01\x02\x80\x83\x87\x8F\x91\x97\x9E\xA1\xA2"sv;
      break;
    case PacketType::kUnsuback:
      codes = "\x00\x11\x80\x83\x87\x8F\x91"sv;
      break;
    case PacketType::kDisconnect:
      codes =
          "\x00\x04\x80\x81\x82\x83\x87\x89\x8B\x8D\x8E\x8F\x90\x93\x94\x95\x96\x97\x98"
          "\x99\x9A\x9B\x9C\x9D\x9E\x9F\xA0\xA1\xA2"sv;
      break;
    case PacketType::kAuth:
      codes = "\x00\x18\x19"sv;
      break;
    default:
      return false;
  }
  return codes.find(static_cast<char>(code)) != std::string_view::npos;
}

const char* PropertyName(PropertyId id) {
  switch (id) {
    case PropertyId::kPayloadFormatIndicator:
      return "Payload Format Indicator";
    case PropertyId::kMessageExpiryInterval:
      return "Message Expiry Interval";
    case PropertyId::kContentType:
      return "Content Type";
    case PropertyId::kResponseTopic:
      return "Response Topic";
    case PropertyId::kCorrelationData:
      return "Correlation Data";
    case PropertyId::kSubscriptionIdentifier:
      return "Subscription Identifier";
    case PropertyId::kSessionExpiryInterval:
      return "Session Expiry Interval";
    case PropertyId::kAssignedClientIdentifier:
      return "Assigned Client Identifier";
    case PropertyId::kServerKeepAlive:
      return "Server Keep Alive";
    case PropertyId::kAuthenticationMethod:
      return "Authentication Method";
    case PropertyId::kAuthenticationData:
      return "Authentication Data";
    case PropertyId::kRequestProblemInformation:
      return "Request Problem Information";
    case PropertyId::kWillDelayInterval:
      return "Will Delay Interval";
    case PropertyId::kRequestResponseInformation:
      return "Request Response Information";
    case PropertyId::kResponseInformation:
      return "Response Information";
    case PropertyId::kServerReference:
      return "Server Reference";
    case PropertyId::kReasonString:
      return "Reason String";
    case PropertyId::kReceiveMaximum:
      return "Receive Maximum";
    case PropertyId::kTopicAliasMaximum:
      return "Topic Alias Maximum";
    case PropertyId::kTopicAlias:
      return "Topic Alias";
    case PropertyId::kMaximumQos:
      return "Maximum QoS";
    case PropertyId::kRetainAvailable:
      return "Retain Available";
    case PropertyId::kUserProperty:
      return "User Property";
    case PropertyId::kMaximumPacketSize:
      return "Maximum Packet Size";
    case PropertyId::kWildcardSubscriptionAvailable:
      return "Wildcard Subscription Available";
    case PropertyId::kSubscriptionIdentifierAvailable:
      return "Subscription Identifier Available";
    case PropertyId::kSharedSubscriptionAvailable:
      return "Shared Subscription Available";
  }
  return "unknown property";
}

}  // namespace plaza::mqtt
