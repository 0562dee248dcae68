// Tests of the MQTT 5 side of the codec that succeed: a round trip of every
// packet type carrying every property it may carry, the short forms of the
// acknowledgements, DISCONNECT and AUTH, user property order and repetition,
// CONNECT with will properties, known wire bytes, and EncodedSize agreeing
// with Encode. The refusals are in codec_v5_errors_test.cc.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "codec_test_bytes.h"
#include "mqtt/codec.h"
#include "mqtt/packet.h"
#include "mqtt/properties.h"
#include "mqtt/reason_code.h"

// Packets are built with designated initializers that leave the other
// members at their defaults; GCC 12 still warns about each omitted member.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace plaza::mqtt {
namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;

using namespace wire;

// The values repeatable properties point at must outlive the packets.
const UserProperty kUserProperties[] = {{"k1", "v1"}, {"k2", ""}, {"k1", "v\xC3\xA9"}};
const uint32_t kSubscriptionIds[] = {1, 127, 128, 16384, kMaxSubscriptionIdentifier};
const uint32_t kOneSubscriptionId[] = {42};

// Every property each packet may carry (v5 section 2.2.2.2), set.
Properties ConnectProperties() {
  return {.session_expiry_interval = 0xFFFFFFFF,
          .authentication_method = "SCRAM-SHA-1",
          .authentication_data = "\x00\x01\xFF"sv,
          .request_problem_information = false,
          .request_response_information = true,
          .receive_maximum = 20,
          .topic_alias_maximum = 10,
          .user_properties = kUserProperties,
          .maximum_packet_size = 1 << 20};
}

Properties WillProperties() {
  return {.payload_format_indicator = 1,
          .message_expiry_interval = 600,
          .content_type = "text/plain",
          .response_topic = "replies/here",
          .correlation_data = "\x00id"sv,
          .will_delay_interval = 30,
          .user_properties = kUserProperties};
}

Properties ConnackProperties() {
  return {.session_expiry_interval = 3600,
          .assigned_client_identifier = "auto-1234",
          .server_keep_alive = 120,
          .authentication_method = "SCRAM-SHA-1",
          .authentication_data = "server-final"sv,
          .response_information = "responses/",
          .server_reference = "other.example:1883",
          .reason_string = "welcome",
          .receive_maximum = 65535,
          .topic_alias_maximum = 0,
          .maximum_qos = 1,
          .retain_available = false,
          .user_properties = kUserProperties,
          .maximum_packet_size = kMaxRemainingLength + 5,
          .wildcard_subscription_available = true,
          .subscription_identifier_available = false,
          .shared_subscription_available = true};
}

Properties PublishProperties() {
  return {.payload_format_indicator = 0,
          .message_expiry_interval = 0,
          .content_type = "application/json",
          .response_topic = "a/b",
          .correlation_data = ""sv,
          .subscription_identifiers = kSubscriptionIds,
          .topic_alias = 65535,
          .user_properties = kUserProperties};
}

Properties ReasonStringAndUserProperties() {
  return {.reason_string = "because", .user_properties = kUserProperties};
}

Properties DisconnectProperties() {
  return {.session_expiry_interval = 0,
          .server_reference = "elsewhere",
          .reason_string = "bye",
          .user_properties = kUserProperties};
}

Properties AuthProperties() {
  return {.authentication_method = "SCRAM-SHA-1",
          .authentication_data = "client-first"sv,
          .reason_string = "step 2",
          .user_properties = kUserProperties};
}

struct Sample {
  const char* name;
  Packet packet;
};

