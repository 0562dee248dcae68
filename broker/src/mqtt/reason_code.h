// MQTT 5.0 reason codes (OASIS standard, section 2.4): one byte saying how
// an operation ended, carried by CONNACK, the publish acknowledgements,
// SUBACK, UNSUBACK, DISCONNECT and AUTH. Kept in their own header so that the
// core can name the code it answers with without pulling in the wire format.
#ifndef PLAZA_BROKER_MQTT_REASON_CODE_H_
#define PLAZA_BROKER_MQTT_REASON_CODE_H_

#include <cstdint>

namespace plaza::mqtt {

enum class PacketType : uint8_t;

// Every reason code of the standard. 0x00 has three names because its
// meaning depends on the packet that carries it.
enum class ReasonCode : uint8_t {
  kSuccess = 0x00,
  kNormalDisconnection = 0x00,  // DISCONNECT
  kGrantedQos0 = 0x00,          // SUBACK
  kGrantedQos1 = 0x01,
  kGrantedQos2 = 0x02,
  kDisconnectWithWillMessage = 0x04,
  kNoMatchingSubscribers = 0x10,
  kNoSubscriptionExisted = 0x11,
  kContinueAuthentication = 0x18,
  kReAuthenticate = 0x19,
  kUnspecifiedError = 0x80,
  kMalformedPacket = 0x81,
  kProtocolError = 0x82,
  kImplementationSpecificError = 0x83,
  kUnsupportedProtocolVersion = 0x84,
  kClientIdentifierNotValid = 0x85,
  kBadUserNameOrPassword = 0x86,
  kNotAuthorized = 0x87,
  kServerUnavailable = 0x88,
  kServerBusy = 0x89,
  kBanned = 0x8A,
  kServerShuttingDown = 0x8B,
  kBadAuthenticationMethod = 0x8C,
  kKeepAliveTimeout = 0x8D,
  kSessionTakenOver = 0x8E,
  kTopicFilterInvalid = 0x8F,
  kTopicNameInvalid = 0x90,
  kPacketIdentifierInUse = 0x91,
  kPacketIdentifierNotFound = 0x92,
  kReceiveMaximumExceeded = 0x93,
  kTopicAliasInvalid = 0x94,
  kPacketTooLarge = 0x95,
  kMessageRateTooHigh = 0x96,
  kQuotaExceeded = 0x97,
  kAdministrativeAction = 0x98,
  kPayloadFormatInvalid = 0x99,
  kRetainNotSupported = 0x9A,
  kQosNotSupported = 0x9B,
  kUseAnotherServer = 0x9C,
  kServerMoved = 0x9D,
  kSharedSubscriptionsNotSupported = 0x9E,
  kConnectionRateExceeded = 0x9F,
  kMaximumConnectTime = 0xA0,
  kSubscriptionIdentifiersNotSupported = 0xA1,
  kWildcardSubscriptionsNotSupported = 0xA2,
};

// The standard's name of `code` ("Packet too large"), for logs. `packet`
// picks the name of 0x00 ("Normal disconnection" on DISCONNECT, "Granted QoS
// 0" on SUBACK, "Success" elsewhere). Unknown values give "Unknown reason code".
const char* ReasonCodeName(ReasonCode code, PacketType packet);
const char* ReasonCodeName(ReasonCode code);

// Whether the standard allows `code` in a packet of type `packet` (the
// tables of sections 3.2.2.2, 3.4.2.1, 3.5.2.1, 3.6.2.1, 3.7.2.1, 3.9.3,
// 3.11.3, 3.14.2.1 and 3.15.2.1). False for packets without reason codes.
bool IsValidReasonCode(PacketType packet, uint8_t code);

}  // namespace plaza::mqtt

#endif  // PLAZA_BROKER_MQTT_REASON_CODE_H_
