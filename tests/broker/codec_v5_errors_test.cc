// Tests of what the MQTT 5 codec refuses, and with which reason code: every
// property on every packet that may not carry it, duplicates, forbidden
// values, reason codes a packet does not define, subscription options,
// CONNECT flags, non-minimal variable byte integers, truncation at every
// offset, and a seeded mutation "fuzz" run over v5 packets that relies on the
// ASan/UBSan build to catch any read past the input.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec_test_bytes.h"
#include "mqtt/codec.h"
#include "mqtt/packet.h"
#include "mqtt/properties.h"
#include "mqtt/reason_code.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace plaza::mqtt {
namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;

using namespace wire;

DecodeResult Decode5(std::string_view bytes) {
  ExactBuffer buffer(bytes);
  return Decode(buffer.view(), kNoLimit, kProtocolLevel5);
}

void ExpectRefused(std::string_view what, const std::string& bytes, ReasonCode reason,
                   std::string_view rule) {
  const DecodeResult result = Decode5(bytes);
  EXPECT_EQ(result.status, DecodeStatus::kMalformed) << what;
  EXPECT_EQ(result.consumed, 0u) << what;
  EXPECT_EQ(result.reason, reason) << what << ": " << result.error;
  EXPECT_NE(result.error.find(rule), std::string::npos) << what << ": " << result.error;
}

void ExpectOk(std::string_view what, const std::string& bytes) {
  const DecodeResult result = Decode5(bytes);
  EXPECT_EQ(result.status, DecodeStatus::kOk) << what << ": " << result.error;
  EXPECT_EQ(result.consumed, bytes.size()) << what;
}

// --- Where each property may appear ---

// The places of the standard's table (v5 section 2.2.2.2), each with a
// packet that carries a given property block there.
struct Place {
  const char* name;
  std::string (*packet)(std::string_view props);
};

std::string ConnectWith(std::string_view props) {
  return Frame(0x10, Str("MQTT") + Byte(5) + Byte(0x02) + U16(60) + std::string(props) + Str("c"));
}

std::string WillWith(std::string_view props) {
  return Frame(0x10, Str("MQTT") + Byte(5) + Byte(0x06) + U16(60) + Props() + Str("c") +
                         std::string(props) + Str("w/t") + Str("m"));
}

const Place kPlaces[] = {
    {"CONNECT", ConnectWith},
    {"will", WillWith},
    {"CONNACK", [](std::string_view p) { return Frame(0x20, "\x00\x00"s + std::string(p)); }},
    {"PUBLISH",
     [](std::string_view p) { return Frame(0x32, Str("t") + U16(1) + std::string(p) + "data"); }},
    {"PUBACK", [](std::string_view p) { return Frame(0x40, U16(1) + Byte(0) + std::string(p)); }},
    {"PUBREC", [](std::string_view p) { return Frame(0x50, U16(1) + Byte(0) + std::string(p)); }},
    {"PUBREL", [](std::string_view p) { return Frame(0x62, U16(1) + Byte(0) + std::string(p)); }},
    {"PUBCOMP", [](std::string_view p) { return Frame(0x70, U16(1) + Byte(0) + std::string(p)); }},
    {"SUBSCRIBE",
     [](std::string_view p) { return Frame(0x82, U16(1) + std::string(p) + Str("a") + Byte(0)); }},
    {"SUBACK", [](std::string_view p) { return Frame(0x90, U16(1) + std::string(p) + Byte(0)); }},
    {"UNSUBSCRIBE",
     [](std::string_view p) { return Frame(0xA2, U16(1) + std::string(p) + Str("a")); }},
    {"UNSUBACK", [](std::string_view p) { return Frame(0xB0, U16(1) + std::string(p) + Byte(0)); }},
    {"DISCONNECT", [](std::string_view p) { return Frame(0xE0, Byte(0) + std::string(p)); }},
    {"AUTH", [](std::string_view p) { return Frame(0xF0, Byte(0) + std::string(p)); }},
};

struct PropertyCase {
  uint8_t id;
  std::string value;                 // a valid value
  std::set<std::string_view> where;  // the places of the standard's table
};

