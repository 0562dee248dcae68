// The rooms plugin in the real broker, membership side, with real clients
// (Paho C++, libmosquitto, mosquitto_sub/pub/rr): joins and leaves with
// their replies, presence events and snapshots; the retained snapshot and
// settings for a late joiner; capacity refusals (MQTT 5 PUBACK 0x97 and the
// Reply); unknown rooms; and a rejoin within the grace period.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "plaza/adapter/v1/room_messages.pb.h"
#include "rooms_test_support.h"

namespace plaza::testing {
namespace {

using room::v1::PresenceEvent;

constexpr char kRooms[] = R"(snapshot_interval_ms: 0
grace_period_ms: 60000
users:
  ana: {user_id: u-ana, display_name: Ana}
rooms:
  - id: "world:1"
    kind: world
    settings: {volume: 0.5, bgm_url: "https://cdn/bgm.ogg", venue_asset_url: "https://cdn/venue"}
  - id: "world:2"
    kind: world
    capacity: 2
    owners: [star]
)";

// The Reply `client` gets for its request on rooms/<room>/server/reply.
template <typename Client>
std::optional<room::v1::Reply> ReceiveReply(Client& client, const std::string& room) {
  return ReceiveMatching<room::v1::Reply>(client, "rooms/" + room + "/server/reply",
                                          [](const room::v1::Reply&) { return true; });
}

// A libmosquitto client with a user name, connected.
std::unique_ptr<MosqClient> UserClient(uint16_t port, const std::string& client_id,
                                       const std::string& user) {
  auto client = std::make_unique<MosqClient>(port, client_id);
  if (!client->SetCredentials(user) || !client->Connect()) return nullptr;
  return client;
}

class RoomsMembershipTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(StartRoomsBroker(broker_, kRooms)); }
  BrokerProcess broker_;
};

TEST_F(RoomsMembershipTest, JoinAndLeaveAreAnnouncedAndAnswered) {
  auto watcher_client = Watcher(broker_.port(), "rooms/world:1/#");
  ASSERT_TRUE(watcher_client);
  PahoClient& watcher = *watcher_client;
  auto ana = UserClient(broker_.port(), "ana-phone", "ana");
  ASSERT_TRUE(ana);

  ASSERT_TRUE(ana->Publish("rooms/world:1/join", "", 1)) << ana->error();
  std::optional<room::v1::Reply> reply = ReceiveReply(*ana, "world:1");
  ASSERT_TRUE(reply) << broker_.log();
  EXPECT_EQ(reply->request_topic(), "rooms/world:1/join");
  EXPECT_EQ(reply->reason_code(), 0u);
  EXPECT_EQ(reply->reason(), "joined as peer");

  std::vector<Received> seen;
  const auto joined = ReceiveMatching<PresenceEvent>(
      watcher, "rooms/world:1/server/presence",
      [](const PresenceEvent& e) { return e.kind() == PresenceEvent::KIND_JOINED; }, &seen);
  ASSERT_TRUE(joined) << broker_.log();
  EXPECT_EQ(joined->room_id(), "world:1");
  EXPECT_EQ(joined->member().user_id(), "u-ana");  // from the users table
  EXPECT_EQ(joined->member().display_name(), "Ana");
  EXPECT_EQ(joined->member().role(), "peer");
  EXPECT_GT(joined->member().joined_at_unix_ms(), 0);
  const auto members = WaitForMembers(watcher, "world:1", {"u-ana"});
  ASSERT_TRUE(members);
  EXPECT_EQ(members->kind(), "world");
  EXPECT_EQ(members->version(), joined->version());

  ASSERT_TRUE(ana->Publish("rooms/world:1/leave", "", 1));
  reply = ReceiveReply(*ana, "world:1");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->reason(), "left");
  ASSERT_TRUE(WaitForPresence(watcher, "world:1", "u-ana", PresenceEvent::KIND_LEFT, &seen));
  ASSERT_TRUE(WaitForMembers(watcher, "world:1", {}));
  // The requests themselves are for the server: no subscriber gets them.
  for (const Received& message : seen) {
    EXPECT_NE(message.topic, "rooms/world:1/join");
    EXPECT_NE(message.topic, "rooms/world:1/leave");
  }
  // Leaving again: nothing to do, and said so.
  ASSERT_TRUE(ana->Publish("rooms/world:1/leave", "", 1));
  reply = ReceiveReply(*ana, "world:1");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->reason_code(), 0u);
  EXPECT_EQ(reply->reason(), "not a member");
}

