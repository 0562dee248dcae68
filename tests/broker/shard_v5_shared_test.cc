// Shared subscriptions in the shard: one member per message, round-robin,
// across shards; the share name's syntax and No Local as protocol errors; no
// retained messages; members that leave, go offline, fill up or end their
// session (MQTT 5 section 4.8.2); 3.1.1 clients as members; plugins see
// the group.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "shard_v5_fixture.h"

namespace plaza::broker::testing {
namespace {

using mqtt::ReasonCode;

class ShardSharedTest : public ShardV5Test {
 protected:
  // How many PUBLISH packets each connection has received since last asked.
  std::map<ConnId, size_t> Counts(const std::vector<ConnId>& ids) {
    std::map<ConnId, size_t> counts;
    for (ConnId id : ids) counts[id] = ReceivedOf<mqtt::Publish>(id).size();
    return counts;
  }

  // A client that keeps its session for `expiry` seconds.
  static mqtt::Connect Lasting(std::string_view client_id, uint32_t expiry = 1000) {
    mqtt::Connect connect = MakeConnect(client_id, false);
    connect.properties.session_expiry_interval = expiry;
    return connect;
  }
};

TEST_F(ShardSharedTest, EachMessageGoesToOneMemberInTurn) {
  const ConnId a = Connect("a");
  const ConnId b = Connect("b");
  const ConnId c = Connect("c");
  for (ConnId id : {a, b, c}) ASSERT_EQ(Subscribe(id, {"$share/g/jobs/+", 0}), 0);
  const ConnId plain = Connect("plain");
  ASSERT_EQ(Subscribe(plain, {"jobs/+", 0}), 0);
  const ConnId pub = Connect("pub");
  std::vector<ConnId> order;
  for (int i = 0; i < 6; ++i) {
    Publish(pub, "jobs/x", std::to_string(i));
    for (ConnId id : {a, b, c}) {
      auto got = ReceivedOf<mqtt::Publish>(id);
      ASSERT_LE(got.size(), 1u);
      if (!got.empty()) {
        EXPECT_EQ(got[0].topic, "jobs/x");
        EXPECT_EQ(got[0].payload, std::to_string(i));
        order.push_back(id);
      }
    }
  }
  // Round-robin: a, b, c, a, b, c (in the order they joined).
  EXPECT_EQ(order, (std::vector<ConnId>{a, b, c, a, b, c}));
  // An ordinary subscription still gets every message.
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(plain).size(), 6u);
  // Two groups on one topic each get every message once.
  const ConnId other = Connect("other");
  ASSERT_EQ(Subscribe(other, {"$share/h/jobs/#", 0}), 0);
  Publish(pub, "jobs/y", "both");
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(other).size(), 1u);
  auto counts = Counts({a, b, c});
  EXPECT_EQ(counts[a] + counts[b] + counts[c], 1u);
}

TEST_F(ShardSharedTest, MembersGetTheirGrantedQosAndSubscriptionIdentifier) {
  const ConnId a = Connect("a");
  ASSERT_EQ(Subscribe(a, {"$share/g/t", 1}, 42), 1);
  const ConnId pub = Connect("pub");
  Publish(pub, "t", "x", 2);
  auto got = ReceivedOf<mqtt::Publish>(a);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].qos, 1);  // [MQTT-4.8.2-3]
  EXPECT_EQ(got[0].properties.subscription_identifiers.ToVector(), (std::vector<uint32_t>{42}));
}

TEST_F(ShardSharedTest, NoRetainedMessagesOnASharedSubscription) {
  const ConnId pub = Connect("pub");
  Publish(pub, "r/1", "kept", 0, true);
  const ConnId a = Connect("a");
  ASSERT_EQ(Subscribe(a, {"$share/g/r/#", 0}), 0);
  EXPECT_TRUE(ReceivedOf<mqtt::Publish>(a).empty());
  // Messages published afterwards arrive with retain 0.
  Publish(pub, "r/1", "again", 0, true);
  auto got = ReceivedOf<mqtt::Publish>(a);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].retain);
}

