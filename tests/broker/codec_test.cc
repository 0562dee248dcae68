// Tests of the MQTT 3.1.1 wire codec: round trips of every packet type, one
// case per rule that makes a packet malformed, truncation at every byte,
// the remaining-length edges, the size limit, and a seeded mutation "fuzz"
// run that relies on the ASan/UBSan build to catch any read past the input.
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec_test_bytes.h"
#include "mqtt/codec.h"
#include "mqtt/packet.h"

// The packet structs are built with designated initializers that leave the
// other members at their defaults, which is what the defaults are for; GCC 12
// still warns about every omitted member under -Wextra.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

// Counts heap allocations so a test can prove that decoding a PUBLISH never
// allocates. Replacing the global operator new is the only way to see
// allocations made inside the library.
namespace {
std::atomic<size_t> g_allocations{0};
}  // namespace

// GCC pairs the inlined malloc/free below with new/delete and warns in
// sanitizer builds; they are this file's own matching pair.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace plaza::mqtt {
namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;

using namespace wire;

// A 3.1.1 CONNECT with the given flags and payload (keep alive 60).
std::string ConnectFrame(uint8_t flags, std::string_view payload, std::string_view name = "MQTT",
                         uint8_t level = 4) {
  return Frame(0x10, Str(name) + Byte(level) + Byte(flags) + U16(60) + std::string(payload));
}

// --- Sample packets of every type ---

struct Sample {
  const char* name;
  Packet packet;
};

std::vector<Sample> Samples() {
  static const std::string big_payload(70000, 'p');
  std::vector<Sample> samples;
  samples.push_back({"CONNECT minimal", Connect{.protocol_name = "MQTT", .client_id = "c1"}});
  samples.push_back({"CONNECT empty client id", Connect{.protocol_name = "MQTT"}});
  samples.push_back(
      {"CONNECT full",
       Connect{.protocol_name = "MQTT",
               .clean_session = false,
               .keep_alive = 65535,
               .client_id = "client-\xC3\xA9",
               .will = Will{.topic = "last/will", .payload = "gone\0!"sv, .qos = 2, .retain = true},
               .username = "user",
               .password = "p\0ss\xFF"sv}});
  samples.push_back({"CONNECT will QoS 1 no retain",
                     Connect{.protocol_name = "MQTT",
                             .client_id = "w",
                             .will = Will{.topic = "t", .payload = "", .qos = 1}}});
  samples.push_back({"CONNECT username only",
                     Connect{.protocol_name = "MQTT", .client_id = "u", .username = ""}});
  samples.push_back({"CONNACK", Connack{}});
  samples.push_back({"CONNACK session present", Connack{.session_present = true}});
  samples.push_back(
      {"CONNACK not authorized", Connack{.return_code = ConnectReturnCode::kNotAuthorized}});
  samples.push_back({"PUBLISH QoS 0", Publish{.topic = "a/b", .payload = "hello"}});
  samples.push_back({"PUBLISH QoS 0 retain empty payload", Publish{.topic = "a", .retain = true}});
  samples.push_back({"PUBLISH QoS 1 dup", Publish{.topic = "sensors/\xE2\x82\xAC",
                                                  .payload = "\0\x01\xFF"sv,
                                                  .qos = 1,
                                                  .dup = true,
                                                  .packet_id = 1}});
  samples.push_back(
      {"PUBLISH QoS 2 retain",
       Publish{.topic = "$SYS/x", .payload = "x", .qos = 2, .retain = true, .packet_id = 65535}});
  samples.push_back(
      {"PUBLISH big", Publish{.topic = "big", .payload = big_payload, .qos = 1, .packet_id = 7}});
  samples.push_back({"PUBACK", Puback{.packet_id = 1}});
  samples.push_back({"PUBREC", Pubrec{.packet_id = 258}});
  samples.push_back({"PUBREL", Pubrel{.packet_id = 65535}});
  samples.push_back({"PUBCOMP", Pubcomp{.packet_id = 42}});
  samples.push_back(
      {"SUBSCRIBE", Subscribe{.packet_id = 10,
                              .filters = {{"a/+/c", 0}, {"#", 1}, {"a/b#", 2}, {"$SYS/#", 0}}}});
  samples.push_back({"SUBSCRIBE one", Subscribe{.packet_id = 1, .filters = {{"x", 2}}}});
  samples.push_back({"SUBACK", Suback{.packet_id = 10, .return_codes = {0, 1, 2, kSubackFailure}}});
  samples.push_back(
      {"UNSUBSCRIBE", Unsubscribe{.packet_id = 11, .filters = {"a/+/c", "#", "caf\xC3\xA9"}}});
  samples.push_back({"UNSUBACK", Unsuback{.packet_id = 11}});
  samples.push_back({"PINGREQ", Pingreq{}});
  samples.push_back({"PINGRESP", Pingresp{}});
  samples.push_back({"DISCONNECT", Disconnect{}});
  return samples;
}

// --- Round trips ---

TEST(CodecRoundTripTest, EveryPacketType) {
  bool seen[16] = {};
  for (const Sample& sample : Samples()) {
    SCOPED_TRACE(sample.name);
    const std::string wire = EncodeToString(sample.packet);
    ExactBuffer buffer(wire);
    const DecodeResult result = Decode(buffer.view(), kNoLimit);
    ASSERT_EQ(result.status, DecodeStatus::kOk) << result.error;
    EXPECT_EQ(result.consumed, wire.size());
    EXPECT_TRUE(result.error.empty());
    EXPECT_EQ(TypeOf(result.packet), TypeOf(sample.packet));
    // Re-encoding reproduces the bytes exactly, so no field was lost or changed.
    EXPECT_EQ(EncodeToString(result.packet), wire);
    seen[static_cast<int>(TypeOf(sample.packet))] = true;
  }
  for (int type = 1; type <= 14; ++type) {
    EXPECT_TRUE(seen[type]) << PacketTypeName(static_cast<PacketType>(type));
  }
}

