// The two client libraries the integration tests drive the broker with,
// behind one small interface: Paho MQTT C++ (its synchronous client, whose
// network threads are Paho's own) and libmosquitto (looped by hand on the
// test's thread, no library thread at all). Both speak MQTT 3.1.1, connect
// to 127.0.0.1 and report what they received as a Received value, so a test
// asserts on topic, payload, QoS and retain flag the same way for both.
#ifndef PLAZA_TESTS_BROKER_MQTT_TEST_CLIENTS_H_
#define PLAZA_TESTS_BROKER_MQTT_TEST_CLIENTS_H_

#include <deque>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "broker_process.h"
#include "raw_mqtt_client.h"

struct mosquitto;
struct mosquitto_message;

namespace mqtt {
class client;
}  // namespace mqtt

namespace plaza::testing {

// A message as a subscriber saw it.
struct Received {
  std::string topic;
  std::string payload;
  int qos = 0;
  bool retain = false;
  bool dup = false;

  bool operator==(const Received&) const = default;
};
void PrintTo(const Received& message, std::ostream* out);

// Shorthand for expected messages: {topic, payload, qos, retain}.
Received Msg(std::string topic, std::string payload, int qos = 0, bool retain = false);

// The messages with DUP cleared. For messages queued across a reconnect: had
// the broker sent one before it saw the old connection end, it re-sends it
// with DUP set, which is correct too.
std::vector<Received> IgnoringDup(std::vector<Received> messages);

// A Paho C++ synchronous client with its incoming messages queued. Messages
// are copied out on Paho's own thread (a callback, not Paho's consumer
// queue), so no Paho object is shared between threads: Paho is not built
// with ThreadSanitizer, which would report its reference counting as races.
class PahoClient {
 public:
  PahoClient(uint16_t port, std::string client_id);
  ~PahoClient();  // DISCONNECTs if still connected
  PahoClient(const PahoClient&) = delete;
  PahoClient& operator=(const PahoClient&) = delete;

  bool Connect(bool clean_session = true, const Will* will = nullptr, int keep_alive_s = 60);
  bool session_present() const { return session_present_; }
  // The granted QoS (0x80 for a refusal), or -1 on error.
  int Subscribe(const std::string& filter, int qos);
  // Waits for the UNSUBACK.
  bool Unsubscribe(const std::string& filter);
  // Returns once the QoS flow is complete (PUBACK or PUBCOMP received).
  bool Publish(const std::string& topic, std::string_view payload, int qos = 0,
               bool retain = false);
  std::optional<Received> Receive(milliseconds timeout = kWait);
  bool Disconnect();
  const std::string& error() const { return error_; }

 private:
  class Listener;

  std::unique_ptr<Listener> listener_;  // outlives client_, which calls it
  std::unique_ptr<mqtt::client> client_;
  std::string error_;
  bool session_present_ = false;
};

// A libmosquitto client, driven with mosquitto_loop() by whoever waits on it.
class MosqClient {
 public:
  explicit MosqClient(uint16_t port, std::string client_id = "", bool clean_session = true);
  ~MosqClient();  // no DISCONNECT: call Disconnect() for a normal close
  MosqClient(const MosqClient&) = delete;
  MosqClient& operator=(const MosqClient&) = delete;

  // Before Connect().
  bool SetWill(const Will& will);
  bool SetCredentials(const std::string& username, const std::string& password = "");
  // Waits for the CONNACK; true if it accepted the connection.
  bool Connect(int keep_alive_s = 60);
  bool session_present() const { return session_present_; }
  int Subscribe(const std::string& filter, int qos);
  // Waits for the UNSUBACK.
  bool Unsubscribe(const std::string& filter);
  // Returns once the QoS flow is complete (or, for QoS 0, the packet is sent).
  bool Publish(const std::string& topic, std::string_view payload, int qos = 0,
               bool retain = false);
  std::optional<Received> Receive(milliseconds timeout = kWait);
  // Sends DISCONNECT and waits for the socket to close.
  bool Disconnect();
  // Drops the connection without DISCONNECT (shutdown of the socket): an
  // abnormal close, as when the client's process dies.
  void Kill();
  const std::string& error() const { return error_; }

 private:
  static void OnConnect(mosquitto*, void* self, int rc, int flags);
  static void OnSubscribe(mosquitto*, void* self, int mid, int count, const int* granted);
  static void OnPublish(mosquitto*, void* self, int mid);
  static void OnUnsubscribe(mosquitto*, void* self, int mid);
  static void OnMessage(mosquitto*, void* self, const mosquitto_message* message);
  static void OnDisconnect(mosquitto*, void* self, int rc);
  // Loops the client until `done` or the timeout; false on timeout or loss.
  template <typename Done>
  bool LoopUntil(Done done, milliseconds timeout = kWait);

  mosquitto* mosq_ = nullptr;
  uint16_t port_;
  std::string error_;
  std::optional<int> connack_;
  bool session_present_ = false;
  bool disconnected_ = false;
  int last_mid_ = -1;
  int granted_ = -1;
  std::vector<int> completed_mids_;
  std::deque<Received> messages_;
};

// Receives until a message with payload `last` (included) or the timeout;
// everything received, so a test compares it with the whole expectation.
template <typename Client>
std::vector<Received> ReceiveUntil(Client& client, std::string_view last,
                                   milliseconds timeout = kWait) {
  std::vector<Received> received;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    std::optional<Received> message = client.Receive(left);
    if (!message) break;
    received.push_back(std::move(*message));
    if (received.back().payload == last) break;
  }
  return received;
}

// Receives `count` messages or as many as arrive before the timeout.
template <typename Client>
std::vector<Received> ReceiveCount(Client& client, size_t count, milliseconds timeout = kWait) {
  std::vector<Received> received;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (received.size() < count) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    std::optional<Received> message = client.Receive(left);
    if (!message) break;
    received.push_back(std::move(*message));
  }
  return received;
}

}  // namespace plaza::testing

#endif  // PLAZA_TESTS_BROKER_MQTT_TEST_CLIENTS_H_
