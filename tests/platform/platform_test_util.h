// Small waits the platform tests share: a message on a topic (with a given
// payload) among what a client receives, and an avatar pose payload that
// tells its sender apart.
#ifndef PLAZA_TESTS_PLATFORM_PLATFORM_TEST_UTIL_H_
#define PLAZA_TESTS_PLATFORM_PLATFORM_TEST_UTIL_H_

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mqtt_test_clients.h"
#include "plaza/room/v1/room.pb.h"
#include "rooms_test_support.h"

namespace plaza::testing {

// A serialized AvatarPose at x = `x_mm`, so each sender's differs.
inline std::string PoseOf(int x_mm) {
  room::v1::AvatarPose pose;
  pose.mutable_position()->set_x_mm(x_mm);
  pose.set_yaw_cdeg(9000);
  return pose.SerializeAsString();
}

// Receives until every {topic, payload} of `expected` arrived, in any
// order (true), or kWait passes; everything received goes to *seen (if
// set).
template <typename Client>
bool ReceivesAll(Client& client, std::vector<std::pair<std::string, std::string>> expected,
                 std::vector<Received>* seen = nullptr) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (!expected.empty()) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    std::optional<Received> message = client.Receive(left);
    if (!message) return false;
    if (seen) seen->push_back(*message);
    std::erase(expected, std::pair{message->topic, message->payload});
  }
  return true;
}

// The same for one message.
template <typename Client>
bool ReceivesMessage(Client& client, const std::string& topic, const std::string& payload,
                     std::vector<Received>* seen = nullptr) {
  return ReceivesAll(client, {{topic, payload}}, seen);
}

// The first message on `topic` that decodes into a T `accept`s: among
// `earlier` (messages a previous wait went past), else among what `client`
// receives next.
template <typename T, typename Client>
std::optional<T> FindOrReceive(Client& client, const std::string& topic,
                               const std::function<bool(const T&)>& accept,
                               const std::vector<Received>& earlier) {
  for (const Received& message : earlier) {
    T decoded;
    if (message.topic == topic && DecodePayload(message.payload, &decoded) && accept(decoded)) {
      return decoded;
    }
  }
  return ReceiveMatching<T>(client, topic, accept);
}

// The topics among `messages` that start with `prefix`.
inline std::vector<std::string> TopicsUnder(const std::vector<Received>& messages,
                                            const std::string& prefix) {
  std::vector<std::string> topics;
  for (const Received& message : messages) {
    if (message.topic.rfind(prefix, 0) == 0) topics.push_back(message.topic);
  }
  return topics;
}

}  // namespace plaza::testing

#endif  // PLAZA_TESTS_PLATFORM_PLATFORM_TEST_UTIL_H_
