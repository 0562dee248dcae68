// The rooms plugin in the real broker, delivery side: the event policy
// (the stage reaches everyone; an audience member reaches the stage and its
// neighbourhood, not another neighbourhood), a world's all-to-all, per-room
// metrics, and conflation of poses for a subscriber that falls behind.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "metrics_page.h"
#include "rooms_test_support.h"

namespace plaza::testing {
namespace {

constexpr char kRooms[] = R"(snapshot_interval_ms: 0
metrics_interval_ms: 100
event_policy: {neighbourhood_size: 2}
rooms:
  - id: "event:1"
    kind: event
    performers: [star]
  - id: "world:1"
    kind: world
)";

class RoomsDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(StartRoomsBroker(broker_, kRooms)); }

  // A client (user id = client id) that joined `room` and listens to its
  // member traffic. One Paho client per test: Paho C takes seconds to
  // connect each further client of a process.
  template <typename Client = MosqClient>
  std::unique_ptr<Client> Member(const std::string& id, const std::string& room) {
    auto client = std::make_unique<Client>(broker_.port(), id);
    EXPECT_TRUE(client->Connect()) << client->error();
    EXPECT_EQ(client->Subscribe("rooms/" + room + "/pose/+", 0), 0);
    EXPECT_EQ(client->Subscribe("rooms/" + room + "/voice/+", 0), 0);
    EXPECT_TRUE(client->Publish("rooms/" + room + "/join", "", 1));
    const auto reply = client->Receive();  // the Reply: joined
    EXPECT_TRUE(reply && reply->topic == "rooms/" + room + "/server/reply") << broker_.log();
    return client;
  }

  // The sum of a rooms metric over the series of `room`.
  double RoomMetric(const std::string& name, const std::string& room) {
    const std::string page = MetricsPage(broker_);
    const std::string key = "plaza_plugin_rooms_" + name + "{room=\"" + room + "\"} ";
    const size_t at = page.find(key);
    return at == std::string::npos ? -1 : std::stod(page.substr(at + key.size()));
  }

  BrokerProcess broker_;
};

TEST_F(RoomsDeliveryTest, EventStageReachesAllAndAudienceOnlyItsNeighbourhood) {
  // Join order seats a1, a2 in neighbourhood 0 and a3, a4 in neighbourhood 1.
  auto star = Member<PahoClient>("star", "event:1");
  auto a1 = Member("a1", "event:1");
  auto a2 = Member("a2", "event:1");
  auto a3 = Member("a3", "event:1");
  auto a4 = Member("a4", "event:1");

  ASSERT_TRUE(star->Publish("rooms/event:1/pose/star", "star-pose"));
  const auto star_echo = star->Receive();
  ASSERT_TRUE(star_echo) << broker_.log();
  EXPECT_EQ(star_echo->payload, "star-pose");
  for (MosqClient* c : {a1.get(), a2.get(), a3.get(), a4.get()}) {
    const auto got = c->Receive();
    ASSERT_TRUE(got) << broker_.log();
    EXPECT_EQ(got->payload, "star-pose");
  }

  ASSERT_TRUE(a1->Publish("rooms/event:1/pose/a1", "a1-pose"));
  ASSERT_TRUE(a1->Publish("rooms/event:1/voice/a1", "a1-voice"));
  const std::vector<Received> from_a1 = {Msg("rooms/event:1/pose/a1", "a1-pose"),
                                         Msg("rooms/event:1/voice/a1", "a1-voice")};
  EXPECT_EQ(ReceiveCount(*star, 2), from_a1);
  EXPECT_EQ(ReceiveCount(*a1, 2), from_a1);
  EXPECT_EQ(ReceiveCount(*a2, 2), from_a1);
  // a3 and a4 sit in the other neighbourhood: they hear their own.
  ASSERT_TRUE(a4->Publish("rooms/event:1/pose/a4", "a4-pose"));
  for (MosqClient* c : {a3.get(), a4.get()}) {
    const auto got = c->Receive();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->payload, "a4-pose") << "a1's traffic crossed neighbourhoods";
  }
  const auto star_got = star->Receive();
  ASSERT_TRUE(star_got);
  EXPECT_EQ(star_got->payload, "a4-pose");
  EXPECT_FALSE(a1->Receive(milliseconds(300)));
  EXPECT_FALSE(a3->Receive(milliseconds(100)));

  // Each dropped delivery is counted for the room: a1's two messages to a3
  // and a4, a4's pose to a1 and a2.
  EXPECT_TRUE(WaitForMetric([&] { return RoomMetric("deliveries_dropped_total", "event:1") == 6; }))
      << MetricsPage(broker_);
  EXPECT_TRUE(WaitForMetric([&] { return RoomMetric("members", "event:1") == 5; }));
  EXPECT_TRUE(WaitForMetric([&] { return RoomMetric("messages_in_total", "event:1") == 4; }));
  EXPECT_GE(RoomMetric("bytes_in_total", "event:1"), 4 * 7);
  EXPECT_GE(RoomMetric("deliveries_total", "event:1"), 5 + 6 + 3);
}