TEST_F(RoomsMembershipTest, ALateJoinerGetsTheRetainedSnapshotAndSettings) {
  auto watcher_client = Watcher(broker_.port(), "rooms/world:1/server/members");
  ASSERT_TRUE(watcher_client);
  PahoClient& watcher = *watcher_client;
  MosqClient p1(broker_.port(), "p1");
  MosqClient p2(broker_.port(), "p2");
  ASSERT_TRUE(p1.Connect() && p2.Connect());
  ASSERT_TRUE(p1.Publish("rooms/world:1/join", "", 1));
  ASSERT_TRUE(WaitForMembers(watcher, "world:1", {"p1"}));
  // A display name of the join request, in JSON, when no one else names the user.
  ASSERT_TRUE(p2.Publish("rooms/world:1/join", R"({"display_name": "Player Two"})", 1));
  ASSERT_TRUE(WaitForMembers(watcher, "world:1", {"p1", "p2"}));

  const auto fetch = [this](const std::string& leaf) {
    return RunCommand({"mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(broker_.port()),
                       "-t", "rooms/world:1/server/" + leaf, "-C", "1", "-N", "-W", "5"});
  };
  const CommandResult members_out = fetch("members");
  ASSERT_EQ(members_out.exit_code, 0) << members_out.err;
  room::v1::RoomMembers members;
  ASSERT_TRUE(DecodePayload(members_out.out, &members));
  EXPECT_EQ(UserIds(members), (std::vector<std::string>{"p1", "p2"}));
  EXPECT_EQ(members.members(1).display_name(), "Player Two");
  EXPECT_EQ(members.members(0).display_name(), "p1");

  const CommandResult settings_out = fetch("settings");
  ASSERT_EQ(settings_out.exit_code, 0) << settings_out.err;
  adapter::v1::RoomSettingsMessage settings;
  ASSERT_TRUE(DecodePayload(settings_out.out, &settings));
  EXPECT_EQ(settings.room_id(), "world:1");
  EXPECT_FLOAT_EQ(settings.settings().volume(), 0.5f);
  EXPECT_EQ(settings.settings().bgm_url(), "https://cdn/bgm.ogg");
  EXPECT_EQ(settings.settings().venue_asset_url(), "https://cdn/venue");
  EXPECT_GT(settings.published_at_unix_ms(), 0);
}