TEST(CodecRoundTripTest, ConnectFields) {
  const Connect in{.protocol_name = "MQTT",
                   .clean_session = false,
                   .keep_alive = 300,
                   .client_id = "id",
                   .will = Will{.topic = "w/t", .payload = "bye", .qos = 1, .retain = true},
                   .username = "u",
                   .password = "pw"};
  const std::string wire = EncodeToString(in);
  const DecodeResult result = Decode(wire, kNoLimit);
  ASSERT_EQ(result.status, DecodeStatus::kOk) << result.error;
  const Connect& out = std::get<Connect>(result.packet);
  EXPECT_EQ(out.protocol_name, "MQTT");
  EXPECT_EQ(out.protocol_level, kProtocolLevel311);
  EXPECT_FALSE(out.clean_session);
  EXPECT_EQ(out.keep_alive, 300);
  EXPECT_EQ(out.client_id, "id");
  ASSERT_TRUE(out.will.has_value());
  EXPECT_EQ(out.will->topic, "w/t");
  EXPECT_EQ(out.will->payload, "bye");
  EXPECT_EQ(out.will->qos, 1);
  EXPECT_TRUE(out.will->retain);
  EXPECT_EQ(out.username, "u");
  EXPECT_EQ(out.password, "pw");

  const DecodeResult bare = Decode(EncodeToString(Connect{.client_id = "c"}), kNoLimit);
  ASSERT_EQ(bare.status, DecodeStatus::kOk) << bare.error;
  const Connect& c = std::get<Connect>(bare.packet);
  EXPECT_TRUE(c.clean_session);
  EXPECT_FALSE(c.will.has_value());
  EXPECT_FALSE(c.username.has_value());
  EXPECT_FALSE(c.password.has_value());
}

TEST(CodecRoundTripTest, EmptyProtocolNameEncodesAsMqtt) {
  const std::string wire = EncodeToString(Connect{.client_id = "c"});
  EXPECT_EQ(wire,
            "\x10\x0D\x00\x04MQTT\x04\x02\x00\x00\x00\x01"
            "c"sv);
}

TEST(CodecRoundTripTest, PublishFieldsAreViewsIntoTheInput) {
  const std::string wire = EncodeToString(Publish{
      .topic = "t/1", .payload = "data", .qos = 2, .retain = true, .dup = true, .packet_id = 513});
  const DecodeResult result = Decode(wire, kNoLimit);
  ASSERT_EQ(result.status, DecodeStatus::kOk) << result.error;
  const Publish& p = std::get<Publish>(result.packet);
  EXPECT_EQ(p.topic, "t/1");
  EXPECT_EQ(p.payload, "data");
  EXPECT_EQ(p.qos, 2);
  EXPECT_TRUE(p.retain);
  EXPECT_TRUE(p.dup);
  EXPECT_EQ(p.packet_id, 513);
  EXPECT_EQ(p.topic.data(), wire.data() + 4);
  EXPECT_EQ(p.payload.data(), wire.data() + wire.size() - 4);
}

TEST(CodecRoundTripTest, DecodingPublishDoesNotAllocate) {
  const std::string payload(4096, 'x');
  for (uint8_t qos = 0; qos <= 2; ++qos) {
    const std::string wire = EncodeToString(Publish{
        .topic = "sensors/room/temperature", .payload = payload, .qos = qos, .packet_id = 9});
    const size_t before = g_allocations.load();
    const DecodeResult result = Decode(wire, kNoLimit);
    const size_t after = g_allocations.load();
    ASSERT_EQ(result.status, DecodeStatus::kOk);
    EXPECT_EQ(after, before) << "QoS " << int{qos};
  }
}

TEST(CodecRoundTripTest, DecodingV5PublishDoesNotAllocate) {
  // Properties included, user properties and subscription identifiers too:
  // the repeatable ones are views over the packet's property bytes.
  const std::string payload(4096, 'x');
  const UserProperty user[] = {{"trace", "abc"}, {"trace", "def"}};
  const uint32_t subscription_ids[] = {1, 200000};
  const Properties with_properties{.payload_format_indicator = 1,
                                   .message_expiry_interval = 60,
                                   .content_type = "application/json",
                                   .response_topic = "replies/1",
                                   .correlation_data = "42",
                                   .subscription_identifiers = subscription_ids,
                                   .topic_alias = 3,
                                   .user_properties = user};
  for (const Properties& properties : {Properties{}, with_properties}) {
    for (uint8_t qos = 0; qos <= 2; ++qos) {
      std::string wire;
      Encode(Publish{.topic = "sensors/room/temperature",
                     .payload = payload,
                     .qos = qos,
                     .packet_id = 9,
                     .properties = properties},
             &wire, kProtocolLevel5);
      const size_t before = g_allocations.load();
      const DecodeResult result = Decode(wire, kNoLimit, kProtocolLevel5);
      size_t user_properties = 0;
      for (const UserProperty& p : std::get<Publish>(result.packet).properties.user_properties) {
        user_properties += p.key.size();
      }
      const size_t after = g_allocations.load();
      ASSERT_EQ(result.status, DecodeStatus::kOk) << result.error;
      EXPECT_EQ(after, before) << "QoS " << int{qos};
      EXPECT_EQ(user_properties, properties.user_properties.empty() ? 0u : 10u);
    }
  }
}

