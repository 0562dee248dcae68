// A test bench for the sans-I/O Shard: a fake host that records what the
// shard asks of it, and helpers that speak MQTT packets to the shard and
// decode what it answers -- every protocol rule tested without a socket.
#ifndef PLAZA_TESTS_BROKER_SHARD_FIXTURE_H_
#define PLAZA_TESTS_BROKER_SHARD_FIXTURE_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
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
    std::string input;
  };

  void WantWrite(ConnId) override {}
  void Close(ConnId id) override { closes.push_back(id); }
  void Handoff(ConnId id, size_t target, std::string input) override {
    handoffs.push_back({id, target, std::move(input)});
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

class ShardTest : public ::testing::Test {
 protected:
  explicit ShardTest(size_t index = 0, size_t count = 1) : index_(index), count_(count) {}

  Shard& shard() {
    if (!shard_) shard_ = std::make_unique<Shard>(index_, count_, limits_, &host_);
    return *shard_;
  }

  ConnId Open() {
    const ConnId id = ++next_id_;
    shard().OnOpen(id, "test:" + std::to_string(id));
    return id;
  }

  void Send(ConnId id, const mqtt::Packet& packet) {
    std::string bytes;
    mqtt::Encode(packet, &bytes);
    shard().OnBytes(id, bytes);
  }

  void SendRaw(ConnId id, std::string_view bytes) { shard().OnBytes(id, bytes); }

  // Everything the shard queued for `id` since the last call, decoded.
  std::vector<mqtt::Packet> Received(ConnId id) {
    std::vector<mqtt::Packet> packets;
    OutputQueue* queue = shard().Output(id);
    if (!queue) return packets;
    buffers_.push_back(queue->Concatenate());
    queue->Consume(queue->bytes());
    std::string_view rest = buffers_.back();
    while (!rest.empty()) {
      mqtt::DecodeResult result = mqtt::Decode(rest, 1 << 28);
      EXPECT_EQ(result.status, mqtt::DecodeStatus::kOk) << result.error;
      if (result.status != mqtt::DecodeStatus::kOk) break;
      packets.push_back(result.packet);
      rest.remove_prefix(result.consumed);
    }
    return packets;
  }

  // The PUBLISH packets among Received(id).
  std::vector<mqtt::Publish> Publishes(ConnId id) {
    std::vector<mqtt::Publish> out;
    for (const mqtt::Packet& packet : Received(id)) {
      if (const auto* p = std::get_if<mqtt::Publish>(&packet)) out.push_back(*p);
    }
    return out;
  }

  // Completes the closes the shard asked for, as the network loop would.
  void CompleteCloses() {
    while (!host_.closes.empty()) {
      std::vector<ConnId> closes;
      closes.swap(host_.closes);
      for (ConnId id : closes) {
        closed_.push_back(id);
        shard().OnClosed(id);
      }
    }
  }

  bool WasClosed(ConnId id) {
    CompleteCloses();
    return std::find(closed_.begin(), closed_.end(), id) != closed_.end();
  }

  mqtt::Connect MakeConnect(std::string_view client_id, bool clean = true,
                            uint16_t keep_alive = 60) {
    mqtt::Connect connect;
    connect.protocol_name = "MQTT";
    connect.protocol_level = mqtt::kProtocolLevel311;
    connect.client_id = client_id;
    connect.clean_session = clean;
    connect.keep_alive = keep_alive;
    return connect;
  }

  // Opens a connection and completes CONNECT; returns the CONNACK.
  mqtt::Connack ConnectWith(ConnId id, const mqtt::Connect& connect) {
    Send(id, connect);
    std::vector<mqtt::Packet> packets = Received(id);
    EXPECT_FALSE(packets.empty());
    if (packets.empty()) return {};
    const auto* connack = std::get_if<mqtt::Connack>(&packets.front());
    EXPECT_NE(connack, nullptr);
    return connack ? *connack : mqtt::Connack{};
  }

  ConnId Connect(std::string_view client_id, bool clean = true, uint16_t keep_alive = 60) {
    const ConnId id = Open();
    const mqtt::Connack connack = ConnectWith(id, MakeConnect(client_id, clean, keep_alive));
    EXPECT_EQ(connack.return_code, mqtt::ConnectReturnCode::kAccepted);
    return id;
  }

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
    mqtt::Publish publish;
    publish.topic = topic;
    publish.payload = payload;
    publish.qos = qos;
    publish.retain = retain;
    publish.packet_id = qos > 0 ? (packet_id ? packet_id : ++next_packet_id_) : 0;
    Send(id, publish);
  }

  Limits limits_;
  FakeHost host_;

 private:
  size_t index_;
  size_t count_;
  std::unique_ptr<Shard> shard_;
  ConnId next_id_ = 0;
  uint16_t next_packet_id_ = 0;
  std::deque<std::string> buffers_;  // keeps decoded packets' bytes alive
  std::vector<ConnId> closed_;
};

}  // namespace plaza::broker::testing

#endif  // PLAZA_TESTS_BROKER_SHARD_FIXTURE_H_