// In an event, presence about an audience member reaches the stage and its
// neighbourhood only, and each subscriber's copy of the snapshot lists what
// it may know: the stage everyone, an audience member the stage and its
// neighbourhood, an outsider the stage; all count the whole audience.
TEST_F(RoomsDeliveryTest, EventMemberBroadcastsFollowTheNeighbourhoods) {
  using room::v1::PresenceEvent;
  using room::v1::RoomMembers;
  using Ids = std::vector<std::string>;
  const std::string server = "rooms/event:1/server/#";
  const std::string members_topic = "rooms/event:1/server/members";
  std::map<std::string, std::vector<Received>> seen;
  std::map<std::string, std::unique_ptr<MosqClient>> audience;
  const auto join = [&](const std::string& id) {
    auto client = std::make_unique<MosqClient>(broker_.port(), id);
    ASSERT_TRUE(client->Connect());
    ASSERT_EQ(client->Subscribe(server, 1), 1);
    ASSERT_TRUE(client->Publish("rooms/event:1/join", "", 1));
    audience[id] = std::move(client);
  };
  // The performer (user id = client id "star") and four audience members.
  PahoClient stage(broker_.port(), "star");
  ASSERT_TRUE(stage.Connect());
  ASSERT_EQ(stage.Subscribe(server, 1), 1);
  ASSERT_TRUE(stage.Publish("rooms/event:1/join", "", 1));
  // Presence goes out asynchronously: let the stage's own event pass before
  // the audience subscribes.
  ASSERT_TRUE(WaitForPresence(stage, "event:1", "star", PresenceEvent::KIND_JOINED, &seen["star"]));
  for (const char* id : {"a1", "a2", "a3", "a4"}) join(id);  // a1 a2 | a3 a4
  ASSERT_TRUE(audience["a2"]->Publish("rooms/event:1/leave", "", 1));
  ASSERT_TRUE(audience["a4"]->Publish("rooms/event:1/leave", "", 1));
  join("a5");  // takes a2's seat in the first neighbourhood

  // The stage's copy lists everyone; once it shows a5, the snapshot is out.
  ASSERT_TRUE(ReceiveMatching<RoomMembers>(
      stage, members_topic,
      [](const RoomMembers& m) {
        return UserIds(m) == Ids{"star", "a1", "a3", "a5"};
      },
      &seen["star"]))
      << broker_.log();
  // A new subscription gets the retained snapshot, tailored.
  const auto copy_for = [&](const std::string& id) {
    MosqClient& client = *audience[id];
    EXPECT_EQ(client.Subscribe(members_topic, 1), 1);
    return ReceiveMatching<RoomMembers>(
        client, members_topic, [](const RoomMembers& m) { return m.version() >= 8; }, &seen[id]);
  };
  auto a1_copy = copy_for("a1");
  ASSERT_TRUE(a1_copy);
  EXPECT_EQ(UserIds(*a1_copy), (Ids{"star", "a1", "a5"}));
  EXPECT_EQ(a1_copy->audience_count(), 3u);
  auto a3_copy = copy_for("a3");
  ASSERT_TRUE(a3_copy);
  EXPECT_EQ(UserIds(*a3_copy), (Ids{"star", "a3"}));
  const CommandResult outsider =
      RunCommand({"mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(broker_.port()), "-t",
                  members_topic, "-C", "1", "-N", "-W", "5"});
  RoomMembers outsider_copy;
  ASSERT_TRUE(DecodePayload(outsider.out, &outsider_copy)) << outsider.err;
  EXPECT_EQ(UserIds(outsider_copy), (Ids{"star"}));
  EXPECT_EQ(outsider_copy.audience_count(), 3u);

  // The performer leaves last: everyone hears of it, which ends each log.
  ASSERT_TRUE(stage.Publish("rooms/event:1/leave", "", 1));
  ASSERT_TRUE(WaitForPresence(stage, "event:1", "star", PresenceEvent::KIND_LEFT, &seen["star"]));
  for (const char* id : {"a1", "a3", "a5"}) {
    ASSERT_TRUE(
        WaitForPresence(*audience[id], "event:1", "star", PresenceEvent::KIND_LEFT, &seen[id]))
        << id;
  }
  EXPECT_EQ(PresenceLog(seen["star"]),
            (Ids{"joined:star", "joined:a1", "joined:a2", "joined:a3", "joined:a4", "left:a2",
                 "left:a4", "joined:a5", "left:star"}));
  EXPECT_EQ(PresenceLog(seen["a1"]),
            (Ids{"joined:a1", "joined:a2", "left:a2", "joined:a5", "left:star"}));
  EXPECT_EQ(PresenceLog(seen["a3"]), (Ids{"joined:a3", "joined:a4", "left:a4", "left:star"}));
  EXPECT_EQ(PresenceLog(seen["a5"]), (Ids{"joined:a5", "left:star"}));
}

