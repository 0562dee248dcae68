// A test bench for the sans-I/O Shard: a fake host that records what the
// shard asks of it, and helpers that speak MQTT packets to the shard and
// decode what it answers -- every protocol rule tested without a socket.
// Every connection speaks the protocol level it connected with, and the
// shard may be given Hooks whose answers a test sets. A test may set
// shard_count_ for several shards, as the workers run them: a client
// connects straight to its own shard, and after each packet the messages
// and shared-subscription work between shards are passed on until there
// are none left. ShardTest (at the end) is the same bench with MQTT 3.1.1
// defaults and one shard that records, rather than passes on, what it
// sends to the others.
#ifndef PLAZA_TESTS_BROKER_SHARD_V5_FIXTURE_H_
#define PLAZA_TESTS_BROKER_SHARD_V5_FIXTURE_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "core/shard.h"
#include "mqtt/codec.h"

namespace plaza::broker::testing {

class FakeHost : public ShardHost {
 public:
  struct HandoffCall {
    ConnId id;
    size_t target;
    std::string peer;
    std::string input;
  };

  void WantWrite(ConnId) override {}
  void Close(ConnId id) override { closes.push_back(id); }
  void Handoff(ConnId id, size_t target, std::string peer, std::string input) override {
    handoffs.push_back({id, target, std::move(peer), std::move(input)});
  }
  void Broadcast(const MessagePtr& message) override { broadcasts.push_back(message); }
  void PostShared(size_t target, SharedWork work) override {
    shared.push_back({target, std::move(work)});
  }
  SubscriptionSummary* Summary() override { return summary; }
  int64_t NowMs() override { return now; }

  int64_t now = 1'000'000;
  std::vector<ConnId> closes;
  std::vector<HandoffCall> handoffs;
  std::vector<MessagePtr> broadcasts;
  std::vector<std::pair<size_t, SharedWork>> shared;
  SubscriptionSummary* summary = nullptr;
};

// Hooks that allow everything unless a test says otherwise.
class ScriptedHooks : public Hooks {
 public:
  ConnectDecision OnConnect(const ClientFacts& client, std::optional<std::string_view>) override {
    last_level = client.protocol_level;
    return connect;
  }
  SubscribeDecision OnSubscribe(const ClientFacts&, std::string_view filter, uint8_t) override {
    last_filter = std::string(filter);
    return subscribe;
  }
  SubscribeDecision OnSharedSubscribe(const ClientFacts& client, std::string_view group,
                                      std::string_view filter, uint8_t qos) override {
    last_group = std::string(group);
    return OnSubscribe(client, filter, qos);
  }
  PublishDecision OnPublish(const ClientFacts&, const MessagePtr&) override { return publish; }
  bool WantsDeliver() const override { return false; }
  DeliverDecision OnDeliver(const ClientFacts&, const MessagePtr&) override { return {}; }
  bool OnControl(const ClientFacts&, const MessagePtr&) override { return false; }
  bool Conflates(std::string_view) const override { return conflate; }
  void OnUnsubscribe(const ClientFacts&, std::string_view) override {}
  void OnDisconnect(const ClientFacts&, CloseReason, bool) override {}

  ConnectDecision connect;
  SubscribeDecision subscribe;
  PublishDecision publish;
  bool conflate = false;  // every topic
  uint8_t last_level = 0;
  std::string last_filter;  // as OnSubscribe saw it
  std::string last_group;   // as OnSharedSubscribe saw it
};

class ShardV5Test : public ::testing::Test {
 protected:
  Shard& shard(size_t index = 0) {
    if (shards_.empty() && lone_shard_) {
      shards_.push_back(std::make_unique<Shard>(0, shard_count_, limits_, &host_, hooks_));
    } else if (shards_.empty()) {
      if (shard_count_ > 1) {
        summary_ = std::make_unique<SubscriptionSummary>(shard_count_);
        host_.summary = summary_.get();
      }
      for (size_t i = 0; i < shard_count_; ++i) {
        FakeHost& host = HostOf(i);
        host.summary = host_.summary;
        shards_.push_back(std::make_unique<Shard>(i, shard_count_, limits_, &host, hooks_));
      }
    }
    return *shards_[index];
  }

  FakeHost& HostOf(size_t index) {
    while (other_hosts_.size() + 1 < shard_count_) other_hosts_.emplace_back();
    return index == 0 ? host_ : other_hosts_[index - 1];
  }

  // Opens a connection on shard `on`.
  ConnId Open(size_t on = 0) {
    const ConnId id = ++next_id_;
    shard_of_[id] = on;
    shard(on).OnOpen(id, "test:" + std::to_string(id));
    levels_[id] = default_level_;
    return id;
  }
  Shard& ShardOf(ConnId id) { return shard(shard_of_[id]); }

  uint8_t LevelOf(ConnId id) { return levels_.count(id) ? levels_[id] : mqtt::kProtocolLevel5; }

  void Send(ConnId id, const mqtt::Packet& packet) {
    std::string bytes;
    mqtt::Encode(packet, &bytes, LevelOf(id));
    ShardOf(id).OnBytes(id, bytes);
    Pump();
  }