TEST(CodecRoundTripTest, KnownWireBytes) {
  EXPECT_EQ(EncodeToString(Pingreq{}), "\xC0\x00"sv);
  EXPECT_EQ(EncodeToString(Pingresp{}), "\xD0\x00"sv);
  EXPECT_EQ(EncodeToString(Disconnect{}), "\xE0\x00"sv);
  EXPECT_EQ(EncodeToString(Puback{.packet_id = 0x1234}), "\x40\x02\x12\x34"sv);
  EXPECT_EQ(EncodeToString(Pubrec{.packet_id = 1}), "\x50\x02\x00\x01"sv);
  EXPECT_EQ(EncodeToString(Pubrel{.packet_id = 1}), "\x62\x02\x00\x01"sv);
  EXPECT_EQ(EncodeToString(Pubcomp{.packet_id = 1}), "\x70\x02\x00\x01"sv);
  EXPECT_EQ(EncodeToString(Unsuback{.packet_id = 1}), "\xB0\x02\x00\x01"sv);
  EXPECT_EQ(EncodeToString(Connack{.session_present = true}), "\x20\x02\x01\x00"sv);
  EXPECT_EQ(EncodeToString(Connack{.return_code = ConnectReturnCode::kIdentifierRejected}),
            "\x20\x02\x00\x02"sv);
  EXPECT_EQ(EncodeToString(Publish{.topic = "a/b", .payload = "hi", .qos = 1, .packet_id = 10}),
            "\x32\x09\x00\x03"
            "a/b\x00\x0Ahi"sv);
  EXPECT_EQ(EncodeToString(Publish{.topic = "a", .payload = "", .retain = true}),
            "\x31\x03\x00\x01"
            "a"sv);
  EXPECT_EQ(EncodeToString(Subscribe{.packet_id = 1, .filters = {{"a/#", 1}}}),
            "\x82\x08\x00\x01\x00\x03"
            "a/#\x01"sv);
  EXPECT_EQ(EncodeToString(Suback{.packet_id = 1, .return_codes = {0, 0x80}}),
            "\x90\x04\x00\x01\x00\x80"sv);
  EXPECT_EQ(EncodeToString(Unsubscribe{.packet_id = 2, .filters = {"a"}}),
            "\xA2\x05\x00\x02\x00\x01"
            "a"sv);
}

TEST(CodecRoundTripTest, EncodeAppends) {
  std::string out = "prefix";
  Encode(Pingreq{}, &out);
  EXPECT_EQ(out, "prefix\xC0\x00"sv);
}

TEST(CodecStreamTest, DecodesBackToBackPackets) {
  std::string stream;
  const std::vector<Sample> samples = Samples();
  for (const Sample& sample : samples) Encode(sample.packet, &stream);
  std::string_view rest = stream;
  for (const Sample& sample : samples) {
    SCOPED_TRACE(sample.name);
    const DecodeResult result = Decode(rest, kNoLimit);
    ASSERT_EQ(result.status, DecodeStatus::kOk) << result.error;
    EXPECT_EQ(TypeOf(result.packet), TypeOf(sample.packet));
    rest.remove_prefix(result.consumed);
  }
  EXPECT_TRUE(rest.empty());
}

// --- Truncation ---

TEST(CodecIncompleteTest, EveryPrefixOfEveryPacketIsIncomplete) {
  for (const Sample& sample : Samples()) {
    SCOPED_TRACE(sample.name);
    const std::string wire = EncodeToString(sample.packet);
    // The big sample would take long under ASan at every offset; its header
    // and the first and last few kilobytes cover every code path.
    for (size_t cut = 0; cut < wire.size(); ++cut) {
      if (wire.size() > 10000 && cut > 4096 && cut < wire.size() - 4096) continue;
      ExactBuffer buffer(std::string_view(wire).substr(0, cut));
      const DecodeResult result = Decode(buffer.view(), kNoLimit);
      ASSERT_EQ(result.status, DecodeStatus::kIncomplete) << "cut at " << cut;
      ASSERT_EQ(result.consumed, 0u);
    }
  }
}

TEST(CodecIncompleteTest, MidRemainingLength) {
  EXPECT_EQ(Decode("\x30"sv, kNoLimit).status, DecodeStatus::kIncomplete);
  EXPECT_EQ(Decode("\x30\x80"sv, kNoLimit).status, DecodeStatus::kIncomplete);
  EXPECT_EQ(Decode("\x30\xFF\xFF"sv, kNoLimit).status, DecodeStatus::kIncomplete);
  EXPECT_EQ(Decode("\x30\xFF\xFF\xFF"sv, kNoLimit).status, DecodeStatus::kIncomplete);
  EXPECT_EQ(Decode("", kNoLimit).status, DecodeStatus::kIncomplete);
}

// --- Remaining length ---

struct LengthCase {
  uint32_t value;
  std::string_view bytes;
};

const LengthCase kLengthEdges[] = {
    {0, "\x00"sv},
    {127, "\x7F"sv},
    {128, "\x80\x01"sv},
    {16383, "\xFF\x7F"sv},
    {16384, "\x80\x80\x01"sv},
    {2097151, "\xFF\xFF\x7F"sv},
    {2097152, "\x80\x80\x80\x01"sv},
    {268435455, "\xFF\xFF\xFF\x7F"sv},
};

TEST(RemainingLengthTest, EncodesTheStandardsEdges) {
  for (const LengthCase& c : kLengthEdges) {
    uint8_t out[4] = {};
    const size_t n = EncodeRemainingLength(c.value, out);
    EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(out), n), c.bytes) << c.value;
  }
  EXPECT_EQ(kMaxRemainingLength, 268435455u);
}

TEST(RemainingLengthTest, DecodesTheStandardsEdges) {
  for (const LengthCase& c : kLengthEdges) {
    SCOPED_TRACE(c.value);
    if (c.value == 0) {
      const DecodeResult result = Decode("\xC0\x00"sv, kNoLimit);
      EXPECT_EQ(result.status, DecodeStatus::kOk);
      EXPECT_EQ(result.consumed, 2u);
      continue;
    }
    // Just the fixed header: the decoder waits for the body...
    std::string header = "\x30";
    header += c.bytes;
    EXPECT_EQ(Decode(header, kNoLimit).status, DecodeStatus::kIncomplete);
    // ...unless the declared size is over the limit.
    const DecodeResult too_large = Decode(header, header.size() + c.value - 1);
    EXPECT_EQ(too_large.status, DecodeStatus::kTooLarge);
    EXPECT_EQ(too_large.consumed, 0u);
    if (c.value > 2097152) continue;  // 256 MiB is too much for a unit test
    // A whole PUBLISH of exactly that remaining length.
    const std::string payload(c.value - 3, 'x');
    const std::string wire = EncodeToString(Publish{.topic = "t", .payload = payload});
    EXPECT_EQ(std::string_view(wire).substr(1, c.bytes.size()), c.bytes);
    const DecodeResult result = Decode(wire, wire.size());
    ASSERT_EQ(result.status, DecodeStatus::kOk) << result.error;
    EXPECT_EQ(result.consumed, wire.size());
    EXPECT_EQ(std::get<Publish>(result.packet).payload.size(), payload.size());
  }
}