std::vector<Sample> Samples5() {
  std::vector<Sample> s;
  s.push_back({"CONNECT minimal", Connect{.protocol_level = kProtocolLevel5, .client_id = "c"}});
  s.push_back({"CONNECT every property", Connect{.protocol_level = kProtocolLevel5,
                                                 .clean_session = false,
                                                 .keep_alive = 30,
                                                 .client_id = "client-\xC3\xA9",
                                                 .will = Will{.topic = "wills/x",
                                                              .payload = "\0gone"sv,
                                                              .qos = 2,
                                                              .retain = true,
                                                              .properties = WillProperties()},
                                                 .username = "user",
                                                 .password = "p\0ss"sv,
                                                 .properties = ConnectProperties()}});
  s.push_back({"CONNECT will without properties, password without user name",
               Connect{.protocol_level = kProtocolLevel5,
                       .client_id = "",
                       .will = Will{.topic = "w", .payload = "", .qos = 1},
                       .password = "secret"}});
  s.push_back({"CONNACK", Connack{}});
  s.push_back({"CONNACK every property",
               Connack{.session_present = true, .properties = ConnackProperties()}});
  s.push_back({"CONNACK refused", Connack{.reason_code = ReasonCode::kBadAuthenticationMethod,
                                          .properties = {.reason_string = "no"}}});
  s.push_back({"PUBLISH QoS 0", Publish{.topic = "a/b", .payload = "hello"}});
  s.push_back({"PUBLISH every property", Publish{.topic = "a/b",
                                                 .payload = "{}",
                                                 .qos = 1,
                                                 .retain = true,
                                                 .dup = true,
                                                 .packet_id = 9,
                                                 .properties = PublishProperties()}});
  s.push_back({"PUBLISH empty topic with alias", Publish{.topic = "",
                                                         .payload = "x",
                                                         .qos = 2,
                                                         .packet_id = 65535,
                                                         .properties = {.topic_alias = 1}}});
  for (ReasonCode code : {ReasonCode::kSuccess, ReasonCode::kNoMatchingSubscribers}) {
    s.push_back({"PUBACK", Puback{.packet_id = 1, .reason_code = code}});
    s.push_back({"PUBREC", Pubrec{.packet_id = 2, .reason_code = code}});
  }
  s.push_back({"PUBACK properties", Puback{.packet_id = 3,
                                           .reason_code = ReasonCode::kQuotaExceeded,
                                           .properties = ReasonStringAndUserProperties()}});
  s.push_back({"PUBREC properties", Pubrec{.packet_id = 4,
                                           .reason_code = ReasonCode::kSuccess,
                                           .properties = ReasonStringAndUserProperties()}});
  s.push_back({"PUBREL", Pubrel{.packet_id = 5}});
  s.push_back({"PUBREL not found",
               Pubrel{.packet_id = 6, .reason_code = ReasonCode::kPacketIdentifierNotFound}});
  s.push_back(
      {"PUBREL properties", Pubrel{.packet_id = 7, .properties = ReasonStringAndUserProperties()}});
  s.push_back({"PUBCOMP", Pubcomp{.packet_id = 8}});
  s.push_back({"PUBCOMP properties", Pubcomp{.packet_id = 9,
                                             .reason_code = ReasonCode::kPacketIdentifierNotFound,
                                             .properties = ReasonStringAndUserProperties()}});
  s.push_back({"SUBSCRIBE every option",
               Subscribe{.packet_id = 10,
                         .filters = {{"a/+/c", 0},
                                     {"#", 1, true, false, kRetainSendIfNewSubscription},
                                     {"$share/g/x", 2, false, true, kRetainDoNotSend},
                                     {"x/y", 2, true, true, kRetainSendAtSubscribe}},
                         .properties = {.subscription_identifiers = kOneSubscriptionId,
                                        .user_properties = kUserProperties}}});
  s.push_back({"SUBACK", Suback{.packet_id = 10,
                                .return_codes = {0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91,
                                                 0x97, 0x9E, 0xA1, 0xA2},
                                .properties = ReasonStringAndUserProperties()}});
  s.push_back({"UNSUBSCRIBE", Unsubscribe{.packet_id = 11,
                                          .filters = {"a/+/c", "#"},
                                          .properties = {.user_properties = kUserProperties}}});
  s.push_back({"UNSUBACK",
               Unsuback{.packet_id = 11,
                        .reason_codes = {ReasonCode::kSuccess, ReasonCode::kNoSubscriptionExisted,
                                         ReasonCode::kTopicFilterInvalid}}});
  s.push_back({"UNSUBACK properties", Unsuback{.packet_id = 12,
                                               .reason_codes = {ReasonCode::kNotAuthorized},
                                               .properties = ReasonStringAndUserProperties()}});
  s.push_back({"PINGREQ", Pingreq{}});
  s.push_back({"PINGRESP", Pingresp{}});
  s.push_back({"DISCONNECT", Disconnect{}});
  s.push_back(
      {"DISCONNECT with will", Disconnect{.reason_code = ReasonCode::kDisconnectWithWillMessage}});
  s.push_back({"DISCONNECT properties", Disconnect{.reason_code = ReasonCode::kServerMoved,
                                                   .properties = DisconnectProperties()}});
  s.push_back({"AUTH", Auth{}});
  s.push_back({"AUTH continue", Auth{.reason_code = ReasonCode::kContinueAuthentication,
                                     .properties = AuthProperties()}});
  s.push_back({"AUTH re-authenticate", Auth{.reason_code = ReasonCode::kReAuthenticate}});
  return s;
}