  void SendRaw(ConnId id, std::string_view bytes) {
    ShardOf(id).OnBytes(id, bytes);
    Pump();
  }

  // Passes messages and shared-subscription work between the shards until
  // none is left: each round, a shard gets the work others posted to it,
  // then their messages (a worker keeps their exact posting order).
  void Pump() {
    if (shard_count_ == 1 || lone_shard_) return;
    for (bool busy = true; busy;) {
      busy = false;
      std::vector<std::vector<SharedWork>> work(shard_count_);
      std::vector<std::vector<MessagePtr>> messages(shard_count_);
      for (size_t from = 0; from < shard_count_; ++from) {
        FakeHost& host = HostOf(from);
        host.now = host_.now;
        for (auto& [target, item] : host.shared) work[target].push_back(std::move(item));
        for (const MessagePtr& message : host.broadcasts) {
          for (size_t to = 0; to < shard_count_; ++to) {
            if (to != from) messages[to].push_back(message);
          }
        }
        busy = busy || !host.shared.empty() || !host.broadcasts.empty();
        host.shared.clear();
        host.broadcasts.clear();
      }
      for (size_t to = 0; to < shard_count_; ++to) {
        for (SharedWork& item : work[to]) shard(to).OnSharedWork(std::move(item));
        for (const MessagePtr& message : messages[to]) shard(to).OnRemoteMessage(message);
      }
    }
  }

  // Packets not yet looked at, including those that followed a CONNACK or
  // SUBACK the helpers below consumed.
  std::vector<mqtt::Packet> Received(ConnId id) {
    std::vector<mqtt::Packet> packets = std::move(stash_[id]);
    stash_.erase(id);
    OutputQueue* queue = ShardOf(id).Output(id);
    if (!queue) return packets;
    buffers_.push_back(queue->Concatenate());
    queue->Consume(queue->bytes());
    std::string_view rest = buffers_.back();
    while (!rest.empty()) {
      mqtt::DecodeResult result = mqtt::Decode(rest, 1 << 28, LevelOf(id));
      EXPECT_EQ(result.status, mqtt::DecodeStatus::kOk) << result.error;
      if (result.status != mqtt::DecodeStatus::kOk) break;
      packets.push_back(result.packet);
      rest.remove_prefix(result.consumed);
    }
    return packets;
  }

  template <typename T>
  std::vector<T> ReceivedOf(ConnId id) {
    std::vector<T> out;
    for (const mqtt::Packet& packet : Received(id)) {
      if (const auto* p = std::get_if<T>(&packet)) out.push_back(*p);
    }
    return out;
  }

  // The PUBLISH packets among Received(id).
  std::vector<mqtt::Publish> Publishes(ConnId id) { return ReceivedOf<mqtt::Publish>(id); }

  void CompleteCloses() {
    for (bool busy = true; busy;) {
      busy = false;
      for (size_t i = 0; i < shard_count_; ++i) {
        std::vector<ConnId> closes;
        closes.swap(HostOf(i).closes);
        for (ConnId id : closes) {
          busy = true;
          closed_.push_back(id);
          shard(i).OnClosed(id);
        }
      }
      Pump();
    }
  }

  bool WasClosed(ConnId id) {
    CompleteCloses();
    return std::find(closed_.begin(), closed_.end(), id) != closed_.end();
  }

  static mqtt::Connect MakeConnect(std::string_view client_id, bool clean = true,
                                   uint8_t level = mqtt::kProtocolLevel5) {
    mqtt::Connect connect;
    connect.protocol_name = "MQTT";
    connect.protocol_level = level;
    connect.client_id = client_id;
    connect.clean_session = clean;
    connect.keep_alive = 60;
    return connect;
  }

  mqtt::Connack ConnectWith(ConnId id, const mqtt::Connect& connect) {
    levels_[id] = connect.protocol_level;
    Send(id, connect);
    std::vector<mqtt::Packet> packets = Received(id);
    EXPECT_FALSE(packets.empty());
    if (packets.empty()) return {};
    const auto* connack = std::get_if<mqtt::Connack>(&packets.front());
    EXPECT_NE(connack, nullptr);
    stash_[id].assign(packets.begin() + 1, packets.end());
    return connack ? *connack : mqtt::Connack{};
  }

  // Connects with `connect` tweaked by the caller, expecting success, on
  // the shard of its client id.
  ConnId Connect(const mqtt::Connect& connect) {
    const ConnId id = Open(Shard::ShardFor(connect.client_id, shard_count_));
    const mqtt::Connack connack = ConnectWith(id, connect);
    EXPECT_EQ(connack.reason_code, mqtt::ReasonCode::kSuccess);
    EXPECT_EQ(connack.return_code, mqtt::ConnectReturnCode::kAccepted);
    return id;
  }
  ConnId Connect(std::string_view client_id, uint8_t level = mqtt::kProtocolLevel5) {
    return Connect(MakeConnect(client_id, true, level));
  }