TEST(RemainingLengthTest, FiveBytesAreMalformed) {
  const DecodeResult result = Decode("\x30\xFF\xFF\xFF\xFF\x7F"sv, kNoLimit);
  EXPECT_EQ(result.status, DecodeStatus::kMalformed);
  EXPECT_EQ(result.consumed, 0u);
  EXPECT_NE(result.error.find("PUBLISH"), std::string::npos) << result.error;
  EXPECT_NE(result.error.find("4 bytes"), std::string::npos) << result.error;
  // Known as soon as the fourth length byte asks for a fifth.
  EXPECT_EQ(Decode("\xC0\x80\x80\x80\x80"sv, kNoLimit).status, DecodeStatus::kMalformed);
}

TEST(RemainingLengthTest, NonMinimalEncodingIsAccepted) {
  // MQTT 3.1.1 does not require the shortest form (MQTT 5 does); a PINGREQ
  // with a two-byte zero length is still a PINGREQ.
  const DecodeResult result = Decode("\xC0\x80\x00"sv, kNoLimit);
  EXPECT_EQ(result.status, DecodeStatus::kOk) << result.error;
  EXPECT_EQ(result.consumed, 3u);
}

// --- Size limit ---

TEST(CodecTooLargeTest, LimitCoversTheWholePacket) {
  const std::string wire = EncodeToString(Publish{.topic = "t", .payload = std::string(95, 'x')});
  ASSERT_EQ(wire.size(), 100u);
  EXPECT_EQ(Decode(wire, 100).status, DecodeStatus::kOk);
  const DecodeResult result = Decode(wire, 99);
  EXPECT_EQ(result.status, DecodeStatus::kTooLarge);
  EXPECT_EQ(result.consumed, 0u);
  EXPECT_NE(result.error.find("PUBLISH"), std::string::npos) << result.error;
}

TEST(CodecTooLargeTest, ReportedFromTheFixedHeaderAlone) {
  const std::string wire = EncodeToString(Publish{.topic = "t", .payload = std::string(500, 'x')});
  EXPECT_EQ(Decode(std::string_view(wire).substr(0, 3), 100).status, DecodeStatus::kTooLarge);
  EXPECT_EQ(Decode(std::string_view(wire).substr(0, 3), 1000).status, DecodeStatus::kIncomplete);
  EXPECT_EQ(Decode("\x30\xFF\xFF\xFF\x7F"sv, 1 << 20).status, DecodeStatus::kTooLarge);
  EXPECT_EQ(Decode("\xC0\x00"sv, 1).status, DecodeStatus::kTooLarge);
  EXPECT_EQ(Decode("\xC0\x00"sv, 2).status, DecodeStatus::kOk);
}

// --- Malformed packets ---

struct MalformedCase {
  const char* what;
  std::string bytes;
  const char* packet;  // expected at the start of the error text
  const char* rule;    // expected inside the error text
};

void ExpectMalformed(const MalformedCase& c) {
  ExactBuffer buffer(c.bytes);
  const DecodeResult result = Decode(buffer.view(), kNoLimit);
  EXPECT_EQ(result.status, DecodeStatus::kMalformed) << c.what;
  EXPECT_EQ(result.consumed, 0u) << c.what;
  EXPECT_EQ(result.error.rfind(c.packet, 0), 0u) << c.what << ": " << result.error;
  EXPECT_NE(result.error.find(c.rule), std::string::npos) << c.what << ": " << result.error;
}

void ExpectOk(std::string_view what, const std::string& bytes) {
  ExactBuffer buffer(bytes);
  const DecodeResult result = Decode(buffer.view(), kNoLimit);
  EXPECT_EQ(result.status, DecodeStatus::kOk) << what << ": " << result.error;
  EXPECT_EQ(result.consumed, bytes.size()) << what;
}

TEST(CodecMalformedTest, ReservedPacketTypes) {
  ExpectMalformed({"type 0", "\x00\x00"s, "packet type 0", "reserved"});
  ExpectMalformed({"type 0 alone", "\x0F"s, "packet type 0", "reserved"});
  ExpectMalformed({"type 15 (AUTH)", "\xF0\x00"s, "packet type 15", "MQTT 5"});
  ExpectMalformed({"type 15 alone", "\xF0"s, "packet type 15", "MQTT 5"});
}

TEST(CodecMalformedTest, FixedHeaderFlags) {
  // A valid body for each type, so that only the flags are wrong.
  const std::pair<PacketType, std::string> bodies[] = {
      {PacketType::kConnect, ConnectFrame(0x02, Str("c")).substr(2)},
      {PacketType::kConnack, "\x00\x00"s},
      {PacketType::kPuback, U16(1)},
      {PacketType::kPubrec, U16(1)},
      {PacketType::kPubrel, U16(1)},
      {PacketType::kPubcomp, U16(1)},
      {PacketType::kSubscribe, U16(1) + Str("a") + Byte(0)},
      {PacketType::kSuback, U16(1) + Byte(0)},
      {PacketType::kUnsubscribe, U16(1) + Str("a")},
      {PacketType::kUnsuback, U16(1)},
      {PacketType::kPingreq, ""},
      {PacketType::kPingresp, ""},
      {PacketType::kDisconnect, ""},
  };
  for (const auto& [type, body] : bodies) {
    const bool needs_0010 = type == PacketType::kPubrel || type == PacketType::kSubscribe ||
                            type == PacketType::kUnsubscribe;
    const uint8_t required = needs_0010 ? 0x02 : 0x00;
    for (uint8_t flags = 0; flags < 16; ++flags) {
      const std::string wire =
          Frame(static_cast<uint8_t>(static_cast<uint8_t>(type) << 4 | flags), body);
      const std::string what =
          std::string(PacketTypeName(type)) + " flags " + std::to_string(flags);
      if (flags == required) {
        ExpectOk(what, wire);
      } else {
        ExpectMalformed({what.c_str(), wire, PacketTypeName(type),
                         needs_0010 ? "must be 0010" : "[MQTT-2.2.2-1]"});
      }
    }
  }
}