// Field-by-field equality of two property sets, repeated ones by value.
void ExpectSameProperties(const Properties& a, const Properties& b) {
  EXPECT_EQ(a.payload_format_indicator, b.payload_format_indicator);
  EXPECT_EQ(a.message_expiry_interval, b.message_expiry_interval);
  EXPECT_EQ(a.content_type, b.content_type);
  EXPECT_EQ(a.response_topic, b.response_topic);
  EXPECT_EQ(a.correlation_data, b.correlation_data);
  EXPECT_EQ(a.subscription_identifiers.ToVector(), b.subscription_identifiers.ToVector());
  EXPECT_EQ(a.session_expiry_interval, b.session_expiry_interval);
  EXPECT_EQ(a.assigned_client_identifier, b.assigned_client_identifier);
  EXPECT_EQ(a.server_keep_alive, b.server_keep_alive);
  EXPECT_EQ(a.authentication_method, b.authentication_method);
  EXPECT_EQ(a.authentication_data, b.authentication_data);
  EXPECT_EQ(a.request_problem_information, b.request_problem_information);
  EXPECT_EQ(a.will_delay_interval, b.will_delay_interval);
  EXPECT_EQ(a.request_response_information, b.request_response_information);
  EXPECT_EQ(a.response_information, b.response_information);
  EXPECT_EQ(a.server_reference, b.server_reference);
  EXPECT_EQ(a.reason_string, b.reason_string);
  EXPECT_EQ(a.receive_maximum, b.receive_maximum);
  EXPECT_EQ(a.topic_alias_maximum, b.topic_alias_maximum);
  EXPECT_EQ(a.topic_alias, b.topic_alias);
  EXPECT_EQ(a.maximum_qos, b.maximum_qos);
  EXPECT_EQ(a.retain_available, b.retain_available);
  EXPECT_EQ(a.user_properties.ToVector(), b.user_properties.ToVector());
  EXPECT_EQ(a.maximum_packet_size, b.maximum_packet_size);
  EXPECT_EQ(a.wildcard_subscription_available, b.wildcard_subscription_available);
  EXPECT_EQ(a.subscription_identifier_available, b.subscription_identifier_available);
  EXPECT_EQ(a.shared_subscription_available, b.shared_subscription_available);
}

// The properties of whichever packet `p` is (the CONNECT's, not its will's).
const Properties* PropertiesOf(const Packet& p) {
  return std::visit(
      [](const auto& packet) -> const Properties* {
        if constexpr (requires { packet.properties; }) {
          return &packet.properties;
        } else {
          return nullptr;
        }
      },
      p);
}

TEST(CodecV5RoundTripTest, EveryPacketTypeWithEveryProperty) {
  bool seen[16] = {};
  for (const Sample& sample : Samples5()) {
    SCOPED_TRACE(sample.name);
    const std::string wire = Encode5(sample.packet);
    ExactBuffer buffer(wire);
    const DecodeResult result = Decode(buffer.view(), kNoLimit, kProtocolLevel5);
    ASSERT_EQ(result.status, DecodeStatus::kOk) << result.error;
    EXPECT_EQ(result.consumed, wire.size());
    EXPECT_EQ(result.reason, ReasonCode::kSuccess);
    ASSERT_EQ(TypeOf(result.packet), TypeOf(sample.packet));
    EXPECT_EQ(Encode5(result.packet), wire);
    if (const Properties* in = PropertiesOf(sample.packet)) {
      ExpectSameProperties(*PropertiesOf(result.packet), *in);
    }
    seen[static_cast<int>(TypeOf(sample.packet))] = true;
  }
  for (int type = 1; type <= 15; ++type) {
    EXPECT_TRUE(seen[type]) << PacketTypeName(static_cast<PacketType>(type));
  }
}

