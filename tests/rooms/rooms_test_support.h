// What the rooms plugin's integration tests share: a broker running the
// plugin with a given config, decoding the plugin's payloads (protobuf or
// JSON), and waiting for the presence event or member snapshot a test
// expects among what a client receives.
#ifndef PLAZA_TESTS_ROOMS_ROOMS_TEST_SUPPORT_H_
#define PLAZA_TESTS_ROOMS_ROOMS_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker_process.h"
#include "mqtt_test_clients.h"
#include "plaza/room/v1/room.pb.h"
#include "raw_mqtt_client.h"

namespace plaza::testing {

// A broker YAML that loads the rooms plugin with `plugin_config` (YAML
// lines, indented as under `config:`), followed by `extra` top-level YAML.
std::string RoomsBrokerYaml(const std::string& plugin_config, const std::string& extra = "");

// Starts `broker` with the rooms plugin, two workers and a metrics listener;
// waits for the plugin's start line.
::testing::AssertionResult StartRoomsBroker(BrokerProcess& broker, const std::string& plugin_config,
                                            const std::string& extra = "");

// A Paho client "watcher" subscribed to `filter` at QoS 1, or null (with the
// reason in the test's failure) if it could not connect and subscribe.
std::unique_ptr<PahoClient> Watcher(uint16_t port, const std::string& filter);

// Decodes a payload of the plugin: JSON if it starts with '{', else protobuf.
bool DecodePayload(const std::string& payload, google::protobuf::Message* message);

// The user ids of a snapshot's members, in its order.
std::vector<std::string> UserIds(const room::v1::RoomMembers& members);

// Receives until a message on `topic` decodes into a T for which `accept`
// holds; every message received on the way is appended to *seen (if set).
template <typename T, typename Client>
std::optional<T> ReceiveMatching(Client& client, const std::string& topic,
                                 const std::function<bool(const T&)>& accept,
                                 std::vector<Received>* seen = nullptr,
                                 milliseconds timeout = kWait) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    std::optional<Received> message = client.Receive(left);
    if (!message) return std::nullopt;
    if (seen) seen->push_back(*message);
    if (message->topic != topic) continue;
    T decoded;
    if (DecodePayload(message->payload, &decoded) && accept(decoded)) return decoded;
  }
}

// A presence event of `kind` about `user_id` in `room`.
template <typename Client>
bool WaitForPresence(Client& client, const std::string& room, const std::string& user_id,
                     room::v1::PresenceEvent::Kind kind, std::vector<Received>* seen = nullptr) {
  return ReceiveMatching<room::v1::PresenceEvent>(
             client, "rooms/" + room + "/server/presence",
             [&](const room::v1::PresenceEvent& e) {
               return e.kind() == kind && e.member().user_id() == user_id;
             },
             seen)
      .has_value();
}

// A member snapshot of `room` listing exactly `user_ids` (in join order).
template <typename Client>
std::optional<room::v1::RoomMembers> WaitForMembers(Client& client, const std::string& room,
                                                    const std::vector<std::string>& user_ids) {
  return ReceiveMatching<room::v1::RoomMembers>(
      client, "rooms/" + room + "/server/members",
      [&](const room::v1::RoomMembers& m) { return UserIds(m) == user_ids; });
}

// The presence events among `messages`, as "joined:user" / "left:user".
std::vector<std::string> PresenceLog(const std::vector<Received>& messages);

// Polls `condition` every 100 ms (each poll may fetch the metrics page)
// until it holds or `timeout` passes.
bool WaitForMetric(const std::function<bool()>& condition, milliseconds timeout = kWait);

// An MQTT 3.1.1 subscriber that falls behind on purpose: a socket with a
// 4 KiB receive buffer that reads nothing until ReadAll.
class SlowSubscriber {
 public:
  SlowSubscriber() = default;
  ~SlowSubscriber();
  SlowSubscriber(const SlowSubscriber&) = delete;
  SlowSubscriber& operator=(const SlowSubscriber&) = delete;

  // Connects and sends CONNECT and SUBSCRIBE (QoS 0) without reading the
  // answers.
  bool Connect(uint16_t port, const std::string& client_id, const std::string& filter);
  // Reads until nothing arrives for `idle`; the PUBLISH packets, in order.
  std::vector<raw::PublishFields> ReadAll(milliseconds idle);

 private:
  int fd_ = -1;
};

}  // namespace plaza::testing

#endif  // PLAZA_TESTS_ROOMS_ROOMS_TEST_SUPPORT_H_