const std::vector<PropertyCase>& PropertyCases() {
  static const std::vector<PropertyCase> cases = {
      {0x01, Byte(1), {"PUBLISH", "will"}},
      {0x02, U32(60), {"PUBLISH", "will"}},
      {0x03, Str("text/plain"), {"PUBLISH", "will"}},
      {0x08, Str("reply/here"), {"PUBLISH", "will"}},
      {0x09, Str("\x01\x02"), {"PUBLISH", "will"}},
      {0x0B, "\x05"s, {"PUBLISH", "SUBSCRIBE"}},
      {0x11, U32(3600), {"CONNECT", "CONNACK", "DISCONNECT"}},
      {0x12, Str("assigned"), {"CONNACK"}},
      {0x13, U16(30), {"CONNACK"}},
      {0x15, Str("SCRAM"), {"CONNECT", "CONNACK", "AUTH"}},
      {0x16, Str("data"), {"CONNECT", "CONNACK", "AUTH"}},
      {0x17, Byte(1), {"CONNECT"}},
      {0x18, U32(10), {"will"}},
      {0x19, Byte(1), {"CONNECT"}},
      {0x1A, Str("resp"), {"CONNACK"}},
      {0x1C, Str("other:1883"), {"CONNACK", "DISCONNECT"}},
      {0x1F,
       Str("why"),
       {"CONNACK", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP", "SUBACK", "UNSUBACK", "DISCONNECT",
        "AUTH"}},
      {0x21, U16(10), {"CONNECT", "CONNACK"}},
      {0x22, U16(5), {"CONNECT", "CONNACK"}},
      {0x23, U16(3), {"PUBLISH"}},
      {0x24, Byte(1), {"CONNACK"}},
      {0x25, Byte(0), {"CONNACK"}},
      {0x26,
       Str("k") + Str("v"),
       {"CONNECT", "will", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP",
        "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "DISCONNECT", "AUTH"}},
      {0x27, U32(1000), {"CONNECT", "CONNACK"}},
      {0x28, Byte(1), {"CONNACK"}},
      {0x29, Byte(1), {"CONNACK"}},
      {0x2A, Byte(0), {"CONNACK"}},
  };
  return cases;
}

// One property with its valid value; Authentication Data needs a method
// in front of it to be acceptable (v5 section 3.1.2.11.10).
std::string OneProperty(const PropertyCase& c) {
  const std::string property = Byte(c.id) + c.value;
  return c.id == 0x16 ? "\x15"s + Str("m") + property : property;
}

TEST(CodecV5PropertyTest, EveryPropertyInEveryPlace) {
  ASSERT_EQ(PropertyCases().size(), 27u);  // every identifier of the standard
  for (const PropertyCase& c : PropertyCases()) {
    const char* name = PropertyName(static_cast<PropertyId>(c.id));
    for (const Place& place : kPlaces) {
      const std::string what = std::string(name) + " in " + place.name;
      const std::string wire = place.packet(Props(OneProperty(c)));
      if (c.where.count(place.name)) {
        ExpectOk(what, wire);
      } else {
        // "contains an Identifier which is not valid for its packet type":
        // a Malformed Packet (v5 section 2.2.2.2).
        const std::string alone = place.packet(Props(Byte(c.id) + c.value));
        ExpectRefused(what, alone, ReasonCode::kMalformedPacket, "not allowed");
        EXPECT_NE(Decode5(alone).error.find(name), std::string::npos) << what;
      }
    }
  }
}

TEST(CodecV5PropertyTest, DuplicatesAreProtocolErrors) {
  for (const PropertyCase& c : PropertyCases()) {
    const char* name = PropertyName(static_cast<PropertyId>(c.id));
    for (const Place& place : kPlaces) {
      if (!c.where.count(place.name)) continue;
      const std::string what = std::string(name) + " twice in " + place.name;
      const std::string twice = OneProperty(c) + Byte(c.id) + c.value;
      const std::string wire = place.packet(Props(twice));
      // User Property repeats anywhere; Subscription Identifier only in
      // PUBLISH (one per matching subscription, v5 section 3.3.2.3.8).
      const bool repeatable = c.id == 0x26 || (c.id == 0x0B && place.name == "PUBLISH"sv);
      if (repeatable) {
        ExpectOk(what, wire);
      } else {
        ExpectRefused(what, wire, ReasonCode::kProtocolError, "more than once");
      }
    }
  }
}

TEST(CodecV5PropertyTest, ForbiddenValues) {
  struct Case {
    const char* what;
    std::string wire;
    ReasonCode reason;
    const char* rule;
  };
  const auto publish = kPlaces[3].packet;
  const auto connack = kPlaces[2].packet;
  const ReasonCode kProtocol = ReasonCode::kProtocolError;
  const ReasonCode kMalformed = ReasonCode::kMalformedPacket;
  const Case cases[] = {
      {"subscription identifier 0", publish(Props("\x0B\x00"s)), kProtocol, "value 0"},
      {"subscription identifier 0 in SUBSCRIBE",
       Frame(0x82, U16(1) + Props("\x0B\x00"s) + Str("a") + Byte(0)), kProtocol, "value 0"},
      {"subscription identifier non-minimal", publish(Props("\x0B\x81\x00"s)), kMalformed,
       "[MQTT-1.5.5-1]"},
      {"subscription identifier of 5 bytes", publish(Props("\x0B\x81\x81\x81\x81\x01"s)),
       kMalformed, "longer than 4 bytes"},
      {"topic alias 0", publish(Props("\x23\x00\x00"s)), kProtocol, "[MQTT-3.3.2-8]"},
      {"receive maximum 0", ConnectWith(Props("\x21\x00\x00"s)), kProtocol, "value 0"},
      {"receive maximum 0 in CONNACK", connack(Props("\x21\x00\x00"s)), kProtocol, "value 0"},
      {"maximum packet size 0", ConnectWith(Props("\x27" + U32(0))), kProtocol, "value 0"},
      {"maximum QoS 2", connack(Props("\x24\x02"s)), kProtocol, "0 or 1"},
      {"retain available 2", connack(Props("\x25\x02"s)), kProtocol, "0 or 1"},
      {"wildcard subscription available 2", connack(Props("\x28\x02"s)), kProtocol, "0 or 1"},
      {"subscription identifier available 255", connack(Props("\x29\xFF"s)), kProtocol, "0 or 1"},
      {"shared subscription available 2", connack(Props("\x2A\x02"s)), kProtocol, "0 or 1"},
      {"request problem information 2", ConnectWith(Props("\x17\x02"s)), kProtocol, "0 or 1"},
      {"request response information 2", ConnectWith(Props("\x19\x02"s)), kProtocol, "0 or 1"},
      {"payload format indicator 2", publish(Props("\x01\x02"s)), kProtocol, "0 or 1"},
      {"will payload format indicator 2", WillWith(Props("\x01\x02"s)), kProtocol, "0 or 1"},
      {"authentication data without method", ConnectWith(Props("\x16"s + Str("d"))), kProtocol,
       "without a method"},
      {"response topic with wildcard", publish(Props("\x08"s + Str("a/#"))), kProtocol,
       "[MQTT-3.3.2-14]"},
      {"empty response topic", publish(Props("\x08"s + Str(""))), kProtocol, "[MQTT-3.3.2-14]"},
      {"content type not UTF-8", publish(Props("\x03"s + Str("\xC0\xAF"))), kMalformed,
       "[MQTT-1.5.4-1]"},
      {"reason string with U+0000", connack(Props("\x1F"s + Str("a\0"sv))), kMalformed,
       "[MQTT-1.5.4-1]"},
      {"user property key not UTF-8", publish(Props("\x26"s + Str("\xFF") + Str("v"))), kMalformed,
       "[MQTT-1.5.7-1]"},
      {"user property value not UTF-8", publish(Props("\x26"s + Str("k") + Str("\xED\xA0\x80"))),
       kMalformed, "[MQTT-1.5.7-1]"},
      {"user property without value", publish(Props("\x26"s + Str("k"))), kMalformed,
       "past the end of the properties"},
      {"unknown identifier 0x04", publish(Props("\x04\x00"s)), kMalformed, "unknown property"},
      {"unknown identifier 0x00", publish(Props("\x00"s)), kMalformed, "unknown property"},
      {"unknown identifier 0x2B", connack(Props("\x2B\x00"s)), kMalformed, "unknown property"},
      {"two-byte identifier", publish(Props("\x81\x01\x00"s)), kMalformed, "unknown property"},
      {"four-byte value cut short", publish(Props("\x02\x00\x00\x01"s)), kMalformed,
       "past the end of the properties"},
      {"string length past the block", publish(Props("\x03\x00\x05"s + "ab")), kMalformed,
       "past the end of the properties"},
      {"property length past the packet", Frame(0x30, Str("t") + "\x05\x01\x01"s), kMalformed,
       "past the end of the packet"},
      {"property length non-minimal", Frame(0x30, Str("t") + "\x80\x00"s), kMalformed,
       "[MQTT-1.5.5-1]"},
  };
  for (const Case& c : cases) {
    ExpectRefused(c.what, c.wire, c.reason, c.rule);
  }
  // The boolean properties take 0 and 1.
  ExpectOk("maximum QoS 0", connack(Props("\x24\x00"s)));
  ExpectOk("retain available 1", connack(Props("\x25\x01"s)));
  ExpectOk("payload format indicator 0", publish(Props("\x01\x00"s)));
  ExpectOk("largest subscription identifier", publish(Props("\x0B\xFF\xFF\xFF\x7F"s)));
  ExpectOk("empty user property", publish(Props("\x26"s + Str("") + Str(""))));
  ExpectOk("no properties at all", publish(Props()));
}

TEST(CodecV5PacketTest, Publish) {
  ExpectRefused("empty topic without alias", Frame(0x30, Str("") + Props() + "x"),
                ReasonCode::kProtocolError, "topic alias");
  ExpectOk("empty topic with alias", Frame(0x30, Str("") + Props("\x23\x00\x01"s) + "x"));
  ExpectRefused("wildcard topic", Frame(0x30, Str("a/+") + Props()), ReasonCode::kTopicNameInvalid,
                "[MQTT-3.3.2-2]");
  ExpectRefused("topic not UTF-8", Frame(0x30, Str("a\xC3") + Props()),
                ReasonCode::kMalformedPacket, "[MQTT-3.3.2-1]");
  ExpectRefused("packet id 0", Frame(0x32, Str("a") + U16(0) + Props()),
                ReasonCode::kMalformedPacket, "[MQTT-2.2.1-3]");
  ExpectRefused("no property length", Frame(0x30, Str("a")), ReasonCode::kMalformedPacket,
                "property length");
  ExpectRefused("QoS 3", Frame(0x36, Str("a") + U16(1) + Props()), ReasonCode::kMalformedPacket,
                "[MQTT-3.3.1-4]");
  // A client must not send a Subscription Identifier [MQTT-3.3.4-6], but the
  // codec cannot tell who sent it: the core checks that.
  ExpectOk("subscription identifiers", Frame(0x30, Str("a") + Props("\x0B\x01\x0B\x02"s)));
}

TEST(CodecV5PacketTest, Connect) {
  const std::string id = Str("c");
  const auto connect = [](uint8_t flags, std::string_view rest, std::string_view name = "MQTT") {
    return Frame(0x10, Str(name) + Byte(5) + Byte(flags) + U16(60) + std::string(rest));
  };
  const ReasonCode kMalformed = ReasonCode::kMalformedPacket;
  ExpectRefused("reserved flag", connect(0x03, Props() + id), kMalformed, "[MQTT-3.1.2-3]");
  ExpectRefused("will QoS without will", connect(0x0A, Props() + id), kMalformed,
                "[MQTT-3.1.2-11]");
  ExpectRefused("will QoS 3", connect(0x1E, Props() + id + Props() + Str("t") + Str("m")),
                kMalformed, "[MQTT-3.1.2-12]");
  ExpectRefused("will retain without will", connect(0x22, Props() + id), kMalformed,
                "[MQTT-3.1.2-13]");
  ExpectRefused("protocol name", connect(0x02, Props() + id, "MQIsdp"),
                ReasonCode::kUnsupportedProtocolVersion, "[MQTT-3.1.2-1]");
  ExpectRefused("no properties", connect(0x02, ""), kMalformed, "property length");
  ExpectRefused("no will properties", connect(0x06, Props() + id), kMalformed, "property length");
  ExpectRefused("will properties without will flag",
                connect(0x02, Props() + id + Props() + Str("t") + Str("m")), kMalformed,
                "left over");
  ExpectRefused("will topic with wildcard",
                connect(0x06, Props() + id + Props() + Str("#") + Str("m")),
                ReasonCode::kTopicNameInvalid, "[MQTT-3.3.2-2]");
  ExpectRefused("will topic not UTF-8",
                connect(0x06, Props() + id + Props() + Str("\xFF") + Str("m")), kMalformed,
                "[MQTT-3.1.3-11]");
  ExpectRefused("client id not UTF-8", connect(0x02, Props() + Str("\xC0\x80")), kMalformed,
                "[MQTT-3.1.3-4]");
  ExpectRefused("user name not UTF-8", connect(0x82, Props() + id + Str("\xFF")), kMalformed,
                "[MQTT-3.1.3-12]");
  ExpectRefused("leftover", connect(0x02, Props() + id + "x"), kMalformed, "left over");
  ExpectOk("password without user name (allowed in v5)", connect(0x42, Props() + id + Str("pw")));
  ExpectOk("everything", connect(0xEE, Props("\x11" + U32(5)) + id + Props("\x18" + U32(5)) +
                                           Str("t") + Str("m") + Str("u") + Str("p")));
  // A level-5 CONNECT is read as such on a connection of either level, and
  // its remaining length must be minimal there too.
  const std::string good = connect(0x02, Props() + id);
  EXPECT_EQ(Decode(good, kNoLimit).status, DecodeStatus::kOk);
  // The same length in two bytes: (length | 0x80), 0x00.
  const std::string padded =
      "\x10"s + static_cast<char>(static_cast<uint8_t>(good[1]) | 0x80) + "\x00"s + good.substr(2);
  const DecodeResult at311 = Decode(padded, kNoLimit);
  EXPECT_EQ(at311.status, DecodeStatus::kMalformed) << at311.error;
  EXPECT_NE(at311.error.find("[MQTT-1.5.5-1]"), std::string::npos) << at311.error;
  ExpectRefused("non-minimal remaining length", padded, kMalformed, "[MQTT-1.5.5-1]");

  // A refused CONNECT still says which level it announced, so the core can
  // tell whether to answer with a v5 CONNACK.
  EXPECT_EQ(Decode(connect(0x03, Props() + id), kNoLimit).connect_protocol_level, 5);
  EXPECT_EQ(Decode(good, kNoLimit).connect_protocol_level, 5);
  EXPECT_EQ(
      Decode(Frame(0x10, Str("MQTT") + Byte(4) + Byte(0x03)), kNoLimit).connect_protocol_level, 4);
  EXPECT_EQ(Decode(Frame(0x10, Str("MQTT")), kNoLimit).connect_protocol_level, 0);
  EXPECT_EQ(Decode("\xC0\x00"sv, kNoLimit).connect_protocol_level, 0);
}

TEST(CodecV5PacketTest, Connack) {
  ExpectRefused("length 2", Frame(0x20, "\x00\x00"s), ReasonCode::kMalformedPacket,
                "remaining length");
  ExpectRefused("reserved flags", Frame(0x20, "\x02\x00"s + Props()), ReasonCode::kMalformedPacket,
                "[MQTT-3.2.2-1]");
  ExpectRefused("session present with refusal", Frame(0x20, "\x01\x87"s + Props()),
                ReasonCode::kProtocolError, "[MQTT-3.2.2-6]");
  ExpectRefused("reason 0x8B", Frame(0x20, "\x00\x8B"s + Props()), ReasonCode::kProtocolError,
                "[MQTT-3.2.2-8]");
  ExpectRefused("reason 0x01", Frame(0x20, "\x00\x01"s + Props()), ReasonCode::kProtocolError,
                "[MQTT-3.2.2-8]");
  ExpectRefused("leftover", Frame(0x20, "\x00\x00"s + Props() + "x"), ReasonCode::kMalformedPacket,
                "left over");
  for (int code = 0; code < 256; ++code) {
    const std::string wire = Frame(0x20, "\x00"s + Byte(static_cast<uint8_t>(code)) + Props());
    EXPECT_EQ(Decode5(wire).status == DecodeStatus::kOk,
              IsValidReasonCode(PacketType::kConnack, static_cast<uint8_t>(code)))
        << code;
  }
}

TEST(CodecV5PacketTest, AcknowledgementReasonCodes) {
  struct Ack {
    uint8_t first;
    const char* rule;
  };
  for (const Ack ack : {Ack{0x40, "[MQTT-3.4.2-1]"}, Ack{0x50, "[MQTT-3.5.2-1]"},
                        Ack{0x62, "[MQTT-3.6.2-1]"}, Ack{0x70, "[MQTT-3.7.2-1]"}}) {
    const auto type = static_cast<PacketType>(ack.first >> 4);
    const char* name = PacketTypeName(type);
    ExpectRefused(name, Frame(ack.first, "\x01"s), ReasonCode::kMalformedPacket,
                  "remaining length");
    ExpectRefused(name, Frame(ack.first, ""), ReasonCode::kMalformedPacket, "remaining length");
    ExpectRefused(name, Frame(ack.first, U16(1) + Byte(0) + Props() + "x"),
                  ReasonCode::kMalformedPacket, "left over");
    ExpectRefused(name, Frame(ack.first, U16(1) + Byte(0) + "\x05\x1F"s),
                  ReasonCode::kMalformedPacket, "past the end of the packet");
    for (int code = 0; code < 256; ++code) {
      const uint8_t c = static_cast<uint8_t>(code);
      const std::string short_form = Frame(ack.first, U16(1) + Byte(c));
      const std::string long_form = Frame(ack.first, U16(1) + Byte(c) + Props());
      if (IsValidReasonCode(type, c)) {
        ExpectOk(name, short_form);
        ExpectOk(name, long_form);
      } else {
        ExpectRefused(name, short_form, ReasonCode::kProtocolError, ack.rule);
        ExpectRefused(name, long_form, ReasonCode::kProtocolError, ack.rule);
      }
    }
  }
  // SUBACK, UNSUBACK, DISCONNECT and AUTH.
  for (int code = 0; code < 256; ++code) {
    const uint8_t c = static_cast<uint8_t>(code);
    const std::pair<PacketType, std::string> wires[] = {
        {PacketType::kSuback, Frame(0x90, U16(1) + Props() + Byte(0) + Byte(c))},
        {PacketType::kUnsuback, Frame(0xB0, U16(1) + Props() + Byte(c))},
        {PacketType::kDisconnect, Frame(0xE0, Byte(c))},
        {PacketType::kDisconnect, Frame(0xE0, Byte(c) + Props())},
        {PacketType::kAuth, Frame(0xF0, Byte(c))},
        {PacketType::kAuth, Frame(0xF0, Byte(c) + Props())},
    };
    for (const auto& [type, wire] : wires) {
      const DecodeResult result = Decode5(wire);
      if (IsValidReasonCode(type, c)) {
        EXPECT_EQ(result.status, DecodeStatus::kOk) << PacketTypeName(type) << " " << code;
      } else {
        EXPECT_EQ(result.status, DecodeStatus::kMalformed) << PacketTypeName(type) << " " << code;
        EXPECT_EQ(result.reason, ReasonCode::kProtocolError) << result.error;
      }
    }
  }
  ExpectRefused("SUBACK without codes", Frame(0x90, U16(1) + Props()), ReasonCode::kMalformedPacket,
                "no reason code");
  ExpectRefused("UNSUBACK without codes", Frame(0xB0, U16(1) + Props()),
                ReasonCode::kMalformedPacket, "no reason code");
  ExpectRefused("UNSUBACK 3.1.1 form", Frame(0xB0, U16(1)), ReasonCode::kMalformedPacket,
                "property length");
  ExpectRefused("DISCONNECT leftover", Frame(0xE0, Byte(0) + Props() + "x"),
                ReasonCode::kMalformedPacket, "left over");
  ExpectRefused("AUTH flags", Frame(0xF1, ""), ReasonCode::kMalformedPacket, "[MQTT-2.2.2-1]");
}

TEST(CodecV5PacketTest, SubscribeOptions) {
  const auto subscribe = [](uint8_t options) {
    return Frame(0x82, U16(1) + Props() + Str("a/b") + Byte(options));
  };
  for (int options = 0; options < 256; ++options) {
    const uint8_t o = static_cast<uint8_t>(options);
    const std::string what = "options " + std::to_string(options);
    if (o & 0xC0) {
      ExpectRefused(what, subscribe(o), ReasonCode::kMalformedPacket, "[MQTT-3.8.3-5]");
    } else if ((o & 0x03) == 3) {
      ExpectRefused(what, subscribe(o), ReasonCode::kProtocolError, "QoS 3");
    } else if (((o >> 4) & 0x03) == 3) {
      ExpectRefused(what, subscribe(o), ReasonCode::kProtocolError, "retain handling 3");
    } else {
      const DecodeResult result = Decode5(subscribe(o));
      ASSERT_EQ(result.status, DecodeStatus::kOk) << what << ": " << result.error;
      const SubscribeFilter& f = std::get<Subscribe>(result.packet).filters.at(0);
      EXPECT_EQ(f.qos, o & 0x03);
      EXPECT_EQ(f.no_local, (o & 0x04) != 0);
      EXPECT_EQ(f.retain_as_published, (o & 0x08) != 0);
      EXPECT_EQ(f.retain_handling, (o >> 4) & 0x03);
    }
  }
  ExpectRefused("no filter", Frame(0x82, U16(1) + Props()), ReasonCode::kProtocolError,
                "[MQTT-3.8.3-2]");
  ExpectRefused("no options", Frame(0x82, U16(1) + Props() + Str("a")),
                ReasonCode::kMalformedPacket, "subscription options");
  ExpectRefused("packet id 0", Frame(0x82, U16(0) + Props() + Str("a") + Byte(0)),
                ReasonCode::kMalformedPacket, "[MQTT-2.2.1-3]");
  ExpectRefused("no filter in UNSUBSCRIBE", Frame(0xA2, U16(1) + Props()),
                ReasonCode::kProtocolError, "[MQTT-3.10.3-2]");
  ExpectRefused("UNSUBSCRIBE filter not UTF-8", Frame(0xA2, U16(1) + Props() + Str("\xFF")),
                ReasonCode::kMalformedPacket, "[MQTT-3.10.3-1]");
}

TEST(CodecV5PacketTest, FixedHeader) {
  // MQTT 5 wants the shortest remaining length [MQTT-1.5.5-1]; 3.1.1 did not.
  ExpectRefused("non-minimal PINGREQ", "\xC0\x80\x00"s, ReasonCode::kMalformedPacket,
                "[MQTT-1.5.5-1]");
  EXPECT_EQ(Decode("\xC0\x80\x00"sv, kNoLimit).status, DecodeStatus::kOk);
  ExpectRefused("five length bytes", "\x30\xFF\xFF\xFF\xFF\x7F"s, ReasonCode::kMalformedPacket,
                "4 bytes");
  ExpectRefused("PINGREQ with a body", Frame(0xC0, "\x00"s), ReasonCode::kMalformedPacket,
                "remaining length must be 0");
  ExpectRefused("type 0", "\x00\x00"s, ReasonCode::kMalformedPacket, "reserved");
  // AUTH is type 15 in v5 only.
  EXPECT_EQ(Decode5("\xF0\x00"s).status, DecodeStatus::kOk);
  EXPECT_EQ(Decode("\xF0\x00"sv, kNoLimit).status, DecodeStatus::kMalformed);
  // Too large carries "Packet too large".
  ExactBuffer buffer("\x30\xFF\x7F"sv);
  const DecodeResult too_large = Decode(buffer.view(), 100, kProtocolLevel5);
  EXPECT_EQ(too_large.status, DecodeStatus::kTooLarge);
  EXPECT_EQ(too_large.reason, ReasonCode::kPacketTooLarge);
}

// --- Truncation and fuzz ---

const UserProperty kUser[] = {{"a", "1"}, {"b", "2"}};
const uint32_t kIds[] = {3, 300};
const uint32_t kOneId[] = {3};

std::vector<std::string> Corpus5() {
  std::vector<Packet> packets = {
      Connect{.protocol_level = kProtocolLevel5,
              .keep_alive = 10,
              .client_id = "c",
              .will = Will{.topic = "w",
                           .payload = "m",
                           .qos = 1,
                           .properties = {.payload_format_indicator = 1,
                                          .will_delay_interval = 5,
                                          .user_properties = kUser}},
              .username = "u",
              .password = "p",
              .properties = {.session_expiry_interval = 9,
                             .authentication_method = "m",
                             .authentication_data = "d",
                             .receive_maximum = 5,
                             .user_properties = kUser}},
      Connack{.session_present = true,
              .properties = {.assigned_client_identifier = "a",
                             .server_keep_alive = 5,
                             .maximum_qos = 1,
                             .retain_available = true,
                             .user_properties = kUser,
                             .maximum_packet_size = 1000}},
      Publish{.topic = "a/b",
              .payload = "payload",
              .qos = 1,
              .packet_id = 3,
              .properties = {.message_expiry_interval = 5,
                             .content_type = "c",
                             .response_topic = "r",
                             .correlation_data = "d",
                             .subscription_identifiers = kIds,
                             .topic_alias = 2,
                             .user_properties = kUser}},
      Publish{.topic = "", .payload = "p", .properties = {.topic_alias = 9}},
      Puback{.packet_id = 1},
      Puback{.packet_id = 1, .reason_code = ReasonCode::kNoMatchingSubscribers},
      Pubrec{.packet_id = 2, .properties = {.reason_string = "r", .user_properties = kUser}},
      Pubrel{.packet_id = 3, .reason_code = ReasonCode::kPacketIdentifierNotFound},
      Pubcomp{.packet_id = 4, .properties = {.reason_string = "x"}},
      Subscribe{.packet_id = 5,
                .filters = {{"a/#", 1, true, true, 1}, {"b", 2}},
                .properties = {.subscription_identifiers = kOneId, .user_properties = kUser}},
      Suback{.packet_id = 5, .return_codes = {1, 0x80}, .properties = {.reason_string = "s"}},
      Unsubscribe{.packet_id = 6, .filters = {"a", "b"}, .properties = {.user_properties = kUser}},
      Unsuback{.packet_id = 6,
               .reason_codes = {ReasonCode::kSuccess, ReasonCode::kNoSubscriptionExisted},
               .properties = {.reason_string = "u"}},
      Pingreq{},
      Disconnect{.reason_code = ReasonCode::kServerMoved,
                 .properties = {.session_expiry_interval = 0, .server_reference = "s"}},
      Disconnect{},
      Auth{.reason_code = ReasonCode::kContinueAuthentication,
           .properties = {.authentication_method = "m", .authentication_data = "d"}},
  };
  std::vector<std::string> corpus;
  for (const Packet& p : packets) corpus.push_back(Encode5(p));
  return corpus;
}

TEST(CodecV5TruncationTest, EveryPrefixIsIncomplete) {
  for (const std::string& wire : Corpus5()) {
    ASSERT_EQ(Decode5(wire).status, DecodeStatus::kOk) << Decode5(wire).error;
    for (size_t cut = 0; cut < wire.size(); ++cut) {
      const DecodeResult result = Decode5(std::string_view(wire).substr(0, cut));
      ASSERT_EQ(result.status, DecodeStatus::kIncomplete)
          << PacketTypeName(static_cast<PacketType>(static_cast<uint8_t>(wire[0]) >> 4))
          << " cut at " << cut;
      ASSERT_EQ(result.consumed, 0u);
    }
  }
}

// Reads every view a decoded packet holds, so ASan sees any that points
// outside the input.
size_t TouchProperties(const Properties& p) {
  size_t sum = 0;
  for (const UserProperty& u : p.user_properties) {
    for (char c : u.key) sum += static_cast<uint8_t>(c);
    for (char c : u.value) sum += static_cast<uint8_t>(c);
  }
  for (uint32_t id : p.subscription_identifiers) sum += id;
  for (const auto* s : {&p.content_type, &p.response_topic, &p.correlation_data,
                        &p.authentication_method, &p.reason_string}) {
    if (*s) {
      for (char c : **s) sum += static_cast<uint8_t>(c);
    }
  }
  return sum;
}

void CheckDecodeInvariants5(std::string_view input, size_t max_packet_size) {
  ExactBuffer buffer(input);
  const std::string_view data = buffer.view();
  const DecodeResult result = Decode(data, max_packet_size, kProtocolLevel5);
  switch (result.status) {
    case DecodeStatus::kOk: {
      ASSERT_GT(result.consumed, 0u);
      ASSERT_LE(result.consumed, data.size());
      ASSERT_EQ(result.reason, ReasonCode::kSuccess);
      std::visit(
          [](const auto& p) {
            if constexpr (requires { p.properties; }) TouchProperties(p.properties);
          },
          result.packet);
      if (const auto* c = std::get_if<Connect>(&result.packet); c && c->will) {
        TouchProperties(c->will->properties);
      }
      const std::string again = Encode5(result.packet);
      ASSERT_EQ(again.size(), EncodedSize(result.packet, kProtocolLevel5));
      const DecodeResult second = Decode(again, kNoLimit, kProtocolLevel5);
      ASSERT_EQ(second.status, DecodeStatus::kOk) << second.error;
      ASSERT_EQ(second.consumed, again.size());
      ASSERT_EQ(Encode5(second.packet), again);
      break;
    }
    case DecodeStatus::kMalformed:
      ASSERT_EQ(result.consumed, 0u);
      ASSERT_FALSE(result.error.empty());
      ASSERT_TRUE(result.reason == ReasonCode::kMalformedPacket ||
                  result.reason == ReasonCode::kProtocolError ||
                  result.reason == ReasonCode::kTopicNameInvalid ||
                  result.reason == ReasonCode::kUnsupportedProtocolVersion)
          << result.error;
      break;
    case DecodeStatus::kTooLarge:
      ASSERT_EQ(result.consumed, 0u);
      ASSERT_EQ(result.reason, ReasonCode::kPacketTooLarge);
      break;
    case DecodeStatus::kIncomplete:
      ASSERT_EQ(result.consumed, 0u);
      break;
  }
}

TEST(CodecV5FuzzTest, MutatedPacketsNeverCrashOrOverread) {
  const std::vector<std::string> corpus = Corpus5();
  std::mt19937 rng(20240612);  // fixed seed: failures must reproduce
  const auto below = [&rng](size_t n) { return static_cast<size_t>(rng() % n); };
  const size_t limits[] = {8, 64, 1 << 20};
  size_t decoded_ok = 0;
  for (int iteration = 0; iteration < 40000; ++iteration) {
    std::string input = corpus[below(corpus.size())];
    const size_t mutations = 1 + below(3);
    for (size_t m = 0; m < mutations; ++m) {
      switch (below(6)) {
        case 0:
          if (!input.empty()) input[below(input.size())] = static_cast<char>(rng());
          break;
        case 1:
          if (!input.empty()) input[below(input.size())] ^= static_cast<char>(1 << below(8));
          break;
        case 2:
          input.resize(below(input.size() + 1));
          break;
        case 3:
          input.insert(input.begin() + static_cast<std::ptrdiff_t>(below(input.size() + 1)),
                       static_cast<char>(rng()));
          break;
        case 4:
          if (!input.empty()) {
            input.erase(input.begin() + static_cast<std::ptrdiff_t>(below(input.size())));
          }
          break;
        case 5:
          input += corpus[below(corpus.size())];
          break;
      }
    }
    CheckDecodeInvariants5(input, limits[below(3)]);
    if (HasFatalFailure()) {
      FAIL() << "iteration " << iteration;
    }
    if (Decode(input, kNoLimit, kProtocolLevel5).status == DecodeStatus::kOk) ++decoded_ok;
  }
  EXPECT_GT(decoded_ok, 1000u);
}

TEST(CodecV5FuzzTest, RandomPropertyBlocksNeverCrashOrOverread) {
  // Random bytes where the properties go, inside otherwise valid packets,
  // so the property reader sees mostly garbage.
  std::mt19937 rng(11);
  for (int iteration = 0; iteration < 30000; ++iteration) {
    std::string block(rng() % 24, '\0');
    for (char& c : block) c = static_cast<char>(rng() % 3 == 0 ? rng() % 0x2C : rng());
    const Place& place = kPlaces[rng() % std::size(kPlaces)];
    CheckDecodeInvariants5(place.packet(Props(block)), 1 << 20);
    if (HasFatalFailure()) {
      FAIL() << "iteration " << iteration;
    }
  }
}

}  // namespace
}  // namespace plaza::mqtt