TEST_F(RoomsMembershipTest, AFullRoomRefusesWithQuotaExceeded) {
  auto watcher_client = Watcher(broker_.port(), "rooms/world:2/server/members");
  ASSERT_TRUE(watcher_client);
  PahoClient& watcher = *watcher_client;
  auto a = UserClient(broker_.port(), "a", "a");
  auto b = UserClient(broker_.port(), "b", "b");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->Publish("rooms/world:2/join", "", 1));
  ASSERT_TRUE(b->Publish("rooms/world:2/join", "", 1));
  ASSERT_TRUE(WaitForMembers(watcher, "world:2", {"a", "b"}));

  // MQTT 3.1.1: a normal PUBACK (3.1.1 has no negative one), and the Reply.
  auto c = UserClient(broker_.port(), "c", "c");
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Publish("rooms/world:2/join", "", 1));
  auto reply = ReceiveReply(*c, "world:2");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->reason_code(), 0x97u);
  EXPECT_EQ(reply->reason(), "room 'world:2' is full");

  // MQTT 5: the PUBACK carries 0x97 Quota exceeded.
  const std::string port = std::to_string(broker_.port());
  const CommandResult pub =
      RunCommand({"mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-V", "5", "-u", "d", "-q", "1",
                  "-t", "rooms/world:2/join", "-m", "", "-d"});
  EXPECT_NE(pub.out.find("received PUBACK (Mid: 1, RC:151)"), std::string::npos)
      << pub.out << pub.err;

  // MQTT 5 request/response: the Reply goes to the Response Topic, with the
  // Correlation Data as a property and in the Reply.
  const CommandResult rr = RunCommand({"mosquitto_rr",
                                       "-h",
                                       "127.0.0.1",
                                       "-p",
                                       port,
                                       "-V",
                                       "5",
                                       "-u",
                                       "e",
                                       "-q",
                                       "1",
                                       "-t",
                                       "rooms/world:2/join",
                                       "-e",
                                       "replies/e",
                                       "-m",
                                       "",
                                       "-D",
                                       "publish",
                                       "correlation-data",
                                       "req-42",
                                       "-N",
                                       "-F",
                                       "%t|%D|%p",
                                       "-W",
                                       "5"});
  ASSERT_EQ(rr.exit_code, 0) << rr.err;
  ASSERT_EQ(rr.out.rfind("replies/e|req-42|", 0), 0u) << rr.out;
  room::v1::Reply rr_reply;
  ASSERT_TRUE(DecodePayload(rr.out.substr(std::string("replies/e|req-42|").size()), &rr_reply));
  EXPECT_EQ(rr_reply.reason_code(), 0x97u);
  EXPECT_EQ(rr_reply.correlation_data(), "req-42");

  // The cast is let in past capacity.
  auto star = UserClient(broker_.port(), "star", "star");
  ASSERT_TRUE(star);
  ASSERT_TRUE(star->Publish("rooms/world:2/join", "", 1));
  reply = ReceiveReply(*star, "world:2");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->reason(), "joined as owner");
  ASSERT_TRUE(WaitForMembers(watcher, "world:2", {"a", "b", "star"}));
}

// An MQTT 5 join through mosquitto_rr: "<user properties>|<Reply>".
CommandResult JoinWithMosquittoRr(uint16_t port, const std::string& user, const std::string& room) {
  return RunCommand({"mosquitto_rr",
                     "-h",
                     "127.0.0.1",
                     "-p",
                     std::to_string(port),
                     "-V",
                     "5",
                     "-u",
                     user,
                     "-q",
                     "1",
                     "-t",
                     "rooms/" + room + "/join",
                     "-e",
                     "replies/" + user,
                     "-m",
                     "",
                     "-N",
                     "-F",
                     "%P|%p",
                     "-W",
                     "5"});
}

TEST_F(RoomsMembershipTest, AJoinReplyNamesTheMembersUserId) {
  // The user property user_id: who the member is in the room's topics (here
  // from the users table), so a client need not be told.
  CommandResult rr = JoinWithMosquittoRr(broker_.port(), "ana", "world:1");
  ASSERT_EQ(rr.exit_code, 0) << rr.err;
  EXPECT_EQ(rr.out.rfind("user_id:u-ana|", 0), 0u) << rr.out;
  room::v1::Reply reply;
  ASSERT_TRUE(DecodePayload(rr.out.substr(rr.out.find('|') + 1), &reply)) << rr.out;
  EXPECT_EQ(reply.reason(), "joined as peer");
  EXPECT_EQ(reply.user_id(), "u-ana");  // in the payload too, for MQTT 3.1.1 clients
  // Without a users entry, the MQTT user name.
  rr = JoinWithMosquittoRr(broker_.port(), "bo", "world:1");
  ASSERT_EQ(rr.exit_code, 0) << rr.err;
  EXPECT_EQ(rr.out.rfind("user_id:bo|", 0), 0u) << rr.out;
  // A refused join names no one.
  rr = JoinWithMosquittoRr(broker_.port(), "ana", "nowhere");
  ASSERT_EQ(rr.exit_code, 0) << rr.err;
  EXPECT_EQ(rr.out.find("user_id"), std::string::npos) << rr.out;
  ASSERT_TRUE(DecodePayload(rr.out.substr(rr.out.find('|') + 1), &reply)) << rr.out;
  EXPECT_EQ(reply.reason_code(), 0x90u);
  EXPECT_EQ(reply.user_id(), "");
}