TEST(CodecMalformedTest, Publish) {
  const std::string topic = Str("a/b");
  ExpectMalformed({"QoS 3", Frame(0x36, topic + U16(1)), "PUBLISH", "[MQTT-3.3.1-4]"});
  ExpectMalformed({"QoS 3 retain dup", Frame(0x3F, topic + U16(1)), "PUBLISH", "[MQTT-3.3.1-4]"});
  ExpectMalformed({"QoS 3 header only", "\x36"s, "PUBLISH", "[MQTT-3.3.1-4]"});
  ExpectMalformed({"DUP with QoS 0", Frame(0x38, topic), "PUBLISH", "[MQTT-3.3.1-2]"});
  ExpectMalformed({"DUP with QoS 0 retain", Frame(0x39, topic), "PUBLISH", "[MQTT-3.3.1-2]"});
  ExpectMalformed({"QoS 1 packet id 0", Frame(0x32, topic + U16(0)), "PUBLISH", "[MQTT-2.3.1-1]"});
  ExpectMalformed(
      {"QoS 2 packet id 0", Frame(0x34, topic + U16(0) + "payload"), "PUBLISH", "[MQTT-2.3.1-1]"});
  ExpectMalformed({"QoS 1 without packet id", Frame(0x32, topic), "PUBLISH", "packet identifier"});
  ExpectMalformed(
      {"QoS 1 half packet id", Frame(0x32, topic + "\x01"), "PUBLISH", "packet identifier"});
  ExpectMalformed({"empty topic", Frame(0x30, Str("") + "payload"), "PUBLISH", "[MQTT-4.7.3-1]"});
  ExpectMalformed({"topic with +", Frame(0x30, Str("a/+/c")), "PUBLISH", "[MQTT-3.3.2-2]"});
  ExpectMalformed({"topic with #", Frame(0x30, Str("a/#")), "PUBLISH", "[MQTT-3.3.2-2]"});
  ExpectMalformed({"topic #", Frame(0x32, Str("#") + U16(1)), "PUBLISH", "[MQTT-3.3.2-2]"});
  ExpectMalformed(
      {"topic overlong UTF-8", Frame(0x30, Str("\xC0\xAF")), "PUBLISH", "[MQTT-3.3.2-1]"});
  ExpectMalformed(
      {"topic surrogate", Frame(0x30, Str("a\xED\xA0\x80")), "PUBLISH", "[MQTT-3.3.2-1]"});
  ExpectMalformed({"topic U+0000", Frame(0x30, Str("a\0b"sv)), "PUBLISH", "[MQTT-3.3.2-1]"});
  ExpectMalformed(
      {"topic length past the packet", Frame(0x30, U16(10) + "abc"), "PUBLISH", "past the end"});
  ExpectMalformed({"topic length byte only", Frame(0x30, "\x00"s), "PUBLISH", "past the end"});
  ExpectMalformed({"empty body", Frame(0x30, ""), "PUBLISH", "past the end"});
  // What is not malformed: an empty payload, binary payloads, '$' topics.
  ExpectOk("empty payload", Frame(0x30, Str("a")));
  ExpectOk("binary payload", Frame(0x32, Str("a") + U16(1) + "\0\xFF\xC0"s));
  ExpectOk("$ topic", Frame(0x30, Str("$SYS/x")));
}

