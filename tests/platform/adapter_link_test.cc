// What the platform does through plaza-adapter: a settings change made with
// the adapter's gRPC API reaches the members of the live room (and stays
// retained for newcomers); a banned user is refused at CONNECT with 0x8A;
// with the adapter stopped, newcomers are refused with 0x88 while members
// go on exchanging messages, and once it is back newcomers get in again.
// The settings and outage cases run on SQLite and on PostgreSQL.
#include <gtest/gtest.h>

#include "platform_env.h"
#include "platform_test_util.h"
#include "plaza/adapter/v1/room_messages.pb.h"
#include "rooms_test_support.h"

namespace plaza::testing {
namespace {

using adapter::testing::Backend;
using adapter::v1::RoomSettingsMessage;

constexpr char kSettingsTopic[] = "rooms/world:1/server/settings";

// Waits for world:1's settings with `volume` among `earlier`, then among
// what `client` receives.
std::optional<RoomSettingsMessage> WaitForVolume(TokenClient& client, float volume,
                                                 const std::vector<Received>& earlier = {}) {
  return FindOrReceive<RoomSettingsMessage>(
      client, kSettingsTopic,
      [&](const RoomSettingsMessage& m) {
        return m.room_id() == "world:1" && m.settings().volume() == volume;
      },
      earlier);
}

TEST_P(PlatformOnEachEngineTest, ASettingsChangeThroughTheAdapterReachesTheLiveRoom) {
  TokenClient ben(port(), "ben", kBenToken);
  TokenClient felix(port(), "felix", kFelixToken);
  ASSERT_EQ(ConnectAll({&ben, &felix}), (std::vector<int>{0, 0})) << ben.error() << felix.error();
  for (TokenClient* client : {&ben, &felix}) {
    std::vector<Received> seen;
    const JoinOutcome join = Join(*client, "world:1", &seen);
    ASSERT_TRUE(join.reply);
    ASSERT_EQ(join.reply->reason_code(), 0u) << join.reply->reason();
    // The demo's master_volume_pct 70.
    ASSERT_TRUE(WaitForVolume(*client, 0.7f, seen));
  }

  ASSERT_TRUE(SetVolume("world:1", 0.3f));
  for (TokenClient* client : {&ben, &felix}) {
    const auto settings = WaitForVolume(*client, 0.3f);
    ASSERT_TRUE(settings);
    EXPECT_EQ(settings->settings().bgm_url(), "https://assets.example.com/bgm/plaza.ogg");
  }
  // Retained: a newcomer following the room gets the new settings at once
  // (mosquitto_sub, MQTT 5).
  const CommandResult sub = RunCommand(
      {"mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(port()), "-V", "mqttv5", "-u",
       "chloe", "-P", kChloeToken, "-t", kSettingsTopic, "-C", "1", "-F", "%r %p", "-W", "10"});
  ASSERT_EQ(sub.exit_code, 0) << sub.out << sub.err;
  ASSERT_EQ(sub.out.rfind("1 ", 0), 0u) << sub.out;  // the retain flag
  RoomSettingsMessage retained;
  ASSERT_TRUE(DecodePayload(sub.out.substr(2), &retained)) << sub.out;
  EXPECT_EQ(retained.settings().volume(), 0.3f);
}

TEST_F(PlatformTest, ABannedUserIsRefusedAtConnectWithTheReason) {
  // Hana is banned from the whole site: CONNACK 0x8A Banned.
  const CommandResult sub =
      RunCommand({"mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(port()), "-V", "mqttv5",
                  "-u", "hana", "-P", kHanaToken, "-t", "rooms/world:1/server/#"});
  EXPECT_NE(sub.exit_code, 0);
  EXPECT_NE(sub.err.find("Connection error: Banned"), std::string::npos) << sub.err;
  TokenClient hana(port(), "hana", kHanaToken);
  EXPECT_EQ(hana.Connect(), 0x8A) << hana.error();
  // Dario is banned only from event:1: he signs in, and that room refuses
  // him with the same reason code.
  auto dario = Connected("dario", kDarioToken);
  ASSERT_TRUE(dario);
  const JoinOutcome join = Join(*dario, "event:1");
  ASSERT_TRUE(join.reply);
  EXPECT_EQ(join.puback, 0x87);  // 0x8A is no PUBACK code: the nearest one
  EXPECT_EQ(join.reply->reason_code(), 0x8Au);
  EXPECT_EQ(join.reply->reason(), "you are banned from this event");
  EXPECT_TRUE(join.user_id.empty());
}

TEST_P(PlatformOnEachEngineTest, WithTheAdapterStoppedNewcomersAreRefusedAndMembersCarryOn) {
  TokenClient ben(port(), "ben", kBenToken);
  TokenClient felix(port(), "felix", kFelixToken);
  ASSERT_EQ(ConnectAll({&ben, &felix}), (std::vector<int>{0, 0})) << ben.error() << felix.error();
  for (TokenClient* client : {&ben, &felix}) {
    const JoinOutcome join = Join(*client, "world:1");
    ASSERT_TRUE(join.reply);
    ASSERT_EQ(join.reply->reason_code(), 0u) << join.reply->reason();
    ASSERT_EQ(client->Subscribe("rooms/world:1/pose/+", 0), 0) << client->error();
  }

  ASSERT_TRUE(StopAdapter());
  // A newcomer (a token the broker has not seen): 0x88 Server unavailable.
  const CommandResult pub =
      RunCommand({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(port()), "-V", "mqttv5",
                  "-u", "aiko", "-P", kAikoToken, "-t", "rooms/world:1/join", "-n"});
  EXPECT_NE(pub.exit_code, 0);
  EXPECT_NE(pub.err.find("Connection error: Server unavailable"), std::string::npos) << pub.err;
  TokenClient aiko(port(), "aiko", kAikoToken);
  EXPECT_EQ(aiko.Connect(), 0x88) << aiko.error();

  // The members are unaffected: their poses still go both ways.
  ASSERT_EQ(ben.Publish("rooms/world:1/pose/2", PoseOf(2), 1), 0) << ben.error();
  EXPECT_TRUE(ReceivesMessage(felix, "rooms/world:1/pose/2", PoseOf(2)));
  ASSERT_EQ(felix.Publish("rooms/world:1/pose/6", PoseOf(6), 1), 0) << felix.error();
  EXPECT_TRUE(ReceivesMessage(ben, "rooms/world:1/pose/6", PoseOf(6)));

  // The adapter is back on its address: newcomers get in (once the auth
  // plugin's channel has reconnected) and join.
  ASSERT_TRUE(RestartAdapter());
  int code = -1;
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (code != 0 && std::chrono::steady_clock::now() < deadline) {
    TokenClient attempt(port(), "aiko", kAikoToken);
    code = attempt.Connect();
    if (code != 0) continue;
    const JoinOutcome join = Join(attempt, "world:1");
    ASSERT_TRUE(join.reply);
    EXPECT_EQ(join.reply->reason(), "joined as peer");
    EXPECT_EQ(join.user_id, "1");
  }
  EXPECT_EQ(code, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Engines, PlatformOnEachEngineTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
    adapter::testing::BackendTestName<::testing::TestParamInfo<adapter::testing::Backend>>);

}  // namespace
}  // namespace plaza::testing
