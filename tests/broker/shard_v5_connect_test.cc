// MQTT 5 connection rules of the shard: CONNACK reason codes and capability
// properties, assigned client identifiers, Session Expiry Interval, Will
// Delay Interval, AUTH, and the DISCONNECT with a reason code the server
// sends before it closes a v5 connection.
#include <gtest/gtest.h>

#include "shard_v5_fixture.h"

namespace plaza::broker::testing {
namespace {

using mqtt::ReasonCode;

TEST_F(ShardV5Test, ConnackTellsTheConfiguredCapabilities) {
  limits_.max_inflight = 7;
  limits_.max_packet_size = 4096;
  const ConnId id = Open();
  const mqtt::Connack connack = ConnectWith(id, MakeConnect("alice"));
  EXPECT_EQ(connack.reason_code, ReasonCode::kSuccess);
  EXPECT_FALSE(connack.session_present);
  const mqtt::Properties& p = connack.properties;
  EXPECT_EQ(p.receive_maximum, 7);
  EXPECT_EQ(p.maximum_packet_size, 4096u);
  EXPECT_EQ(p.retain_available, true);
  EXPECT_FALSE(p.maximum_qos.has_value());  // QoS 2 is supported
  EXPECT_EQ(p.topic_alias_maximum, kTopicAliasMaximum);
  EXPECT_EQ(p.wildcard_subscription_available, true);
  EXPECT_EQ(p.subscription_identifier_available, true);
  EXPECT_EQ(p.shared_subscription_available, true);
  EXPECT_FALSE(p.assigned_client_identifier.has_value());
  EXPECT_FALSE(p.server_keep_alive.has_value());  // no limits.max_keep_alive
  EXPECT_FALSE(WasClosed(id));
}

TEST_F(ShardV5Test, EmptyClientIdIsAssignedAndTold) {
  const ConnId id = Open();
  // Even with Clean Start 0: the client learns the id and can come back.
  const mqtt::Connack connack = ConnectWith(id, MakeConnect("", /*clean=*/false));
  EXPECT_EQ(connack.reason_code, ReasonCode::kSuccess);
  ASSERT_TRUE(connack.properties.assigned_client_identifier.has_value());
  EXPECT_FALSE(connack.properties.assigned_client_identifier->empty());
  EXPECT_EQ(shard().session_count(), 1u);
}

TEST_F(ShardV5Test, NewerProtocolLevelIsRefusedWith0x84) {
  const ConnId id = Open();
  mqtt::Connect connect = MakeConnect("future");
  connect.protocol_level = 6;
  std::string bytes;
  mqtt::Encode(connect, &bytes, 4);
  shard().OnBytes(id, bytes);
  auto connacks = ReceivedOf<mqtt::Connack>(id);
  ASSERT_EQ(connacks.size(), 1u);
  EXPECT_EQ(connacks[0].reason_code, ReasonCode::kUnsupportedProtocolVersion);
  EXPECT_TRUE(WasClosed(id));
}

TEST_F(ShardV5Test, AuthenticationMethodIsRefusedWith0x8C) {
  const ConnId id = Open();
  mqtt::Connect connect = MakeConnect("auth");
  connect.properties.authentication_method = "SCRAM-SHA-1";
  const mqtt::Connack connack = ConnectWith(id, connect);
  EXPECT_EQ(connack.reason_code, ReasonCode::kBadAuthenticationMethod);
  EXPECT_TRUE(WasClosed(id));
  EXPECT_EQ(shard().session_count(), 0u);
}

TEST_F(ShardV5Test, AuthPacketIsAProtocolError) {
  const ConnId id = Connect("auth");
  Send(id, mqtt::Auth{ReasonCode::kContinueAuthentication});
  const auto disconnect = ServerDisconnect(id);
  ASSERT_TRUE(disconnect);
  EXPECT_EQ(disconnect->reason_code, ReasonCode::kProtocolError);
  EXPECT_TRUE(disconnect->properties.reason_string.has_value());
  EXPECT_TRUE(WasClosed(id));
}

TEST_F(ShardV5Test, PluginDenialPassesItsReasonCode) {
  ScriptedHooks hooks;
  hooks_ = &hooks;
  hooks.connect.verdict = HookVerdict::kDeny;
  hooks.connect.reason_code = 0x8A;  // banned
  const ConnId id = Open();
  EXPECT_EQ(ConnectWith(id, MakeConnect("banned")).reason_code, ReasonCode::kBanned);
  EXPECT_EQ(hooks.last_level, mqtt::kProtocolLevel5);
  EXPECT_TRUE(WasClosed(id));
  // The same denial reaches a 3.1.1 client as its nearest return code.
  const ConnId old = Open();
  EXPECT_EQ(ConnectWith(old, MakeConnect("banned", true, 4)).return_code,
            mqtt::ConnectReturnCode::kNotAuthorized);
}

TEST_F(ShardV5Test, SessionExpiryZeroEndsTheSessionWithTheConnection) {
  mqtt::Connect connect = MakeConnect("short", /*clean=*/false);
  const ConnId id = Connect(connect);
  Send(id, mqtt::Disconnect{});
  EXPECT_TRUE(WasClosed(id));
  EXPECT_EQ(shard().session_count(), 0u);
}

TEST_F(ShardV5Test, SessionLivesForItsExpiryInterval) {
  mqtt::Connect connect = MakeConnect("kept", /*clean=*/false);
  connect.properties.session_expiry_interval = 10;
  const ConnId id = Connect(connect);
  ASSERT_EQ(Subscribe(id, {"a/b", 1}), 1);
  Send(id, mqtt::Disconnect{});
  EXPECT_TRUE(WasClosed(id));
  EXPECT_EQ(shard().session_count(), 1u);
  host_.now += 9'000;
  shard().OnTick();
  EXPECT_EQ(shard().session_count(), 1u);
  // Resumed in time: the session is present.
  const ConnId again = Open();
  EXPECT_TRUE(ConnectWith(again, connect).session_present);
  Send(again, mqtt::Disconnect{});
  CompleteCloses();
  host_.now += 10'000;
  shard().OnTick();
  EXPECT_EQ(shard().session_count(), 0u);
  EXPECT_EQ(shard().stats().sessions_expired, 1u);
}

TEST_F(ShardV5Test, MaximumSessionExpiryNeverExpires) {
  mqtt::Connect connect = MakeConnect("forever", /*clean=*/false);
  connect.properties.session_expiry_interval = 0xFFFFFFFF;
  const ConnId id = Connect(connect);
  Send(id, mqtt::Disconnect{});
  CompleteCloses();
  host_.now += int64_t{1} << 40;
  shard().OnTick();
  EXPECT_EQ(shard().session_count(), 1u);
}

TEST_F(ShardV5Test, CleanStartDiscardsAnExistingSession) {
  mqtt::Connect connect = MakeConnect("clean", /*clean=*/false);
  connect.properties.session_expiry_interval = 100;
  const ConnId id = Connect(connect);
  Send(id, mqtt::Disconnect{});
  CompleteCloses();
  connect.clean_session = true;
  const ConnId again = Open();
  EXPECT_FALSE(ConnectWith(again, connect).session_present);
}

TEST_F(ShardV5Test, DisconnectMayChangeTheSessionExpiry) {
  mqtt::Connect connect = MakeConnect("change", /*clean=*/false);
  connect.properties.session_expiry_interval = 100;
  const ConnId id = Connect(connect);
  mqtt::Disconnect disconnect;
  disconnect.properties.session_expiry_interval = 0;
  Send(id, disconnect);
  EXPECT_TRUE(WasClosed(id));
  EXPECT_EQ(shard().session_count(), 0u);
}

TEST_F(ShardV5Test, DisconnectCannotSetAnExpiryAfterZero) {
  const ConnId id = Connect("zero");
  mqtt::Disconnect disconnect;
  disconnect.properties.session_expiry_interval = 60;
  Send(id, disconnect);
  const auto answer = ServerDisconnect(id);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->reason_code, ReasonCode::kProtocolError);  // [MQTT-3.14.2-2]
  EXPECT_TRUE(WasClosed(id));
  EXPECT_EQ(shard().session_count(), 0u);
}

TEST_F(ShardV5Test, TakeoverTellsTheOldConnection) {
  const ConnId first = Connect("twice");
  const ConnId second = Connect("twice");
  const auto disconnect = ServerDisconnect(first);
  ASSERT_TRUE(disconnect);
  EXPECT_EQ(disconnect->reason_code, ReasonCode::kSessionTakenOver);
  EXPECT_TRUE(WasClosed(first));
  EXPECT_FALSE(WasClosed(second));
}

TEST_F(ShardV5Test, KeepAliveTimeoutIsTold) {
  const ConnId id = Connect("sleepy");
  host_.now += 91'000;
  shard().OnTick();
  const auto disconnect = ServerDisconnect(id);
  ASSERT_TRUE(disconnect);
  EXPECT_EQ(disconnect->reason_code, ReasonCode::kKeepAliveTimeout);
  EXPECT_TRUE(WasClosed(id));
}

TEST_F(ShardV5Test, KickIsAnAdministrativeAction) {
  const ConnId id = Connect("kicked");
  EXPECT_TRUE(shard().Kick(id, false));
  const auto disconnect = ServerDisconnect(id);
  ASSERT_TRUE(disconnect);
  EXPECT_EQ(disconnect->reason_code, ReasonCode::kAdministrativeAction);
}

TEST_F(ShardV5Test, KickCarriesThePluginsReasonAndServerReference) {
  const ConnId id = Connect("moved");
  EXPECT_TRUE(shard().Kick(id, false, 0x9C, "other.example:1883"));  // use another server
  const auto disconnect = ServerDisconnect(id);
  ASSERT_TRUE(disconnect);
  EXPECT_EQ(static_cast<int>(disconnect->reason_code), 0x9C);
  ASSERT_TRUE(disconnect->properties.server_reference);
  EXPECT_EQ(*disconnect->properties.server_reference, "other.example:1883");
  EXPECT_TRUE(WasClosed(id));
}

TEST_F(ShardV5Test, KickWithACodeDisconnectCannotCarryIsAnAdministrativeAction) {
  const ConnId id = Connect("odd");
  EXPECT_TRUE(shard().Kick(id, false, 0x02));  // "granted QoS 2" is no DISCONNECT code
  const auto disconnect = ServerDisconnect(id);
  ASSERT_TRUE(disconnect);
  EXPECT_EQ(disconnect->reason_code, ReasonCode::kAdministrativeAction);
}

TEST_F(ShardV5Test, MalformedPacketIsTold0x81) {
  const ConnId id = Connect("broken");
  // PUBLISH with QoS 3.
  shard().OnBytes(id, std::string("\x36\x05\x00\x01t\x00\x01", 7));
  const auto disconnect = ServerDisconnect(id);
  ASSERT_TRUE(disconnect);
  EXPECT_EQ(disconnect->reason_code, ReasonCode::kMalformedPacket);
  EXPECT_TRUE(WasClosed(id));
}

TEST_F(ShardV5Test, PacketTooLargeIsTold0x95) {
  limits_.max_packet_size = 64;
  const ConnId id = Connect("big");
  Publish(id, "t", std::string(100, 'x'));
  const auto disconnect = ServerDisconnect(id);
  ASSERT_TRUE(disconnect);
  EXPECT_EQ(disconnect->reason_code, ReasonCode::kPacketTooLarge);
  EXPECT_TRUE(WasClosed(id));
}

TEST_F(ShardV5Test, ThreeOneOneClientsGetNoDisconnect) {
  const ConnId first = Connect("old", 4);
  Connect("old", 4);
  EXPECT_TRUE(Received(first).empty());
  EXPECT_TRUE(WasClosed(first));
}

TEST_F(ShardV5Test, QueueOverflowIsQuotaExceeded) {
  limits_.max_inflight = 1;
  limits_.max_queued_messages = 1;
  const ConnId sub = Connect("slow");
  ASSERT_EQ(Subscribe(sub, {"q", 1}), 1);
  const ConnId pub = Connect("fast");
  for (int i = 0; i < 3; ++i) Publish(pub, "q", "m", 1);
  const auto disconnect = ServerDisconnect(sub);
  ASSERT_TRUE(disconnect);
  EXPECT_EQ(disconnect->reason_code, ReasonCode::kQuotaExceeded);
}

mqtt::Connect WithWill(mqtt::Connect connect, uint32_t delay, uint32_t expiry) {
  static const mqtt::Will will{"will/t", "gone", 0, false};
  connect.will = will;
  connect.will->properties.will_delay_interval = delay;
  connect.properties.session_expiry_interval = expiry;
  return connect;
}

TEST_F(ShardV5Test, DelayedWillIsSentAfterItsDelay) {
  const ConnId watcher = Connect("watcher");
  ASSERT_EQ(Subscribe(watcher, {"will/#", 0}), 0);
  const ConnId id = Connect(WithWill(MakeConnect("w", false), 5, 60));
  shard().OnClosed(id);  // abnormal close
  EXPECT_TRUE(ReceivedOf<mqtt::Publish>(watcher).empty());
  host_.now += 5'000;
  shard().OnTick();
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(watcher).size(), 1u);
}