TEST(CodecMalformedTest, Connect) {
  const std::string id = Str("client");
  ExpectMalformed({"reserved flag", ConnectFrame(0x03, id), "CONNECT", "[MQTT-3.1.2-3]"});
  ExpectMalformed(
      {"will QoS 3", ConnectFrame(0x1E, id + Str("t") + Str("m")), "CONNECT", "[MQTT-3.1.2-14]"});
  ExpectMalformed(
      {"will QoS 1 without will", ConnectFrame(0x0A, id), "CONNECT", "[MQTT-3.1.2-13]"});
  ExpectMalformed(
      {"will QoS 2 without will", ConnectFrame(0x12, id), "CONNECT", "[MQTT-3.1.2-13]"});
  ExpectMalformed(
      {"will retain without will", ConnectFrame(0x22, id), "CONNECT", "[MQTT-3.1.2-15]"});
  ExpectMalformed({"password without user name", ConnectFrame(0x42, id + Str("pw")), "CONNECT",
                   "[MQTT-3.1.2-22]"});
  ExpectMalformed(
      {"client id invalid UTF-8", ConnectFrame(0x02, Str("\xFF")), "CONNECT", "[MQTT-3.1.3-4]"});
  ExpectMalformed(
      {"client id U+0000", ConnectFrame(0x02, Str("a\0"sv)), "CONNECT", "[MQTT-3.1.3-4]"});
  ExpectMalformed({"will topic invalid UTF-8",
                   ConnectFrame(0x06, id + Str("\xED\xBF\xBF") + Str("m")), "CONNECT",
                   "[MQTT-3.1.3-10]"});
  ExpectMalformed({"will topic with #", ConnectFrame(0x06, id + Str("a/#") + Str("m")), "CONNECT",
                   "[MQTT-3.3.2-2]"});
  ExpectMalformed({"will topic with +", ConnectFrame(0x06, id + Str("+") + Str("m")), "CONNECT",
                   "[MQTT-3.3.2-2]"});
  ExpectMalformed({"empty will topic", ConnectFrame(0x06, id + Str("") + Str("m")), "CONNECT",
                   "[MQTT-4.7.3-1]"});
  ExpectMalformed({"user name invalid UTF-8", ConnectFrame(0x82, id + Str("\xC3")), "CONNECT",
                   "[MQTT-3.1.3-11]"});
  ExpectMalformed({"protocol name MQIsdp at level 4", ConnectFrame(0x02, id, "MQIsdp", 4),
                   "CONNECT", "[MQTT-3.1.2-1]"});
  ExpectMalformed({"protocol name mqtt at level 4", ConnectFrame(0x02, id, "mqtt", 4), "CONNECT",
                   "[MQTT-3.1.2-1]"});
  // Fields running past the packet.
  ExpectMalformed({"empty body", Frame(0x10, ""), "CONNECT", "protocol name"});
  ExpectMalformed(
      {"protocol name past the end", Frame(0x10, U16(4) + "MQ"), "CONNECT", "protocol name"});
  ExpectMalformed({"no protocol level", Frame(0x10, Str("MQTT")), "CONNECT", "protocol level"});
  ExpectMalformed(
      {"no connect flags", Frame(0x10, Str("MQTT") + Byte(4)), "CONNECT", "connect flags"});
  ExpectMalformed({"no keep alive", Frame(0x10, Str("MQTT") + Byte(4) + Byte(2) + "\x00"s),
                   "CONNECT", "keep alive"});
  ExpectMalformed({"no client id", ConnectFrame(0x02, ""), "CONNECT", "client identifier"});
  ExpectMalformed({"client id past the end", ConnectFrame(0x02, U16(5) + "abc"), "CONNECT",
                   "client identifier"});
  ExpectMalformed({"no will topic", ConnectFrame(0x06, id), "CONNECT", "will topic"});
  ExpectMalformed(
      {"no will message", ConnectFrame(0x06, id + Str("t")), "CONNECT", "will message"});
  ExpectMalformed({"will message past the end", ConnectFrame(0x06, id + Str("t") + U16(3) + "m"),
                   "CONNECT", "will message"});
  ExpectMalformed({"no user name", ConnectFrame(0x82, id), "CONNECT", "user name"});
  ExpectMalformed({"no password", ConnectFrame(0xC2, id + Str("u")), "CONNECT", "password"});
  ExpectMalformed({"password past the end", ConnectFrame(0xC2, id + Str("u") + U16(9) + "pw"),
                   "CONNECT", "password"});
  // Bytes after the last field the flags announce.
  ExpectMalformed({"leftover byte", ConnectFrame(0x02, id + "x"), "CONNECT", "left over"});
  ExpectMalformed(
      {"user name without flag", ConnectFrame(0x02, id + Str("u")), "CONNECT", "left over"});
  ExpectMalformed(
      {"will without flag", ConnectFrame(0x02, id + Str("t") + Str("m")), "CONNECT", "left over"});
  // What is not malformed.
  ExpectOk("empty client id", ConnectFrame(0x02, Str("")));
  ExpectOk("empty client id, no clean session", ConnectFrame(0x00, Str("")));  // core's business
  ExpectOk("empty user name and password", ConnectFrame(0xC2, id + Str("") + Str("")));
  ExpectOk("binary password", ConnectFrame(0xC2, id + Str("u") + Str("\xFF\0"sv)));
  ExpectOk("binary will message", ConnectFrame(0x2E, id + Str("t") + Str("\xC0\0"sv)));
}

TEST(CodecMalformedTest, ConnectWithOtherProtocolLevelIsReturnedForRefusal) {
  struct Case {
    std::string_view name;
    uint8_t level;
    std::string rest;
  };
  // Level 5 is not here: MQTT 5 CONNECTs are decoded in full (see
  // codec_v5_*_test.cc).
  const Case cases[] = {
      {"MQIsdp", 3, Byte(0x02) + U16(60) + Str("old-client")},
      {"MQTT", 0, ""},
      {"MQTT", 255, "anything at all \xFF"s},
      {"", 4 + 2, ""},
  };
  for (const Case& c : cases) {
    const std::string wire = Frame(0x10, Str(c.name) + Byte(c.level) + c.rest);
    ExactBuffer buffer(wire);
    const DecodeResult result = Decode(buffer.view(), kNoLimit);
    ASSERT_EQ(result.status, DecodeStatus::kOk) << int{c.level} << ": " << result.error;
    EXPECT_EQ(result.consumed, wire.size());
    const Connect& connect = std::get<Connect>(result.packet);
    EXPECT_EQ(connect.protocol_name, c.name);
    EXPECT_EQ(connect.protocol_level, c.level);
    EXPECT_EQ(connect.client_id, "");
    EXPECT_FALSE(connect.will.has_value());
    EXPECT_FALSE(connect.username.has_value());
    EXPECT_EQ(connect.keep_alive, 0);
  }
  // The level itself must still be there.
  ExpectMalformed({"no level", Frame(0x10, Str("MQIsdp")), "CONNECT", "protocol level"});
}

TEST(CodecMalformedTest, Connack) {
  ExpectMalformed({"length 3", Frame(0x20, "\x00\x00\x00"s), "CONNACK", "remaining length"});
  ExpectMalformed({"length 1", Frame(0x20, "\x00"s), "CONNACK", "remaining length"});
  ExpectMalformed({"length 0", Frame(0x20, ""), "CONNACK", "remaining length"});
  ExpectMalformed({"header only, length 3", "\x20\x03"s, "CONNACK", "remaining length"});
  ExpectMalformed({"reserved ack flag", Frame(0x20, "\x02\x00"s), "CONNACK", "reserved"});
  ExpectMalformed({"all ack flags", Frame(0x20, "\xFF\x00"s), "CONNACK", "reserved"});
  ExpectMalformed({"return code 6", Frame(0x20, "\x00\x06"s), "CONNACK", "reserved"});
  ExpectMalformed({"return code 255", Frame(0x20, "\x00\xFF"s), "CONNACK", "reserved"});
  ExpectMalformed(
      {"session present on refusal", Frame(0x20, "\x01\x05"s), "CONNACK", "[MQTT-3.2.2-4]"});
  for (uint8_t code = 0; code <= 5; ++code)
    ExpectOk("return code", Frame(0x20, Byte(0) + Byte(code)));
}