TEST_F(ShardSharedTest, NoLocalOnASharedSubscriptionIsAProtocolError) {
  const ConnId a = Connect("a");
  mqtt::SubscribeFilter filter{"$share/g/t", 0};
  filter.no_local = true;
  Send(a, mqtt::Subscribe{1, {{"ok", 0}, filter}});
  // No SUBACK: the whole packet is refused.
  const std::vector<mqtt::Packet> packets = Received(a);
  ASSERT_EQ(packets.size(), 1u);
  const auto* disconnect = std::get_if<mqtt::Disconnect>(&packets[0]);
  ASSERT_NE(disconnect, nullptr);
  EXPECT_EQ(disconnect->reason_code, ReasonCode::kProtocolError);
  EXPECT_TRUE(WasClosed(a));
  EXPECT_EQ(shard().stats().protocol_errors, 1u);
}

TEST_F(ShardSharedTest, MalformedShareNamesAreInvalidFilters) {
  const ConnId a = Connect("a");
  for (const char* filter :
       {"$share/g", "$share//t", "$share/g+/t", "$share/g#/t", "$share/+/t", "$share/g/a/#/b"}) {
    EXPECT_EQ(Subscribe(a, {filter, 0}), 0x8F) << filter;
  }
  const ConnId old = Connect("old", mqtt::kProtocolLevel311);
  Send(old, mqtt::Subscribe{1, {{"$share/g", 0}}});
  auto subacks = ReceivedOf<mqtt::Suback>(old);
  ASSERT_EQ(subacks.size(), 1u);
  EXPECT_EQ(subacks[0].return_codes, (std::vector<uint8_t>{0x80}));
  EXPECT_FALSE(WasClosed(a));
}

TEST_F(ShardSharedTest, ThreeOneOneClientsMayBeMembers) {
  const ConnId old = Connect("old", mqtt::kProtocolLevel311);
  Send(old, mqtt::Subscribe{1, {{"$share/g/t", 1}}});
  auto subacks = ReceivedOf<mqtt::Suback>(old);
  ASSERT_EQ(subacks.size(), 1u);
  EXPECT_EQ(subacks[0].return_codes, (std::vector<uint8_t>{1}));
  const ConnId five = Connect("five");
  ASSERT_EQ(Subscribe(five, {"$share/g/t", 1}), 1);
  const ConnId pub = Connect("pub");
  Publish(pub, "t", "one", 1);
  Publish(pub, "t", "two", 1);
  auto got_old = ReceivedOf<mqtt::Publish>(old);
  auto got_five = ReceivedOf<mqtt::Publish>(five);
  ASSERT_EQ(got_old.size(), 1u);
  ASSERT_EQ(got_five.size(), 1u);
  EXPECT_EQ(got_old[0].payload, "one");
  EXPECT_EQ(got_five[0].payload, "two");
}

TEST_F(ShardSharedTest, UnsubscribeLeavesTheGroup) {
  const ConnId a = Connect("a");
  const ConnId b = Connect("b");
  for (ConnId id : {a, b}) ASSERT_EQ(Subscribe(id, {"$share/g/t", 0}), 0);
  EXPECT_EQ(shard().shared_group_count(), 1u);
  Send(a, mqtt::Unsubscribe{2, {"$share/g/t"}});
  auto unsubacks = ReceivedOf<mqtt::Unsuback>(a);
  ASSERT_EQ(unsubacks.size(), 1u);
  EXPECT_EQ(unsubacks[0].reason_codes, (std::vector<ReasonCode>{ReasonCode::kSuccess}));
  const ConnId pub = Connect("pub");
  for (int i = 0; i < 3; ++i) Publish(pub, "t", "x");
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(a).size(), 0u);
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(b).size(), 3u);
  // The last member gone, the group is gone.
  Send(b, mqtt::Disconnect{});
  CompleteCloses();
  EXPECT_EQ(shard().shared_group_count(), 0u);
}

TEST_F(ShardSharedTest, PluginsSeeTheGroupAndTheBareFilter) {
  ScriptedHooks hooks;
  hooks_ = &hooks;
  const ConnId a = Connect("a");
  ASSERT_EQ(Subscribe(a, {"$share/workers/jobs/#", 1}), 1);
  EXPECT_EQ(hooks.last_group, "workers");
  EXPECT_EQ(hooks.last_filter, "jobs/#");
  hooks.subscribe.verdict = HookVerdict::kDeny;
  hooks.subscribe.reason_code = 0x87;
  EXPECT_EQ(Subscribe(a, {"$share/other/jobs/#", 1}), 0x87);
}