TEST_F(RoomsMembershipTest, UnknownRoomsAndMalformedRequestsAreRefused) {
  const std::string port = std::to_string(broker_.port());
  CommandResult pub = RunCommand({"mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-V", "5", "-q",
                                  "1", "-t", "rooms/nowhere/join", "-m", "", "-d"});
  EXPECT_NE(pub.out.find("RC:144"), std::string::npos) << pub.out;  // 0x90
  pub = RunCommand({"mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-V", "5", "-q", "1", "-t",
                    "rooms/world:1/join", "-m", "{not json", "-d"});
  EXPECT_NE(pub.out.find("RC:153"), std::string::npos) << pub.out;  // 0x99
  pub = RunCommand({"mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-V", "5", "-q", "1", "-t",
                    "rooms/bad room/join", "-m", "", "-d"});
  EXPECT_NE(pub.out.find("RC:144"), std::string::npos) << pub.out;
  MosqClient client(broker_.port(), "lost");
  ASSERT_TRUE(client.Connect());
  ASSERT_TRUE(client.Publish("rooms/nowhere/join", "", 1));
  const auto reply = ReceiveReply(client, "nowhere");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->reason_code(), 0x90u);
  EXPECT_EQ(reply->reason(), "no such room 'nowhere'");
}

TEST(RoomsUnknownRoomsTest, AreCreatedAsWorldsWhenConfigured) {
  BrokerProcess broker;
  ASSERT_TRUE(StartRoomsBroker(broker,
                               "unknown_rooms: create\nsnapshot_interval_ms: 0\n"
                               "created_rooms: {capacity: 1, settings: {volume: 0.25}}\n"
                               "payload_format: json\n"));
  auto watcher_client = Watcher(broker.port(), "rooms/new:1/server/#");
  ASSERT_TRUE(watcher_client);
  PahoClient& watcher = *watcher_client;
  MosqClient first(broker.port(), "first");
  ASSERT_TRUE(first.Connect());
  ASSERT_TRUE(first.Publish("rooms/new:1/join", "", 1));
  const auto settings = ReceiveMatching<adapter::v1::RoomSettingsMessage>(
      watcher, "rooms/new:1/server/settings",
      [](const adapter::v1::RoomSettingsMessage&) { return true; });
  ASSERT_TRUE(settings) << broker.log();
  EXPECT_FLOAT_EQ(settings->settings().volume(), 0.25f);
  const auto members = WaitForMembers(watcher, "new:1", {"first"});
  ASSERT_TRUE(members);
  EXPECT_EQ(members->kind(), "world");
  EXPECT_EQ(members->capacity(), 1);
  // JSON, as configured.
  MosqClient second(broker.port(), "second");
  ASSERT_TRUE(second.Connect());
  ASSERT_TRUE(second.Publish("rooms/new:1/join", "", 1));
  const auto reply = second.Receive();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->topic, "rooms/new:1/server/reply");
  EXPECT_NE(reply->payload.find("\"reason_code\":151"), std::string::npos) << reply->payload;
}