TEST(CodecMalformedTest, PacketIdOnlyTypesNeedLengthTwo) {
  for (uint8_t first : {0x40, 0x50, 0x62, 0x70, 0xB0}) {
    const char* name = PacketTypeName(static_cast<PacketType>(first >> 4));
    ExpectMalformed({"length 0", Frame(first, ""), name, "remaining length must be 2"});
    ExpectMalformed({"length 1", Frame(first, "\x01"s), name, "remaining length must be 2"});
    ExpectMalformed(
        {"length 3", Frame(first, "\x00\x01\x02"s), name, "remaining length must be 2"});
    ExpectMalformed({"header only", std::string{static_cast<char>(first), '\x05'}, name,
                     "remaining length must be 2"});
    ExpectOk(name, Frame(first, U16(77)));
  }
}

TEST(CodecMalformedTest, BodylessTypesNeedLengthZero) {
  for (uint8_t first : {0xC0, 0xD0, 0xE0}) {
    const char* name = PacketTypeName(static_cast<PacketType>(first >> 4));
    ExpectMalformed({"length 1", Frame(first, "\x00"s), name, "remaining length must be 0"});
    ExpectMalformed({"length 2", Frame(first, "\x00\x00"s), name, "remaining length must be 0"});
    // Refused from the header alone, without waiting for the body.
    ExpectMalformed({"header only", std::string{static_cast<char>(first), '\x01'}, name,
                     "remaining length must be 0"});
  }
}

TEST(CodecMalformedTest, Subscribe) {
  const std::string id = U16(1);
  ExpectMalformed({"no filters", Frame(0x82, id), "SUBSCRIBE", "[MQTT-3.8.3-3]"});
  ExpectMalformed({"empty body", Frame(0x82, ""), "SUBSCRIBE", "packet identifier"});
  ExpectMalformed(
      {"packet id 0", Frame(0x82, U16(0) + Str("a") + Byte(0)), "SUBSCRIBE", "[MQTT-2.3.1-1]"});
  ExpectMalformed({"QoS 3", Frame(0x82, id + Str("a") + Byte(3)), "SUBSCRIBE", "[MQTT-3-8.3-4]"});
  ExpectMalformed({"QoS reserved bit 2", Frame(0x82, id + Str("a") + Byte(0x04)), "SUBSCRIBE",
                   "[MQTT-3-8.3-4]"});
  ExpectMalformed({"QoS reserved bit 7", Frame(0x82, id + Str("a") + Byte(0x81)), "SUBSCRIBE",
                   "[MQTT-3-8.3-4]"});
  ExpectMalformed({"second filter QoS 3", Frame(0x82, id + Str("a") + Byte(1) + Str("b") + Byte(3)),
                   "SUBSCRIBE", "[MQTT-3-8.3-4]"});
  ExpectMalformed({"filter invalid UTF-8", Frame(0x82, id + Str("a/\xED\xA0\x80") + Byte(0)),
                   "SUBSCRIBE", "[MQTT-3.8.3-1]"});
  ExpectMalformed(
      {"filter U+0000", Frame(0x82, id + Str("\0"sv) + Byte(0)), "SUBSCRIBE", "[MQTT-3.8.3-1]"});
  ExpectMalformed(
      {"empty filter", Frame(0x82, id + Str("") + Byte(0)), "SUBSCRIBE", "[MQTT-4.7.3-1]"});
  ExpectMalformed({"missing QoS", Frame(0x82, id + Str("a")), "SUBSCRIBE", "requested QoS"});
  ExpectMalformed({"second filter missing QoS", Frame(0x82, id + Str("a") + Byte(0) + Str("b")),
                   "SUBSCRIBE", "requested QoS"});
  ExpectMalformed(
      {"filter past the end", Frame(0x82, id + U16(9) + "abc"), "SUBSCRIBE", "past the end"});
  ExpectMalformed(
      {"stray byte", Frame(0x82, id + Str("a") + Byte(0) + "\x00"s), "SUBSCRIBE", "past the end"});
  // Filter syntax is the core's call (it answers 0x80), not the codec's.
  for (const char* filter : {"a/b#", "a+", "#/a", "++"}) {
    ExpectOk(filter, Frame(0x82, id + Str(filter) + Byte(1)));
  }
}

TEST(CodecMalformedTest, Suback) {
  const std::string id = U16(1);
  ExpectMalformed({"code 3", Frame(0x90, id + Byte(3)), "SUBACK", "[MQTT-3.9.3-2]"});
  ExpectMalformed(
      {"code 0x81", Frame(0x90, id + Byte(0) + Byte(0x81)), "SUBACK", "[MQTT-3.9.3-2]"});
  ExpectMalformed({"code 0xFF", Frame(0x90, id + Byte(0xFF)), "SUBACK", "[MQTT-3.9.3-2]"});
  ExpectMalformed({"no codes", Frame(0x90, id), "SUBACK", "no return code"});
  ExpectMalformed({"no packet id", Frame(0x90, "\x01"s), "SUBACK", "packet identifier"});
  ExpectOk("all valid codes", Frame(0x90, id + Byte(0) + Byte(1) + Byte(2) + Byte(0x80)));
}

TEST(CodecMalformedTest, Unsubscribe) {
  const std::string id = U16(1);
  ExpectMalformed({"no filters", Frame(0xA2, id), "UNSUBSCRIBE", "[MQTT-3.10.3-2]"});
  ExpectMalformed({"empty body", Frame(0xA2, ""), "UNSUBSCRIBE", "packet identifier"});
  ExpectMalformed({"packet id 0", Frame(0xA2, U16(0) + Str("a")), "UNSUBSCRIBE", "[MQTT-2.3.1-1]"});
  ExpectMalformed({"filter invalid UTF-8", Frame(0xA2, id + Str("\xF8\x88\x80\x80\x80")),
                   "UNSUBSCRIBE", "[MQTT-3.10.3-1]"});
  ExpectMalformed({"empty filter", Frame(0xA2, id + Str("")), "UNSUBSCRIBE", "[MQTT-4.7.3-1]"});
  ExpectMalformed({"filter past the end", Frame(0xA2, id + Str("a") + U16(2) + "b"), "UNSUBSCRIBE",
                   "past the end"});
  ExpectMalformed(
      {"stray byte", Frame(0xA2, id + Str("a") + "\x00"s), "UNSUBSCRIBE", "past the end"});
  ExpectOk("bad syntax is the core's call", Frame(0xA2, id + Str("a/#/b")));
}