TEST_F(ShardSharedTest, OfflineMembersAreSkippedWhileOthersAreConnected) {
  const ConnId a = Connect(Lasting("a"));
  const ConnId b = Connect("b");
  for (ConnId id : {a, b}) ASSERT_EQ(Subscribe(id, {"$share/g/t", 1}), 1);
  Send(a, mqtt::Disconnect{});
  CompleteCloses();
  const ConnId pub = Connect("pub");
  for (int i = 0; i < 4; ++i) Publish(pub, "t", std::to_string(i), 1);
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(b).size(), 4u);
  // Back: its session holds nothing, and it is in the rotation again.
  const ConnId again = Open();
  ASSERT_TRUE(ConnectWith(again, Lasting("a")).session_present);
  EXPECT_TRUE(ReceivedOf<mqtt::Publish>(again).empty());
  for (int i = 0; i < 2; ++i) Publish(pub, "t", "back", 1);
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(again).size(), 1u);
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(b).size(), 1u);
}

TEST_F(ShardSharedTest, WithNobodyConnectedAMemberSessionKeepsQos1) {
  const ConnId a = Connect(Lasting("a"));
  ASSERT_EQ(Subscribe(a, {"$share/g/t", 1}), 1);
  Send(a, mqtt::Disconnect{});
  CompleteCloses();
  const ConnId pub = Connect("pub");
  Publish(pub, "t", "kept", 1);
  Publish(pub, "t", "lost", 0);  // QoS 0 is not kept for offline sessions
  const ConnId again = Open();
  ASSERT_TRUE(ConnectWith(again, Lasting("a")).session_present);
  auto got = ReceivedOf<mqtt::Publish>(again);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "kept");
}

TEST_F(ShardSharedTest, UnsentMessagesMoveToAnotherMemberOnDisconnect) {
  mqtt::Connect slow = Lasting("a");
  slow.properties.receive_maximum = 1;  // one in flight, the rest queued
  const ConnId a = Connect(slow);
  const ConnId b = Connect("b");
  for (ConnId id : {a, b}) ASSERT_EQ(Subscribe(id, {"$share/g/t", 1}), 1);
  const ConnId pub = Connect("pub");
  for (int i = 1; i <= 4; ++i) Publish(pub, "t", std::to_string(i), 1);
  auto got_a = ReceivedOf<mqtt::Publish>(a);
  ASSERT_EQ(got_a.size(), 1u);  // "1" in flight, "3" queued behind it
  EXPECT_EQ(got_a[0].payload, "1");
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(b).size(), 2u);  // "2", "4"
  Send(a, mqtt::Disconnect{});
  CompleteCloses();
  // "3" was never sent to a: b gets it now.
  auto got_b = ReceivedOf<mqtt::Publish>(b);
  ASSERT_EQ(got_b.size(), 1u);
  EXPECT_EQ(got_b[0].payload, "3");
  // "1" stays with a's session, re-sent when it is back.
  const ConnId again = Open();
  ASSERT_TRUE(ConnectWith(again, slow).session_present);
  got_a = ReceivedOf<mqtt::Publish>(again);
  ASSERT_EQ(got_a.size(), 1u);
  EXPECT_EQ(got_a[0].payload, "1");
  EXPECT_TRUE(got_a[0].dup);
}

TEST_F(ShardSharedTest, WhenTheSessionEndsQos1GoesToAnotherMemberButQos2DoesNot) {
  const ConnId a = Connect("a");  // session ends with the connection
  const ConnId b = Connect("b");
  for (ConnId id : {a, b}) ASSERT_EQ(Subscribe(id, {"$share/g/t", 2}), 2);
  const ConnId pub = Connect("pub");
  Publish(pub, "t", "one", 1);    // to a
  Publish(pub, "t", "two", 1);    // to b
  Publish(pub, "t", "three", 2);  // to a
  Publish(pub, "t", "four", 2);   // to b
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(a).size(), 2u);
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(b).size(), 2u);
  // a drops without acknowledging anything.
  shard().OnClosed(a);
  Pump();
  auto got = ReceivedOf<mqtt::Publish>(b);
  ASSERT_EQ(got.size(), 1u);  // "one" again; "three" must not be [MQTT-4.8.2-5]
  EXPECT_EQ(got[0].payload, "one");
  EXPECT_EQ(got[0].qos, 1);
}