  // SUBSCRIBE one filter; returns the SUBACK code.
  uint8_t Subscribe(ConnId id, mqtt::SubscribeFilter filter, uint32_t subscription_id = 0,
                    uint16_t packet_id = 1) {
    mqtt::Subscribe subscribe{packet_id, {filter}};
    ids_.assign(1, subscription_id);
    if (subscription_id) subscribe.properties.subscription_identifiers = ids_;
    Send(id, subscribe);
    std::vector<mqtt::Packet> packets = Received(id);
    const mqtt::Suback* suback = nullptr;
    for (const mqtt::Packet& packet : packets) {
      if (const auto* s = std::get_if<mqtt::Suback>(&packet)) {
        suback = s;
      } else {
        stash_[id].push_back(packet);
      }
    }
    EXPECT_NE(suback, nullptr);
    if (!suback || suback->return_codes.size() != 1) return 0xFF;
    return suback->return_codes[0];
  }

  void Publish(ConnId id, std::string_view topic, std::string_view payload, uint8_t qos = 0,
               bool retain = false, mqtt::Properties props = {}, uint16_t packet_id = 0) {
    mqtt::Publish publish;
    publish.topic = topic;
    publish.payload = payload;
    publish.qos = qos;
    publish.retain = retain;
    publish.packet_id = qos > 0 ? (packet_id ? packet_id : ++next_packet_id_) : 0;
    publish.properties = props;
    Send(id, publish);
  }

  // The DISCONNECT the shard sent to `id` before closing it.
  std::optional<mqtt::Disconnect> ServerDisconnect(ConnId id) {
    auto disconnects = ReceivedOf<mqtt::Disconnect>(id);
    if (disconnects.empty()) return std::nullopt;
    return disconnects.back();
  }

  Limits limits_;
  FakeHost host_;  // shard 0's
  Hooks* hooks_ = nullptr;
  size_t shard_count_ = 1;
  // Only shard 0 of shard_count_ exists; what it sends to the others stays
  // in host_ for the test to look at.
  bool lone_shard_ = false;
  // The level of a connection until its CONNECT says otherwise.
  uint8_t default_level_ = mqtt::kProtocolLevel5;

 private:
  std::vector<std::unique_ptr<Shard>> shards_;
  std::deque<FakeHost> other_hosts_;
  std::unique_ptr<SubscriptionSummary> summary_;
  std::map<ConnId, size_t> shard_of_;
  ConnId next_id_ = 0;
  uint16_t next_packet_id_ = 0;
  std::map<ConnId, uint8_t> levels_;
  std::map<ConnId, std::vector<mqtt::Packet>> stash_;
  std::deque<std::string> buffers_;
  std::vector<ConnId> closed_;
  std::vector<uint32_t> ids_;
};

// The bench with MQTT 3.1.1 defaults: connections speak 3.1.1, and the
// helpers take 3.1.1's arguments. With a `count` above 1 the bench holds
// only shard `index` (0) of `count`.
class ShardTest : public ShardV5Test {
 protected:
  explicit ShardTest(size_t index = 0, size_t count = 1) {
    EXPECT_EQ(index, 0u) << "only shard 0 of several is supported";
    shard_count_ = count;
    lone_shard_ = count > 1;
    default_level_ = mqtt::kProtocolLevel311;
  }

  mqtt::Connect MakeConnect(std::string_view client_id, bool clean = true,
                            uint16_t keep_alive = 60) {
    mqtt::Connect connect = ShardV5Test::MakeConnect(client_id, clean, mqtt::kProtocolLevel311);
    connect.keep_alive = keep_alive;
    return connect;
  }

  ConnId Connect(std::string_view client_id, bool clean = true, uint16_t keep_alive = 60) {
    const ConnId id = Open();
    const mqtt::Connack connack = ConnectWith(id, MakeConnect(client_id, clean, keep_alive));
    EXPECT_EQ(connack.return_code, mqtt::ConnectReturnCode::kAccepted);
    return id;
  }

  // SUBSCRIBE one filter, expecting `qos` granted; the retained messages
  // that follow the SUBACK are dropped.
  void Subscribe(ConnId id, std::string_view filter, uint8_t qos, uint16_t packet_id = 1) {
    Send(id, mqtt::Subscribe{packet_id, {{filter, qos}}});
    std::vector<mqtt::Packet> packets = Received(id);
    ASSERT_FALSE(packets.empty());
    const auto* suback = std::get_if<mqtt::Suback>(&packets.front());
    ASSERT_NE(suback, nullptr);
    ASSERT_EQ(suback->return_codes.size(), 1u);
    ASSERT_EQ(suback->return_codes[0], qos);
  }

  void Publish(ConnId id, std::string_view topic, std::string_view payload, uint8_t qos = 0,
               bool retain = false, uint16_t packet_id = 0) {
    ShardV5Test::Publish(id, topic, payload, qos, retain, {}, packet_id);
  }
};

}  // namespace plaza::broker::testing

#endif  // PLAZA_TESTS_BROKER_SHARD_V5_FIXTURE_H_