TEST_F(RoomsMembershipTest, ADisconnectLeavesAtOnce) {
  auto watcher_client = Watcher(broker_.port(), "rooms/world:1/server/presence");
  ASSERT_TRUE(watcher_client);
  PahoClient& watcher = *watcher_client;
  auto ana = UserClient(broker_.port(), "ana-phone", "ana");
  ASSERT_TRUE(ana);
  ASSERT_TRUE(ana->Publish("rooms/world:1/join", "", 1));
  ASSERT_TRUE(WaitForPresence(watcher, "world:1", "u-ana", PresenceEvent::KIND_JOINED));
  // A DISCONNECT says goodbye: no 60 s grace period is waited out.
  ASSERT_TRUE(ana->Disconnect());
  EXPECT_TRUE(WaitForPresence(watcher, "world:1", "u-ana", PresenceEvent::KIND_LEFT));
}

// A dropped connection keeps its member for the grace period: a takeover
// (same client id) and another device (new client id) rejoin without any
// event; once the last connection drops for good, the member leaves when
// the grace period ends, with the joined_at of the first join.
TEST(RoomsGraceTest, RejoinWithinTheGracePeriodCausesNoEvents) {
  BrokerProcess broker;
  ASSERT_TRUE(StartRoomsBroker(broker,
                               "grace_period_ms: 1500\nsnapshot_interval_ms: 0\n"
                               "users: {ana: {user_id: u-ana}}\n"
                               "rooms: [{id: 'world:1', kind: world}]\n"));
  auto watcher_client = Watcher(broker.port(), "rooms/world:1/server/presence");
  ASSERT_TRUE(watcher_client);
  PahoClient& watcher = *watcher_client;
  std::vector<Received> seen;

  auto phone = UserClient(broker.port(), "ana-phone", "ana");
  ASSERT_TRUE(phone);
  ASSERT_TRUE(phone->Publish("rooms/world:1/join", "", 1));
  ASSERT_TRUE(WaitForPresence(watcher, "world:1", "u-ana", PresenceEvent::KIND_JOINED, &seen));
  const int64_t joined_at = [&] {
    PresenceEvent e;
    DecodePayload(seen.back().payload, &e);
    return e.member().joined_at_unix_ms();
  }();

  // A takeover: the same client id connects again while the old one lives.
  auto takeover = UserClient(broker.port(), "ana-phone", "ana");
  ASSERT_TRUE(takeover);
  ASSERT_TRUE(takeover->Publish("rooms/world:1/join", "", 1));
  auto reply = ReceiveReply(*takeover, "world:1");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->reason(), "rejoined as peer");

  // The network drops; the user comes back from a laptop.
  takeover->Kill();
  auto laptop = UserClient(broker.port(), "ana-laptop", "ana");
  ASSERT_TRUE(laptop);
  ASSERT_TRUE(laptop->Publish("rooms/world:1/join", "", 1));
  reply = ReceiveReply(*laptop, "world:1");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->reason(), "rejoined as peer");

  // Someone else comes and goes meanwhile: their events, and only theirs.
  MosqClient bob(broker.port(), "bob");
  ASSERT_TRUE(bob.Connect());
  ASSERT_TRUE(bob.Publish("rooms/world:1/join", "", 1));
  ASSERT_TRUE(bob.Publish("rooms/world:1/leave", "", 1));
  ASSERT_TRUE(WaitForPresence(watcher, "world:1", "bob", PresenceEvent::KIND_LEFT, &seen));

  // The laptop drops too and does not come back: ana leaves after the grace
  // period -- later than a left event of the earlier drops would have come.
  laptop->Kill();
  ASSERT_TRUE(WaitForPresence(watcher, "world:1", "u-ana", PresenceEvent::KIND_LEFT, &seen));
  EXPECT_EQ(PresenceLog(seen),
            (std::vector<std::string>{"joined:u-ana", "joined:bob", "left:bob", "left:u-ana"}));
  PresenceEvent left;
  ASSERT_TRUE(DecodePayload(seen.back().payload, &left));
  EXPECT_EQ(left.member().joined_at_unix_ms(), joined_at);
}

}  // namespace
}  // namespace plaza::testing
