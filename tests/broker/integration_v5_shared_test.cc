// Shared subscriptions ($share/<group>/<filter>) against the real broker with
// several worker threads: one member per message, round-robin, with Paho C++
// (MQTT 5), mosquitto_sub (5.0 and 3.1.1) and raw sockets; no retained
// messages; No Local refused; a member's unacknowledged QoS 1 message goes to
// another member when its session ends.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "broker_process.h"
#include "mosquitto_cli.h"
#include "paho5_client.h"
#include "raw_v5_packets.h"

namespace plaza::testing {
namespace {

BrokerOptions FourWorkers() { return WithArgs({"--threads", "4"}); }

TEST(V5SharedTest, PahoMembersOnEveryWorkerShareTheMessagesRoundRobin) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(FourWorkers())) << broker.error();
  std::vector<std::unique_ptr<Paho5Client>> members;
  for (int i = 0; i < 4; ++i) {
    members.push_back(std::make_unique<Paho5Client>(broker.port(), "member-" + std::to_string(i)));
  }
  Paho5Client publisher(broker.port(), "publisher");
  ASSERT_TRUE(ConnectAll(
      {members[0].get(), members[1].get(), members[2].get(), members[3].get(), &publisher}));
  for (auto& member : members) {
    EXPECT_EQ(member->connack().shared_subscription_available, 1);
    ASSERT_EQ(member->Subscribe("$share/workers/jobs/+", 1), 1) << member->error();
  }
  // QoS 0 publishing (Paho waits ~40 ms for each PUBACK); delivered at 0.
  for (int i = 0; i < 40; ++i) {
    ASSERT_EQ(publisher.Publish("jobs/" + std::to_string(i % 3), "job-" + std::to_string(i)), 0)
        << publisher.error();
  }
  std::map<std::string, int> seen;
  for (auto& member : members) {
    // Round-robin at the group's home: exactly a quarter each.
    const std::vector<Received5> got = ReceiveCount(*member, 10);
    EXPECT_EQ(got.size(), 10u) << member->error();
    for (const Received5& message : got) ++seen[message.payload];
  }
  EXPECT_EQ(seen.size(), 40u);
  for (const auto& [payload, count] : seen) EXPECT_EQ(count, 1) << payload;
  // Nothing more for anyone.
  publisher.Publish("jobs/x", "last");
  size_t last = 0;
  for (auto& member : members) {
    if (auto message = member->Receive(milliseconds(200))) {
      EXPECT_EQ(message->payload, "last");
      ++last;
    }
  }
  EXPECT_EQ(last, 1u);
}

TEST(V5SharedTest, MosquittoSubMembersOfBothVersionsShareOneGroup) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(FourWorkers())) << broker.error();
  std::string error;
  Command five, three;
  ASSERT_TRUE(StartMosquittoSub(&five, broker.port(), "mqttv5",
                                {"-t", "$share/g/cli/t", "-q", "1", "-F", "got:%p", "-C", "3"},
                                &error))
      << error;
  ASSERT_TRUE(StartMosquittoSub(&three, broker.port(), "mqttv311",
                                {"-t", "$share/g/cli/t", "-q", "1", "-F", "got:%p", "-C", "3"},
                                &error))
      << error;
  for (int i = 0; i < 6; ++i) {
    const CommandResult pub = MosquittoPub(
        broker.port(), "mqttv5", {"-t", "cli/t", "-q", "1", "-m", "m" + std::to_string(i)});
    ASSERT_EQ(pub.exit_code, 0) << pub.err;
  }
  const CommandResult got_five = five.Finish();
  const CommandResult got_three = three.Finish();
  EXPECT_EQ(got_five.exit_code, 0) << got_five.err;
  EXPECT_EQ(got_three.exit_code, 0) << got_three.err;
  const std::string all = got_five.out + got_three.out;
  EXPECT_EQ(Occurrences(got_five.out, "got:"), 3u) << got_five.out;
  EXPECT_EQ(Occurrences(got_three.out, "got:"), 3u) << got_three.out;
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(Occurrences(all, "got:m" + std::to_string(i) + "\n"), 1u) << i << "\n" << all;
  }
}

TEST(V5SharedTest, ASharedSubscriptionGetsNoRetainedMessages) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(FourWorkers())) << broker.error();
  Paho5Client publisher(broker.port(), "publisher");
  Paho5Client member(broker.port(), "member");
  ASSERT_TRUE(ConnectAll({&publisher, &member})) << publisher.error() << member.error();
  ASSERT_GE(publisher.Publish("state/door", "open", 1, true), 0) << publisher.error();
  ASSERT_EQ(member.Subscribe("$share/g/state/#", 1), 1) << member.error();
  ASSERT_EQ(publisher.Publish("state/door", "closed", 1), 0);
  // The first thing it gets is the new message, not the retained one.
  const std::optional<Received5> first = member.Receive();
  ASSERT_TRUE(first) << member.error();
  EXPECT_EQ(first->payload, "closed");
  EXPECT_FALSE(first->retain);
}

TEST(V5SharedTest, NoLocalOnASharedSubscriptionIsAProtocolError) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  raw::Client client;
  ASSERT_TRUE(client.Open(broker.port()));
  ASSERT_TRUE(client.Send(raw5::Connect("nolocal", 60)));
  ASSERT_TRUE(client.ReadPacket());
  ASSERT_TRUE(client.Send(raw5::Subscribe(1, "$share/g/t", 0x04 /* No Local */)));
  const std::optional<raw::Packet> answer = client.ReadPacket();
  ASSERT_TRUE(answer);
  const auto disconnect = raw5::ParseDisconnect(*answer);
  ASSERT_TRUE(disconnect) << "packet type " << int(answer->type);
  EXPECT_EQ(disconnect->reason_code, 0x82);
  EXPECT_TRUE(client.WaitForClose());
}

TEST(V5SharedTest, AnUnacknowledgedMessageMovesOnWhenTheMembersSessionEnds) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(FourWorkers())) << broker.error();
  // A raw member that never acknowledges, and a Paho one.
  raw::Client silent;
  ASSERT_TRUE(silent.Open(broker.port()));
  ASSERT_TRUE(silent.Send(raw5::Connect("silent", 60)));
  ASSERT_TRUE(silent.ReadPacket());
  ASSERT_TRUE(silent.Send(raw5::Subscribe(1, "$share/g/work", 1)));
  ASSERT_TRUE(silent.ReadPacket());  // SUBACK
  Paho5Client other(broker.port(), "other");
  Paho5Client publisher(broker.port(), "publisher");
  ASSERT_TRUE(ConnectAll({&other, &publisher})) << other.error() << publisher.error();
  ASSERT_EQ(other.Subscribe("$share/g/work", 1), 1) << other.error();
  ASSERT_EQ(publisher.Publish("work", "first", 1), 0);
  ASSERT_EQ(publisher.Publish("work", "second", 1), 0);
  // One each; the silent one does not acknowledge its own.
  const std::optional<raw::Packet> held = silent.ReadPacket();
  ASSERT_TRUE(held);
  const auto held_publish = raw5::ParsePublish(*held);
  ASSERT_TRUE(held_publish);
  const std::optional<Received5> taken = other.Receive();
  ASSERT_TRUE(taken) << other.error();
  EXPECT_NE(taken->payload, held_publish->payload);
  // Its connection (and session: expiry 0) ends: the other member gets it.
  silent.Close();
  const std::optional<Received5> moved = other.Receive();
  ASSERT_TRUE(moved) << other.error();
  EXPECT_EQ(moved->payload, held_publish->payload);
}

}  // namespace
}  // namespace plaza::testing