TEST_F(RoomsDeliveryTest, WorldIsAllToAll) {
  auto p1 = Member<PahoClient>("p1", "world:1");
  auto p2 = Member("p2", "world:1");
  auto p3 = Member("p3", "world:1");
  Command sub;
  std::string error;
  ASSERT_TRUE(sub.Start({"mosquitto_sub", "-h", "127.0.0.1", "-p", std::to_string(broker_.port()),
                         "-t", "rooms/world:1/pose/+", "-t", "probe/world", "-v", "-W", "20"},
                        &error))
      << error;
  // mosquitto_sub has subscribed once a probe reaches it.
  ASSERT_TRUE(WaitUntil([&] {
    RunCommand({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(broker_.port()), "-t",
                "probe/world", "-m", "probe"});
    return sub.WaitForOutput("probe", milliseconds(200));
  }));
  ASSERT_TRUE(p1->Publish("rooms/world:1/pose/p1", "from-p1"));
  ASSERT_TRUE(p2->Publish("rooms/world:1/pose/p2", "from-p2"));
  ASSERT_TRUE(p3->Publish("rooms/world:1/pose/p3", "from-p3"));
  const std::map<std::string, std::string> all = {{"rooms/world:1/pose/p1", "from-p1"},
                                                  {"rooms/world:1/pose/p2", "from-p2"},
                                                  {"rooms/world:1/pose/p3", "from-p3"}};
  const auto got = [](std::vector<Received> messages) {
    std::map<std::string, std::string> by_topic;
    for (const Received& m : messages) by_topic[m.topic] = m.payload;
    return by_topic;
  };
  EXPECT_EQ(got(ReceiveCount(*p1, 3)), all);
  EXPECT_EQ(got(ReceiveCount(*p2, 3)), all);
  EXPECT_EQ(got(ReceiveCount(*p3, 3)), all);
  ASSERT_TRUE(sub.WaitForOutput("from-p1") && sub.WaitForOutput("from-p2") &&
              sub.WaitForOutput("from-p3"))
      << sub.out();
}

// A subscriber with a tiny receive window reads nothing while two members
// send a burst of poses, then reads everything: it gets the newest pose of
// each sender, not the backlog (without conflation the broker's queue limit
// would drop the newest ones).
TEST(RoomsConflationTest, ASlowSubscriberGetsTheNewestPosePerSender) {
  BrokerProcess broker;
  ASSERT_TRUE(StartRoomsBroker(broker, kRooms, "limits:\n  max_queued_bytes: 32768\n"));
  SlowSubscriber slow;
  ASSERT_TRUE(slow.Connect(broker.port(), "slow", "rooms/world:1/pose/+"));
  raw::Client senders[2];
  for (int s = 0; s < 2; ++s) {
    ASSERT_TRUE(senders[s].Connect(broker.port(), "sender" + std::to_string(s), 0));
  }
  // The subscription is in place once a probe reaches another subscriber
  // of the same filter (the slow one's SUBACK waits unread).
  PahoClient probe(broker.port(), "probe");
  ASSERT_TRUE(probe.Connect());
  ASSERT_EQ(probe.Subscribe("rooms/world:1/pose/+", 0), 0);
  ASSERT_TRUE(senders[0].Send(raw::Publish("rooms/world:1/pose/sender0", "probe")));
  ASSERT_TRUE(probe.Receive());
  ASSERT_TRUE(probe.Disconnect());

  constexpr int kRounds = 1500;
  const std::string padding(512, 'p');
  for (int s = 0; s < 2; ++s) {
    std::string burst;
    for (int round = 0; round < kRounds; ++round) {
      burst += raw::Publish("rooms/world:1/pose/sender" + std::to_string(s),
                            std::to_string(round) + ":" + padding);
      if (burst.size() > 65536) {
        ASSERT_TRUE(senders[s].Send(burst));
        burst.clear();
      }
    }
    burst += raw::Publish("rooms/world:1/pose/sender" + std::to_string(s), "last");
    ASSERT_TRUE(senders[s].Send(burst));
  }
  for (raw::Client& sender : senders) ASSERT_TRUE(sender.Ping(milliseconds(5000)));

  const std::vector<raw::PublishFields> got = slow.ReadAll(milliseconds(1000));
  std::map<std::string, std::string> newest;
  std::map<std::string, int> last_round;
  bool ordered = true;
  size_t poses = 0;
  for (const raw::PublishFields& p : got) {
    if (p.payload == "probe") continue;
    ++poses;
    newest[p.topic] = p.payload;
    if (p.payload == "last") continue;
    const int round = std::stoi(p.payload);
    auto [it, inserted] = last_round.try_emplace(p.topic, round);
    if (!inserted) {
      ordered = ordered && round > it->second;
      it->second = round;
    }
  }
  EXPECT_EQ(newest, (std::map<std::string, std::string>{{"rooms/world:1/pose/sender0", "last"},
                                                        {"rooms/world:1/pose/sender1", "last"}}))
      << broker.log();
  EXPECT_TRUE(ordered) << "poses of one sender arrived out of order";
  EXPECT_LT(poses, 2u * kRounds) << "nothing was conflated";
  EXPECT_TRUE(WaitForMetric(
      [&] { return SumMetric(MetricsPage(broker), "plaza_conflated_messages_total") > 0; }));
}

}  // namespace
}  // namespace plaza::testing
