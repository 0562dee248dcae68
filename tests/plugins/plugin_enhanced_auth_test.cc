// MQTT 5 enhanced authentication through the real broker: a challenge and
// response over AUTH packets, an answer that comes later from a plugin
// thread, refusals with the plugin's reason, an unknown method refused with
// 0x8C, and re-authentication of a connected client (fixtures/
// enhanced_auth_plugin.cc). No client library drives AUTH exchanges, so the
// packets are built here by hand (not with the broker's codec).
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "broker_process.h"
#include "raw_mqtt_client.h"

namespace plaza::testing {
namespace {

using std::chrono::milliseconds;

std::string Utf8(std::string_view s) {
  std::string out{static_cast<char>(s.size() >> 8), static_cast<char>(s.size() & 0xff)};
  return out.append(s);
}

// The remaining length as a variable byte integer.
std::string VarInt(size_t n) {
  std::string out;
  do {
    char byte = static_cast<char>(n % 128);
    n /= 128;
    if (n > 0) byte = static_cast<char>(byte | 0x80);
    out.push_back(byte);
  } while (n > 0);
  return out;
}

std::string AuthProperties(std::string_view method, std::optional<std::string_view> data) {
  std::string props = "\x15" + Utf8(method);
  if (data) props += "\x16" + Utf8(*data);
  return VarInt(props.size()) + props;
}

std::string Connect5(std::string_view client_id, std::string_view method,
                     std::optional<std::string_view> data) {
  std::string body = Utf8("MQTT");
  body += '\x05';                      // protocol level
  body += '\x02';                      // clean start
  body += std::string("\x00\x3c", 2);  // keep alive 60 s
  body += AuthProperties(method, data);
  body += Utf8(client_id);
  return "\x10" + VarInt(body.size()) + body;
}

std::string Auth(uint8_t reason, std::string_view method, std::optional<std::string_view> data) {
  std::string body(1, static_cast<char>(reason));
  body += AuthProperties(method, data);
  return "\xf0" + VarInt(body.size()) + body;
}

// The reason code and properties of a CONNACK, AUTH or DISCONNECT.
struct Reply {
  uint8_t type = 0;
  uint8_t reason = 0;
  std::string properties;
};

std::optional<Reply> Read(raw::Client& client) {
  const auto packet = client.ReadPacket(milliseconds(5000));
  if (!packet) return std::nullopt;
  Reply reply;
  reply.type = packet->type;
  size_t at = packet->type == raw::kConnack ? 1 : 0;  // CONNACK flags first
  if (at >= packet->body.size()) return reply;
  reply.reason = static_cast<uint8_t>(packet->body[at++]);
  // Property length (short in these tests: one byte), then the properties.
  if (at < packet->body.size()) reply.properties = packet->body.substr(at + 1);
  return reply;
}

// A UTF-8 string or binary property `id` in a property block.
std::optional<std::string> Property(const std::string& props, uint8_t id) {
  size_t at = 0;
  while (at < props.size()) {
    const auto pid = static_cast<uint8_t>(props[at++]);
    switch (pid) {
      case 0x15:
      case 0x16:
      case 0x1f:
      case 0x12:
      case 0x1a:
      case 0x1c: {
        const size_t n =
            (static_cast<uint8_t>(props[at]) << 8) | static_cast<uint8_t>(props[at + 1]);
        if (pid == id) return props.substr(at + 2, n);
        at += 2 + n;
        break;
      }
      case 0x21:
      case 0x22:
      case 0x13:
        at += 2;
        break;
      case 0x24:
      case 0x25:
      case 0x28:
      case 0x29:
      case 0x2a:
      case 0x17:
      case 0x19:
      case 0x01:
        at += 1;
        break;
      case 0x11:
      case 0x27:
      case 0x02:
      case 0x18:
        at += 4;
        break;
      default:
        return std::nullopt;  // not needed by these tests
    }
  }
  return std::nullopt;
}

class EnhancedAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string yaml = std::string("plugins:\n  - path: ") + PLAZA_FIXTURE_enhanced_auth +
                             "\n    name: enhanced_auth\n";
    ASSERT_TRUE(broker_.Start(WithConfig(yaml))) << broker_.error();
  }

  // Connects with the CHALLENGE method and answers the challenge.
  void ConnectWithChallenge(raw::Client& client, std::string_view answer, Reply* last) {
    ASSERT_TRUE(client.Open(broker_.port()));
    ASSERT_TRUE(client.Send(Connect5("challenged", "CHALLENGE", "hello")));
    const auto challenge = Read(client);
    ASSERT_TRUE(challenge);
    EXPECT_EQ(challenge->type, 15);  // AUTH
    EXPECT_EQ(challenge->reason, 0x18);
    EXPECT_EQ(Property(challenge->properties, 0x15), "CHALLENGE");
    EXPECT_EQ(Property(challenge->properties, 0x16), "challenge");
    ASSERT_TRUE(client.Send(Auth(0x18, "CHALLENGE", answer)));
    const auto reply = Read(client);
    ASSERT_TRUE(reply);
    *last = *reply;
  }