TEST(CodecV5RoundTripTest, EncodedSizeMatchesEncode) {
  for (const Sample& sample : Samples5()) {
    SCOPED_TRACE(sample.name);
    EXPECT_EQ(EncodedSize(sample.packet, kProtocolLevel5), Encode5(sample.packet).size());
    std::string v311;
    Encode(sample.packet, &v311);
    EXPECT_EQ(EncodedSize(sample.packet), v311.size());
  }
  const std::string big(200000, 'x');
  const Publish publish{.topic = "t", .payload = big, .properties = PublishProperties()};
  EXPECT_EQ(EncodedSize(publish, kProtocolLevel5), Encode5(publish).size());
}

TEST(CodecV5RoundTripTest, ConnectWithWillProperties) {
  const Sample sample = Samples5()[1];
  const std::string wire = Encode5(sample.packet);
  // The CONNECT announces its own level: any codec level reads it as v5.
  for (uint8_t level : {kProtocolLevel311, kProtocolLevel5}) {
    const DecodeResult result = Decode(wire, kNoLimit, level);
    ASSERT_EQ(result.status, DecodeStatus::kOk) << result.error;
    const Connect& c = std::get<Connect>(result.packet);
    EXPECT_EQ(c.protocol_name, "MQTT");
    EXPECT_EQ(c.protocol_level, kProtocolLevel5);
    EXPECT_FALSE(c.clean_session);
    EXPECT_EQ(c.keep_alive, 30);
    EXPECT_EQ(c.client_id, "client-\xC3\xA9");
    ASSERT_TRUE(c.will.has_value());
    EXPECT_EQ(c.will->topic, "wills/x");
    EXPECT_EQ(c.will->payload, "\0gone"sv);
    EXPECT_EQ(c.will->qos, 2);
    EXPECT_TRUE(c.will->retain);
    EXPECT_EQ(c.will->properties.will_delay_interval, 30u);
    EXPECT_EQ(c.will->properties.payload_format_indicator, 1);
    EXPECT_EQ(c.will->properties.response_topic, "replies/here");
    EXPECT_EQ(c.will->properties.user_properties.size(), 3u);
    EXPECT_FALSE(c.will->properties.session_expiry_interval.has_value());
    EXPECT_EQ(c.username, "user");
    EXPECT_EQ(c.password, "p\0ss"sv);
    EXPECT_EQ(c.properties.session_expiry_interval, 0xFFFFFFFFu);
    EXPECT_EQ(c.properties.receive_maximum, 20);
    EXPECT_EQ(c.properties.maximum_packet_size, 1u << 20);
    EXPECT_EQ(c.properties.request_problem_information, false);
    EXPECT_EQ(c.properties.request_response_information, true);
    EXPECT_FALSE(c.properties.will_delay_interval.has_value());
  }
}

