// What the ownership integration tests share: a plaza-broker running the
// membership fixture and the ownership plugin, an inbox that picks messages
// by topic from a client, and the payloads as protobuf messages.
#ifndef PLAZA_TESTS_OWNERSHIP_OWNERSHIP_TEST_ENV_H_
#define PLAZA_TESTS_OWNERSHIP_OWNERSHIP_TEST_ENV_H_

#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "broker_process.h"
#include "mqtt_test_clients.h"
#include "plaza/room/v1/items.pb.h"
#include "plaza/room/v1/room.pb.h"
#include "v5_client.h"

namespace plaza::testing {

// The broker's YAML: the membership fixture, then the ownership plugin with
// `ownership_config` (YAML lines, indented as they are).
std::string OwnershipBrokerYaml(const std::string& ownership_config = "");

// Starts `broker` with that YAML and two worker threads (and a metrics
// listener if `metrics`: it makes the broker's stop two seconds slower), and
// waits for the plugin's start line.
bool StartOwnershipBroker(BrokerProcess* broker, const std::string& ownership_config = "",
                          bool metrics = false);

// Connects `client` and joins it to room r: the membership fixture makes it
// a member. "" on success, else what went wrong.
std::string ConnectMember(V5Client& client);

// Waits until the ownership plugin's metric `name` reads `value` on the
// /metrics page of `broker` (started with metrics).
bool MetricReads(const BrokerProcess& broker, const std::string& name, const std::string& value);

// Messages from a client picked by topic: those on other topics are kept
// for later calls, in their order.
template <typename Client>
class Inbox {
 public:
  explicit Inbox(Client& client) : client_(client) {}

  std::optional<Received> Take(std::string_view topic, milliseconds timeout = kWait) {
    for (auto it = held_.begin(); it != held_.end(); ++it) {
      if (it->topic == topic) {
        Received message = std::move(*it);
        held_.erase(it);
        return message;
      }
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const auto left =
          std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      std::optional<Received> message = client_.Receive(left);
      if (!message) return std::nullopt;
      if (message->topic == topic) return message;
      held_.push_back(std::move(*message));
    }
  }

 private:
  Client& client_;
  std::deque<Received> held_;
};

plaza::room::v1::Reply ParseReply(const std::string& payload);
plaza::room::v1::ItemOwner ParseOwner(const std::string& payload);
std::string RequestPayload(const std::string& to_user_id, uint64_t epoch = 0);

// The reply topic of room `room`, and the topics of one item.
std::string ReplyTopic(const std::string& room);
std::string ItemTopic(const std::string& room, const std::string& item, const std::string& what);

}  // namespace plaza::testing

#endif  // PLAZA_TESTS_OWNERSHIP_OWNERSHIP_TEST_ENV_H_