TEST(CodecTypeTest, NamesAndTags) {
  EXPECT_STREQ(PacketTypeName(PacketType::kConnect), "CONNECT");
  EXPECT_STREQ(PacketTypeName(PacketType::kPubrel), "PUBREL");
  EXPECT_STREQ(PacketTypeName(PacketType::kUnsuback), "UNSUBACK");
  EXPECT_STREQ(PacketTypeName(PacketType::kDisconnect), "DISCONNECT");
  EXPECT_STREQ(PacketTypeName(PacketType::kAuth), "AUTH");
  EXPECT_STREQ(PacketTypeName(static_cast<PacketType>(0)), "UNKNOWN");
  EXPECT_EQ(TypeOf(Connect{}), PacketType::kConnect);
  EXPECT_EQ(TypeOf(Publish{}), PacketType::kPublish);
  EXPECT_EQ(TypeOf(Subscribe{}), PacketType::kSubscribe);
  EXPECT_EQ(TypeOf(Pingresp{}), PacketType::kPingresp);
  EXPECT_EQ(TypeOf(Disconnect{}), PacketType::kDisconnect);
}

// --- Mutation "fuzz" ---

// Checks the decoder's invariants on one input and, when it decodes,
// that the result survives another round trip.
void CheckDecodeInvariants(std::string_view input, size_t max_packet_size) {
  ExactBuffer buffer(input);
  const std::string_view data = buffer.view();
  const DecodeResult result = Decode(data, max_packet_size);
  switch (result.status) {
    case DecodeStatus::kOk: {
      ASSERT_GT(result.consumed, 0u);
      ASSERT_LE(result.consumed, data.size());
      ASSERT_LE(result.consumed, max_packet_size);
      if (const auto* p = std::get_if<Publish>(&result.packet)) {
        const char* begin = data.data();
        const char* end = data.data() + result.consumed;
        ASSERT_TRUE(p->topic.data() >= begin && p->topic.data() + p->topic.size() <= end);
        ASSERT_TRUE(p->payload.data() >= begin && p->payload.data() + p->payload.size() <= end);
      }
      const std::string again = EncodeToString(result.packet);
      const DecodeResult second = Decode(again, kNoLimit);
      ASSERT_EQ(second.status, DecodeStatus::kOk) << second.error;
      ASSERT_EQ(second.consumed, again.size());
      ASSERT_EQ(EncodeToString(second.packet), again);
      break;
    }
    case DecodeStatus::kMalformed:
    case DecodeStatus::kTooLarge:
      ASSERT_EQ(result.consumed, 0u);
      ASSERT_FALSE(result.error.empty());
      break;
    case DecodeStatus::kIncomplete:
      ASSERT_EQ(result.consumed, 0u);
      break;
  }
}

TEST(CodecFuzzTest, MutatedPacketsNeverCrashOrOverread) {
  std::vector<std::string> corpus;
  for (const Sample& sample : Samples()) {
    std::string wire = EncodeToString(sample.packet);
    if (wire.size() < 1000) corpus.push_back(std::move(wire));
  }
  std::mt19937 rng(20240611);  // fixed seed: failures must reproduce
  const auto below = [&rng](size_t n) { return static_cast<size_t>(rng() % n); };
  const size_t limits[] = {8, 64, 1 << 20};
  size_t decoded_ok = 0;
  for (int iteration = 0; iteration < 30000; ++iteration) {
    std::string input = corpus[below(corpus.size())];
    const size_t mutations = 1 + below(4);
    for (size_t m = 0; m < mutations; ++m) {
      switch (below(6)) {
        case 0:  // overwrite a byte
          if (!input.empty()) input[below(input.size())] = static_cast<char>(rng());
          break;
        case 1:  // flip one bit
          if (!input.empty()) input[below(input.size())] ^= static_cast<char>(1 << below(8));
          break;
        case 2:  // truncate
          input.resize(below(input.size() + 1));
          break;
        case 3:  // insert a byte
          input.insert(input.begin() + static_cast<std::ptrdiff_t>(below(input.size() + 1)),
                       static_cast<char>(rng()));
          break;
        case 4:  // delete a byte
          if (!input.empty()) {
            input.erase(input.begin() + static_cast<std::ptrdiff_t>(below(input.size())));
          }
          break;
        case 5:  // append another packet
          input += corpus[below(corpus.size())];
          break;
      }
    }
    CheckDecodeInvariants(input, limits[below(3)]);
    if (HasFatalFailure()) {
      FAIL() << "iteration " << iteration;
    }
    if (Decode(input, kNoLimit).status == DecodeStatus::kOk) ++decoded_ok;
  }
  // The mutations must leave enough packets intact to exercise the success
  // path too, or this test would only ever see early rejections.
  EXPECT_GT(decoded_ok, 1000u);
}

TEST(CodecFuzzTest, RandomBytesNeverCrashOrOverread) {
  std::mt19937 rng(7);
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::string input(rng() % 48, '\0');
    for (char& c : input) c = static_cast<char>(rng());
    // Give the bytes a plausible type and length now and then so that the
    // body decoders get to see garbage, not only the fixed header.
    if (input.size() >= 2 && rng() % 2 == 0) {
      input[0] = static_cast<char>(((1 + rng() % 14) << 4) | (rng() % 2 ? 0x02 : 0x00));
      input[1] = static_cast<char>(input.size() - 2);
    }
    CheckDecodeInvariants(input, 1 << 20);
    if (HasFatalFailure()) {
      FAIL() << "iteration " << iteration;
    }
  }
}

}  // namespace
}  // namespace plaza::mqtt