TEST(CodecV5RoundTripTest, UserPropertiesKeepOrderAndRepetition) {
  const UserProperty many[] = {{"a", "1"}, {"b", "2"}, {"a", "3"}, {"a", "1"}, {"", ""}};
  const Publish in{.topic = "t",
                   .payload = "p",
                   .properties = {.content_type = "c",
                                  .subscription_identifiers = kSubscriptionIds,
                                  .user_properties = many,
                                  .maximum_packet_size = {}}};
  const std::string wire = Encode5(in);
  const DecodeResult result = Decode(wire, kNoLimit, kProtocolLevel5);
  ASSERT_EQ(result.status, DecodeStatus::kOk) << result.error;
  const Properties& out = std::get<Publish>(result.packet).properties;
  ASSERT_EQ(out.user_properties.size(), 5u);
  EXPECT_EQ(out.user_properties.ToVector(),
            std::vector<UserProperty>(std::begin(many), std::end(many)));
  // Iterating twice gives the same answer: the view is not consumed.
  size_t count = 0;
  for (const UserProperty& p : out.user_properties) {
    EXPECT_EQ(p, many[count]);
    // The strings are views into the decoded buffer.
    EXPECT_TRUE(p.key.empty() || (p.key.data() >= wire.data() &&
                                  p.key.data() + p.key.size() <= wire.data() + wire.size()));
    ++count;
  }
  EXPECT_EQ(count, 5u);
  EXPECT_EQ(out.subscription_identifiers.ToVector(),
            std::vector<uint32_t>(std::begin(kSubscriptionIds), std::end(kSubscriptionIds)));

  // Interleaved with other properties on the wire, the order still holds.
  const std::string interleaved =
      "\x26\x00\x01z\x00\x01"
      "1"
      "\x03\x00\x01"
      "c"
      "\x0B\x07"
      "\x26\x00\x01y\x00\x01"
      "2"
      "\x0B\x80\x01"
      "\x26\x00\x01z\x00\x01"
      "3"s;
  const std::string body = "\x00\x01t"s + static_cast<char>(interleaved.size()) + interleaved;
  const std::string frame = "\x30"s + static_cast<char>(body.size()) + body;
  ExactBuffer buffer(frame);
  const DecodeResult mixed = Decode(buffer.view(), kNoLimit, kProtocolLevel5);
  ASSERT_EQ(mixed.status, DecodeStatus::kOk) << mixed.error;
  const Properties& m = std::get<Publish>(mixed.packet).properties;
  const std::vector<UserProperty> expected = {{"z", "1"}, {"y", "2"}, {"z", "3"}};
  EXPECT_EQ(m.user_properties.ToVector(), expected);
  EXPECT_EQ(m.subscription_identifiers.ToVector(), (std::vector<uint32_t>{7, 128}));
  EXPECT_EQ(m.content_type, "c");
}

TEST(CodecV5RoundTripTest, ShortForms) {
  // Reason 0x00 without properties: the 3.1.1 layout.
  EXPECT_EQ(Encode5(Puback{.packet_id = 0x1234}), "\x40\x02\x12\x34"sv);
  EXPECT_EQ(Encode5(Pubrec{.packet_id = 1}), "\x50\x02\x00\x01"sv);
  EXPECT_EQ(Encode5(Pubrel{.packet_id = 1}), "\x62\x02\x00\x01"sv);
  EXPECT_EQ(Encode5(Pubcomp{.packet_id = 1}), "\x70\x02\x00\x01"sv);
  // A reason code without properties: remaining length 3.
  EXPECT_EQ(Encode5(Puback{.packet_id = 1, .reason_code = ReasonCode::kNoMatchingSubscribers}),
            "\x40\x03\x00\x01\x10"sv);
  EXPECT_EQ(Encode5(Pubrel{.packet_id = 1, .reason_code = ReasonCode::kPacketIdentifierNotFound}),
            "\x62\x03\x00\x01\x92"sv);
  // Properties force the reason code even when it is 0x00.
  EXPECT_EQ(Encode5(Puback{.packet_id = 1, .properties = {.reason_string = "r"}}),
            "\x40\x08\x00\x01\x00\x04\x1F\x00\x01r"sv);
  EXPECT_EQ(Encode5(Disconnect{}), "\xE0\x00"sv);
  EXPECT_EQ(Encode5(Disconnect{.reason_code = ReasonCode::kDisconnectWithWillMessage}),
            "\xE0\x01\x04"sv);
  EXPECT_EQ(Encode5(Disconnect{.properties = {.session_expiry_interval = 1}}),
            "\xE0\x07\x00\x05\x11\x00\x00\x00\x01"sv);
  EXPECT_EQ(Encode5(Auth{}), "\xF0\x00"sv);
  EXPECT_EQ(Encode5(Auth{.reason_code = ReasonCode::kContinueAuthentication}), "\xF0\x01\x18"sv);

  // Decoding the short forms fills in the defaults.
  struct Case {
    std::string_view wire;
    PacketType type;
    ReasonCode reason;
  };
  const Case cases[] = {
      {"\x40\x02\x00\x07"sv, PacketType::kPuback, ReasonCode::kSuccess},
      {"\x40\x03\x00\x07\x10"sv, PacketType::kPuback, ReasonCode::kNoMatchingSubscribers},
      {"\x40\x04\x00\x07\x10\x00"sv, PacketType::kPuback, ReasonCode::kNoMatchingSubscribers},
      {"\x50\x03\x00\x07\x80"sv, PacketType::kPubrec, ReasonCode::kUnspecifiedError},
      {"\x62\x02\x00\x07"sv, PacketType::kPubrel, ReasonCode::kSuccess},
      {"\x70\x03\x00\x07\x92"sv, PacketType::kPubcomp, ReasonCode::kPacketIdentifierNotFound},
      {"\xE0\x00"sv, PacketType::kDisconnect, ReasonCode::kNormalDisconnection},
      {"\xE0\x01\x8E"sv, PacketType::kDisconnect, ReasonCode::kSessionTakenOver},
      {"\xE0\x02\x00\x00"sv, PacketType::kDisconnect, ReasonCode::kNormalDisconnection},
      {"\xF0\x00"sv, PacketType::kAuth, ReasonCode::kSuccess},
      {"\xF0\x01\x19"sv, PacketType::kAuth, ReasonCode::kReAuthenticate},
  };
  for (const Case& c : cases) {
    ExactBuffer buffer(c.wire);
    const DecodeResult result = Decode(buffer.view(), kNoLimit, kProtocolLevel5);
    ASSERT_EQ(result.status, DecodeStatus::kOk) << result.error;
    EXPECT_EQ(result.consumed, c.wire.size());
    ASSERT_EQ(TypeOf(result.packet), c.type);
    std::visit(
        [&](const auto& p) {
          if constexpr (requires { p.reason_code; }) {
            EXPECT_EQ(p.reason_code, c.reason) << PacketTypeName(c.type);
          }
          if constexpr (requires { p.packet_id; }) {
            EXPECT_EQ(p.packet_id, 7);
          }
        },
        result.packet);
  }
}

