// Byte-level MQTT 5: variable byte integers, property lists and the few
// packets the integration tests need.
#include "raw_v5_packets.h"

namespace plaza::testing::raw5 {
namespace {

std::string VarInt(size_t value) {
  std::string out;
  do {
    uint8_t byte = value % 128;
    value /= 128;
    if (value) byte |= 0x80;
    out.push_back(static_cast<char>(byte));
  } while (value);
  return out;
}

// Reads a variable byte integer at `*at`; false if it runs past the end.
bool ReadVarInt(std::string_view data, size_t* at, size_t* value) {
  *value = 0;
  for (size_t shift = 0; shift < 28; shift += 7) {
    if (*at >= data.size()) return false;
    const uint8_t byte = static_cast<uint8_t>(data[(*at)++]);
    *value |= size_t{byte & 0x7Fu} << shift;
    if (!(byte & 0x80)) return true;
  }
  return false;
}

std::string U16(uint16_t value) {
  return {static_cast<char>(value >> 8), static_cast<char>(value & 0xff)};
}

std::string Str(std::string_view text) {
  return U16(static_cast<uint16_t>(text.size())) + std::string(text);
}

std::string WithLength(std::string_view properties) {
  return VarInt(properties.size()) + std::string(properties);
}

uint16_t GetU16(std::string_view data, size_t at) {
  return static_cast<uint16_t>((static_cast<uint8_t>(data[at]) << 8) |
                               static_cast<uint8_t>(data[at + 1]));
}

// The value size of property `id` starting at `at` in `block`, or 0 if unknown.
size_t ValueSize(uint8_t id, std::string_view block, size_t at) {
  switch (id) {
    case 0x01:
    case 0x17:
    case 0x19:
    case 0x24:
    case 0x25:
    case 0x28:
    case 0x29:
    case 0x2A:
      return 1;
    case 0x13:
    case 0x21:
    case 0x22:
    case 0x23:
      return 2;
    case 0x02:
    case 0x11:
    case 0x18:
    case 0x27:
      return 4;
    case 0x03:
    case 0x08:
    case 0x09:
    case 0x12:
    case 0x15:
    case 0x16:
    case 0x1A:
    case 0x1C:
    case 0x1F:
      return at + 2 <= block.size() ? 2 + GetU16(block, at) : 0;
    case 0x26:
      if (at + 2 > block.size()) return 0;
      {
        const size_t key = 2 + GetU16(block, at);
        return at + key + 2 <= block.size() ? key + 2 + GetU16(block, at + key) : 0;
      }
    case 0x0B: {
      size_t pos = at, value = 0;
      return ReadVarInt(block, &pos, &value) ? pos - at : 0;
    }
    default:
      return 0;
  }
}

// Reads a property list (with its length) at `*at` into `out`.
bool ReadProperties(std::string_view data, size_t* at, std::map<uint8_t, std::string>* out) {
  size_t length = 0;
  if (!ReadVarInt(data, at, &length) || *at + length > data.size()) return false;
  const std::string_view block = data.substr(*at, length);
  size_t pos = 0;
  while (pos < block.size()) {
    const uint8_t id = static_cast<uint8_t>(block[pos++]);
    const size_t size = ValueSize(id, block, pos);
    if (size == 0 || pos + size > block.size()) return false;
    (*out)[id] = std::string(block.substr(pos, size));
    pos += size;
  }
  *at += length;
  return true;
}

std::optional<Acknowledgement> ParseReasonAndProperties(const raw::Packet& packet) {
  Acknowledgement ack;
  std::string_view body = packet.body;
  size_t at = packet.type == raw::kConnack ? 1 : 0;  // CONNACK: session present first
  if (body.size() <= at) {
    ack.reason_code = 0;  // the short form
    return ack;
  }
  ack.reason_code = static_cast<uint8_t>(body[at++]);
  if (at < body.size() && !ReadProperties(body, &at, &ack.properties)) return std::nullopt;
  return ack;
}

}  // namespace

std::string U8Property(uint8_t id, uint8_t value) {
  return {static_cast<char>(id), static_cast<char>(value)};
}
std::string U16Property(uint8_t id, uint16_t value) { return static_cast<char>(id) + U16(value); }
std::string U32Property(uint8_t id, uint32_t value) {
  return static_cast<char>(id) + U16(static_cast<uint16_t>(value >> 16)) +
         U16(static_cast<uint16_t>(value & 0xffff));
}
std::string StringProperty(uint8_t id, std::string_view value) {
  return static_cast<char>(id) + Str(value);
}

std::string Connect(std::string_view client_id, uint16_t keep_alive, std::string_view properties,
                    bool clean_start, const Will* will) {
  std::string body = Str("MQTT");
  body.push_back(5);
  uint8_t flags = clean_start ? 0x02 : 0x00;
  if (will) flags |= static_cast<uint8_t>(0x04 | (will->qos << 3));
  body.push_back(static_cast<char>(flags));
  body += U16(keep_alive);
  body += WithLength(properties);
  body += Str(client_id);
  if (will) body += WithLength(will->properties) + Str(will->topic) + Str(will->payload);
  return raw::FixedHeader(0x10, body.size()) + body;
}

std::string Disconnect(uint8_t reason_code) {
  const std::string body(1, static_cast<char>(reason_code));
  return raw::FixedHeader(0xE0, body.size()) + body;
}

std::string Puback(uint16_t packet_id) { return raw::FixedHeader(0x40, 2) + U16(packet_id); }

std::string Subscribe(uint16_t packet_id, std::string_view filter, uint8_t options,
                      std::string_view properties) {
  std::string body = U16(packet_id) + WithLength(properties) + Str(filter);
  body.push_back(static_cast<char>(options));
  return raw::FixedHeader(0x82, body.size()) + body;
}

std::string Publish(std::string_view topic, std::string_view payload, uint8_t qos,
                    uint16_t packet_id, std::string_view properties) {
  std::string body = Str(topic);
  if (qos > 0) body += U16(packet_id);
  body += WithLength(properties);
  body += payload;
  return raw::FixedHeader(static_cast<uint8_t>(0x30 | (qos << 1)), body.size()) + body;
}

std::optional<PublishFields> ParsePublish(const raw::Packet& packet) {
  if (packet.type != raw::kPublish) return std::nullopt;
  std::string_view body = packet.body;
  if (body.size() < 2) return std::nullopt;
  PublishFields fields;
  fields.qos = (packet.flags >> 1) & 3;
  size_t at = 2 + GetU16(body, 0);
  if (at > body.size()) return std::nullopt;
  fields.topic = std::string(body.substr(2, at - 2));
  if (fields.qos > 0) {
    if (at + 2 > body.size()) return std::nullopt;
    fields.packet_id = GetU16(body, at);
    at += 2;
  }
  std::map<uint8_t, std::string> properties;
  if (!ReadProperties(body, &at, &properties)) return std::nullopt;
  if (auto it = properties.find(0x23); it != properties.end()) {
    fields.topic_alias = GetU16(it->second, 0);
  }
  fields.payload = std::string(body.substr(at));
  fields.wire_size = 1 + VarInt(body.size()).size() + body.size();
  return fields;
}

std::optional<Acknowledgement> ParseConnack(const raw::Packet& packet) {
  if (packet.type != raw::kConnack) return std::nullopt;
  return ParseReasonAndProperties(packet);
}

std::optional<Acknowledgement> ParseDisconnect(const raw::Packet& packet) {
  if (packet.type != raw::kDisconnect) return std::nullopt;
  return ParseReasonAndProperties(packet);
}

}  // namespace plaza::testing::raw5
