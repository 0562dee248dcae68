// Names and type tags of the MQTT packets, kept apart from the codec so that
// logging code can use them without pulling in the wire format.
#include "mqtt/packet.h"

#include <cstddef>
#include <type_traits>

namespace plaza::mqtt {

namespace {

// The variant's alternatives are listed in wire-type order starting at
// CONNECT, so the index maps to the type without a visitor.
static_assert(std::variant_size_v<Packet> == 14);
static_assert(std::is_same_v<std::variant_alternative_t<0, Packet>, Connect>);
static_assert(std::is_same_v<std::variant_alternative_t<2, Packet>, Publish>);
static_assert(std::is_same_v<std::variant_alternative_t<7, Packet>, Subscribe>);
static_assert(std::is_same_v<std::variant_alternative_t<13, Packet>, Disconnect>);

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

}  // namespace plaza::mqtt