TEST(CodecV5RoundTripTest, KnownWireBytes) {
  EXPECT_EQ(Encode5(Connect{.protocol_level = kProtocolLevel5, .client_id = "c"}),
            "\x10\x0E\x00\x04MQTT\x05\x02\x00\x00\x00\x00\x01"
            "c"sv);
  EXPECT_EQ(Encode5(Connack{.session_present = true}), "\x20\x03\x01\x00\x00"sv);
  EXPECT_EQ(Encode5(Publish{.topic = "a",
                            .payload = "hi",
                            .qos = 1,
                            .packet_id = 10,
                            .properties = {.topic_alias = 2}}),
            "\x32\x0B\x00\x01"
            "a\x00\x0A\x03\x23\x00\x02hi"sv);
  EXPECT_EQ(Encode5(Subscribe{.packet_id = 1, .filters = {{"a", 1, true, true, 2}}}),
            "\x82\x07\x00\x01\x00\x00\x01"
            "a\x2D"sv);
  EXPECT_EQ(Encode5(Suback{.packet_id = 1, .return_codes = {0x01, 0x87}}),
            "\x90\x05\x00\x01\x00\x01\x87"sv);
  EXPECT_EQ(Encode5(Unsuback{.packet_id = 1, .reason_codes = {ReasonCode::kNoSubscriptionExisted}}),
            "\xB0\x04\x00\x01\x00\x11"sv);
  // A subscription identifier is a variable byte integer.
  EXPECT_EQ(Encode5(Subscribe{.packet_id = 1,
                              .filters = {{"a", 0}},
                              .properties = {.subscription_identifiers = kSubscriptionIds}}),
            "\x82\x17\x00\x01\x10"
            "\x0B\x01\x0B\x7F\x0B\x80\x01\x0B\x80\x80\x01\x0B\xFF\xFF\xFF\x7F"
            "\x00\x01"
            "a\x00"sv);
  // The same packets at 3.1.1 carry none of the v5 fields.
  std::string v311;
  Encode(Puback{.packet_id = 1,
                .reason_code = ReasonCode::kQuotaExceeded,
                .properties = {.reason_string = "r"}},
         &v311);
  EXPECT_EQ(v311, "\x40\x02\x00\x01"sv);
}