TEST_F(ShardSharedTest, AMemberWithAFullQueueIsSkipped) {
  limits_.max_queued_bytes = 1024;
  const ConnId a = Connect("a");
  const ConnId b = Connect("b");
  for (ConnId id : {a, b}) ASSERT_EQ(Subscribe(id, {"$share/g/t", 0}), 0);
  const ConnId pub = Connect("pub");
  // a does not read (b does): once its output passes the limit it is
  // skipped.
  const std::string payload(600, 'x');
  size_t to_b = 0;
  for (int i = 0; i < 10; ++i) {
    Publish(pub, "t", payload);
    to_b += ReceivedOf<mqtt::Publish>(b).size();
  }
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(a).size(), 2u);
  EXPECT_EQ(to_b, 8u);
  EXPECT_EQ(shard().stats().qos0_dropped, 0u);
}

TEST_F(ShardSharedTest, WhenEveryMemberIsFullTheUsualPolicyApplies) {
  limits_.max_queued_bytes = 1024;
  const ConnId a = Connect("a");
  ASSERT_EQ(Subscribe(a, {"$share/g/t", 0}), 0);
  const ConnId pub = Connect("pub");
  for (int i = 0; i < 4; ++i) Publish(pub, "t", std::string(600, 'x'));
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(a).size(), 2u);
  EXPECT_EQ(shard().stats().qos0_dropped, 2u);
}

class ShardSharedAcrossShardsTest : public ShardSharedTest {
 protected:
  ShardSharedAcrossShardsTest() { shard_count_ = 3; }
};

TEST_F(ShardSharedAcrossShardsTest, EveryMessageReachesExactlyOneMember) {
  // Members spread over the shards, publishers too.
  std::vector<ConnId> members;
  std::set<size_t> member_shards;
  for (const char* id : {"m1", "m2", "m3", "m4", "m5", "m6"}) {
    members.push_back(Connect(id));
    member_shards.insert(Shard::ShardFor(id, shard_count_));
    ASSERT_EQ(Subscribe(members.back(), {"$share/g/pose/#", 1}), 1);
  }
  ASSERT_GE(member_shards.size(), 2u);
  std::vector<ConnId> publishers;
  for (const char* id : {"p1", "p2", "p3", "p4"}) publishers.push_back(Connect(id));
  std::map<std::string, int> seen;
  for (int i = 0; i < 60; ++i) {
    Publish(publishers[i % publishers.size()], "pose/" + std::to_string(i % 5), std::to_string(i),
            i % 2);
  }
  std::map<ConnId, size_t> per_member;
  for (ConnId id : members) {
    for (const mqtt::Publish& p : ReceivedOf<mqtt::Publish>(id)) {
      ++seen[std::string(p.payload)];
      ++per_member[id];
    }
  }
  for (int i = 0; i < 60; ++i) EXPECT_TRUE(seen.contains(std::to_string(i))) << i;
  ASSERT_EQ(seen.size(), 60u);
  for (const auto& [payload, count] : seen) EXPECT_EQ(count, 1) << payload;
  // Round-robin at the home: every member gets its tenth.
  for (ConnId id : members) EXPECT_EQ(per_member[id], 10u);
}

TEST_F(ShardSharedAcrossShardsTest, AMemberGoneOnItsShardIsRetriedElsewhere) {
  // Two members on different shards, neither of them the group's home.
  const size_t home = Shard::ShardFor("$share/g/t", shard_count_);
  std::string ids[2];
  for (int n = 0, found = 0; found < 2; ++n) {
    const std::string id = "m" + std::to_string(n);
    const size_t on = Shard::ShardFor(id, shard_count_);
    if (on != home && (found == 0 || on != Shard::ShardFor(ids[0], shard_count_))) {
      ids[found++] = id;
    }
  }
  const ConnId a = Connect(ids[0]);
  const ConnId b = Connect(ids[1]);
  for (ConnId id : {a, b}) ASSERT_EQ(Subscribe(id, {"$share/g/t", 1}), 1);
  const ConnId pub = Connect("p1");
  // a's session ends without the home hearing of it yet: the home still
  // picks a, a's shard sends the message back, and b gets it.
  const size_t a_shard = Shard::ShardFor(ids[0], shard_count_);
  shard(a_shard).OnClosed(a);  // not pumped: the Leave waits in the host
  auto leave = std::move(HostOf(a_shard).shared);
  HostOf(a_shard).shared.clear();
  for (int i = 0; i < 4; ++i) Publish(pub, "t", std::to_string(i), 1);
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(b).size(), 4u);
  for (auto& [target, work] : leave) shard(target).OnSharedWork(std::move(work));
  Pump();
  Publish(pub, "t", "after", 1);
  EXPECT_EQ(ReceivedOf<mqtt::Publish>(b).size(), 1u);
}

}  // namespace
}  // namespace plaza::broker::testing