  BrokerProcess broker_;
};

TEST_F(EnhancedAuthTest, ChallengeAndResponseConnect) {
  raw::Client client;
  Reply connack;
  ConnectWithChallenge(client, "answer", &connack);
  EXPECT_EQ(connack.type, raw::kConnack);
  EXPECT_EQ(connack.reason, 0x00);
  EXPECT_EQ(Property(connack.properties, 0x15), "CHALLENGE");
  EXPECT_EQ(Property(connack.properties, 0x16), "welcome");
  EXPECT_TRUE(client.Ping());
}

TEST_F(EnhancedAuthTest, AWrongResponseIsRefusedWithThePluginsReason) {
  raw::Client client;
  Reply connack;
  ConnectWithChallenge(client, "guess", &connack);
  EXPECT_EQ(connack.type, raw::kConnack);
  EXPECT_EQ(connack.reason, 0x87);
  EXPECT_EQ(Property(connack.properties, 0x1f), "wrong answer");
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(EnhancedAuthTest, AnUnknownMethodIsRefusedWith8C) {
  raw::Client client;
  ASSERT_TRUE(client.Open(broker_.port()));
  ASSERT_TRUE(client.Send(Connect5("stranger", "SCRAM-SHA-1", "x")));
  const auto connack = Read(client);
  ASSERT_TRUE(connack);
  EXPECT_EQ(connack->type, raw::kConnack);
  EXPECT_EQ(connack->reason, 0x8C);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(EnhancedAuthTest, AnAnswerFromAPluginThread) {
  raw::Client good;
  ASSERT_TRUE(good.Open(broker_.port()));
  ASSERT_TRUE(good.Send(Connect5("later-good", "LATER", "ok")));
  auto connack = Read(good);
  ASSERT_TRUE(connack);
  EXPECT_EQ(connack->reason, 0x00);
  EXPECT_EQ(Property(connack->properties, 0x16), "later");

  raw::Client bad;
  ASSERT_TRUE(bad.Open(broker_.port()));
  ASSERT_TRUE(bad.Send(Connect5("later-bad", "LATER", "nope")));
  connack = Read(bad);
  ASSERT_TRUE(connack);
  EXPECT_EQ(connack->reason, 0x86);
  EXPECT_EQ(Property(connack->properties, 0x1f), "bad token");
}

TEST_F(EnhancedAuthTest, OtherPacketsDuringTheExchangeAreAProtocolError) {
  raw::Client client;
  ASSERT_TRUE(client.Open(broker_.port()));
  ASSERT_TRUE(client.Send(Connect5("impatient", "CHALLENGE", "hello")));
  ASSERT_TRUE(Read(client));  // the challenge
  ASSERT_TRUE(client.Send(raw::Pingreq()));
  const auto connack = Read(client);
  ASSERT_TRUE(connack);
  EXPECT_EQ(connack->type, raw::kConnack);
  EXPECT_EQ(connack->reason, 0x82);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(EnhancedAuthTest, ReauthenticationSucceedsOrDisconnects) {
  raw::Client client;
  Reply connack;
  ConnectWithChallenge(client, "answer", &connack);
  ASSERT_EQ(connack.reason, 0x00);
  ASSERT_TRUE(client.Send(Auth(0x19, "CHALLENGE", "answer")));
  auto reply = Read(client);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->type, 15);
  EXPECT_EQ(reply->reason, 0x00);
  EXPECT_EQ(Property(reply->properties, 0x16), "again");
  // Another method than CONNECT's is a protocol error.
  raw::Client other;
  Reply other_connack;
  ConnectWithChallenge(other, "answer", &other_connack);
  // (The second connection took over the same client id: the first is gone.)
  ASSERT_TRUE(other.Send(Auth(0x19, "CHALLENGE", "wrong")));
  reply = Read(other);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->type, raw::kDisconnect);
  EXPECT_EQ(reply->reason, 0x87);
  EXPECT_TRUE(other.WaitForClose());
}

TEST_F(EnhancedAuthTest, AuthWithoutAMethodIsAProtocolError) {
  raw::Client client;
  ASSERT_TRUE(client.Open(broker_.port()));
  std::string body = Utf8("MQTT");
  body += std::string("\x05\x02\x00\x3c\x00", 5);  // level 5, clean, 60 s, no properties
  body += Utf8("plain");
  ASSERT_TRUE(client.Send("\x10" + VarInt(body.size()) + body));
  auto reply = Read(client);
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->reason, 0x00);
  ASSERT_TRUE(client.Send(Auth(0x19, "CHALLENGE", "answer")));
  reply = Read(client);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->type, raw::kDisconnect);
  EXPECT_EQ(reply->reason, 0x82);
}

}  // namespace
}  // namespace plaza::testing