TEST_F(ShardV5Test, DelayedWillIsNotSentWhenTheClientIsBack) {
  const ConnId watcher = Connect("watcher");
  ASSERT_EQ(Subscribe(watcher, {"will/#", 0}), 0);
  const mqtt::Connect connect = WithWill(MakeConnect("w", false), 5, 60);
  const ConnId id = Connect(connect);
  shard().OnClosed(id);
  host_.now += 2'000;
  Connect(connect);
  host_.now += 10'000;
  shard().OnTick();
  EXPECT_TRUE(ReceivedOf<mqtt::Publish>(watcher).empty());
}

TEST_F(ShardV5Test, DelayedWillIsSentWhenTheSessionEndsFirst) {
  const ConnId watcher = Connect("watcher");
  ASSERT_EQ(Subscribe(watcher, {"will/#", 0}), 0);
  const ConnId id = Connect(WithWill(MakeConnect("w", false), 60, 2));
  shard().OnClosed(id);
  host_.now += 2'000;
  shard().OnTick();
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(watcher).size(), 1u);
  EXPECT_EQ(shard().session_count(), 1u);  // the watcher's
}

TEST_F(ShardV5Test, DisconnectWithWillMessagePublishesTheWill) {
  const ConnId watcher = Connect("watcher");
  ASSERT_EQ(Subscribe(watcher, {"will/#", 0}), 0);
  const ConnId id = Connect(WithWill(MakeConnect("w"), 0, 0));
  Send(id, mqtt::Disconnect{ReasonCode::kDisconnectWithWillMessage});
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(watcher).size(), 1u);
  const ConnId quiet = Connect(WithWill(MakeConnect("q"), 0, 0));
  Send(quiet, mqtt::Disconnect{});
  EXPECT_TRUE(ReceivedOf<mqtt::Publish>(watcher).empty());
}

}  // namespace
}  // namespace plaza::broker::testing