TEST(CodecV5RoundTripTest, PublishPropertiesAreViewsIntoTheInput) {
  const std::string wire =
      Encode5(Publish{.topic = "t/1",
                      .payload = "data",
                      .properties = {.content_type = "ct", .correlation_data = "cd"}});
  const DecodeResult result = Decode(wire, kNoLimit, kProtocolLevel5);
  ASSERT_EQ(result.status, DecodeStatus::kOk) << result.error;
  const Publish& p = std::get<Publish>(result.packet);
  EXPECT_EQ(p.topic.data(), wire.data() + 4);
  EXPECT_EQ(p.payload, "data");
  EXPECT_EQ(p.payload.data(), wire.data() + wire.size() - 4);
  ASSERT_TRUE(p.properties.content_type.has_value());
  EXPECT_GT(p.properties.content_type->data(), wire.data());
  EXPECT_LT(p.properties.content_type->data(), wire.data() + wire.size());
}

TEST(CodecV5RoundTripTest, DecodesBackToBackPackets) {
  std::string stream;
  const std::vector<Sample> samples = Samples5();
  for (const Sample& sample : samples) Encode(sample.packet, &stream, kProtocolLevel5);
  std::string_view rest = stream;
  for (const Sample& sample : samples) {
    SCOPED_TRACE(sample.name);
    const DecodeResult result = Decode(rest, kNoLimit, kProtocolLevel5);
    ASSERT_EQ(result.status, DecodeStatus::kOk) << result.error;
    EXPECT_EQ(TypeOf(result.packet), TypeOf(sample.packet));
    rest.remove_prefix(result.consumed);
  }
  EXPECT_TRUE(rest.empty());
}

TEST(CodecV5RoundTripTest, ReasonCodeNamesAndTables) {
  EXPECT_STREQ(ReasonCodeName(ReasonCode::kPacketTooLarge), "Packet too large");
  EXPECT_STREQ(ReasonCodeName(ReasonCode::kMalformedPacket), "Malformed Packet");
  EXPECT_STREQ(ReasonCodeName(ReasonCode::kProtocolError), "Protocol Error");
  EXPECT_STREQ(ReasonCodeName(ReasonCode::kSuccess), "Success");
  EXPECT_STREQ(ReasonCodeName(ReasonCode::kSuccess, PacketType::kDisconnect),
               "Normal disconnection");
  EXPECT_STREQ(ReasonCodeName(ReasonCode::kSuccess, PacketType::kSuback), "Granted QoS 0");
  EXPECT_STREQ(ReasonCodeName(static_cast<ReasonCode>(0x03)), "Unknown reason code");
  // Every code some packet allows has a name of its own.
  size_t named = 0;
  for (int code = 0; code < 256; ++code) {
    bool valid_somewhere = false;
    for (int type = 1; type <= 15; ++type) {
      valid_somewhere |=
          IsValidReasonCode(static_cast<PacketType>(type), static_cast<uint8_t>(code));
    }
    const std::string_view name = ReasonCodeName(static_cast<ReasonCode>(code));
    EXPECT_EQ(valid_somewhere, name != "Unknown reason code") << code;
    named += valid_somewhere;
  }
  EXPECT_EQ(named, 43u);
  EXPECT_TRUE(IsValidReasonCode(PacketType::kConnack, 0x9F));
  EXPECT_FALSE(IsValidReasonCode(PacketType::kConnack, 0x8B));
  EXPECT_TRUE(IsValidReasonCode(PacketType::kPuback, 0x99));
  EXPECT_FALSE(IsValidReasonCode(PacketType::kPubrel, 0x10));
  EXPECT_TRUE(IsValidReasonCode(PacketType::kDisconnect, 0x04));
  EXPECT_FALSE(IsValidReasonCode(PacketType::kPublish, 0x00));
  EXPECT_STREQ(PropertyName(PropertyId::kTopicAlias), "Topic Alias");
  EXPECT_STREQ(PropertyName(static_cast<PropertyId>(0x04)), "unknown property");
  EXPECT_STREQ(PacketTypeName(TypeOf(Auth{})), "AUTH");
}

}  // namespace
}  // namespace plaza::mqtt
