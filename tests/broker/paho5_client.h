// Paho MQTT C++ in MQTT 5 mode for the integration tests: CONNECT options and
// the CONNACK's properties, subscription options and identifiers, PUBLISH
// properties and the PUBACK/PUBREC reason code, and received messages with
// every property a broker forwards. Like PahoClient (mqtt_test_clients.h),
// messages are copied out on Paho's own thread, so no Paho object is shared
// between threads, and errors are returned, never thrown.
#ifndef PLAZA_TESTS_BROKER_PAHO5_CLIENT_H_
#define PLAZA_TESTS_BROKER_PAHO5_CLIENT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "broker_process.h"

namespace mqtt {
class async_client;
class properties;
}  // namespace mqtt

namespace plaza::testing {

using StringPairs = std::vector<std::pair<std::string, std::string>>;

// A message as an MQTT 5 subscriber saw it.
struct Received5 {
  std::string topic;
  std::string payload;
  int qos = 0;
  bool retain = false;
  bool dup = false;
  std::optional<int> payload_format;
  std::optional<std::string> content_type;
  std::optional<std::string> response_topic;
  std::optional<std::string> correlation_data;
  StringPairs user_properties;  // in order
  std::optional<uint32_t> message_expiry;
  std::vector<uint32_t> subscription_ids;
};

// What a PUBLISH carries besides topic, payload, QoS and retain.
struct Properties5 {
  std::optional<int> payload_format;
  std::optional<std::string> content_type;
  std::optional<std::string> response_topic;
  std::optional<std::string> correlation_data;
  StringPairs user_properties;
  std::optional<uint32_t> message_expiry;
};

struct Will5 {
  std::string topic;
  std::string payload;
  int qos = 0;
  uint32_t delay_s = 0;  // Will Delay Interval
};

struct Connect5 {
  bool clean_start = true;
  std::optional<uint32_t> session_expiry;
  std::optional<uint16_t> receive_maximum;
  std::optional<uint32_t> maximum_packet_size;
  int keep_alive_s = 60;
  std::optional<Will5> will;
};

// The CONNACK as the client saw it.
struct Connack5 {
  bool session_present = false;
  std::optional<int> server_keep_alive;
  std::optional<std::string> assigned_client_id;
  std::optional<int> shared_subscription_available;
  std::optional<int> subscription_identifiers_available;
  std::optional<int> receive_maximum;
  std::optional<uint32_t> maximum_packet_size;
};

// Subscription options (MQTT 5 section 3.8.3.1).
struct SubOptions5 {
  bool no_local = false;
  bool retain_as_published = false;
  int retain_handling = 0;
  uint32_t subscription_id = 0;  // 0 for none
};

class Paho5Client {
 public:
  // An empty `client_id` asks the broker to assign one.
  Paho5Client(uint16_t port, std::string client_id);
  ~Paho5Client();  // DISCONNECTs if still connected
  Paho5Client(const Paho5Client&) = delete;
  Paho5Client& operator=(const Paho5Client&) = delete;

  bool Connect(const Connect5& options = {});
  const Connack5& connack() const { return connack_; }
  // The SUBACK reason code, or -1 on error.
  int Subscribe(const std::string& filter, int qos, const SubOptions5& options = {});
  bool Unsubscribe(const std::string& filter);
  // Waits for the QoS flow; the PUBACK or PUBREC reason code (0 for QoS 0),
  // or -1 on error.
  int Publish(const std::string& topic, const std::string& payload, int qos = 0,
              bool retain = false, const Properties5& properties = {});
  std::optional<Received5> Receive(milliseconds timeout = kWait);
  // DISCONNECT with `reason_code` (0x04 asks for the will).
  bool Disconnect(int reason_code = 0);
  // True once the broker closed the connection.
  bool WaitForLoss(milliseconds timeout = kWait);
  const std::string& error() const { return error_; }

 private:
  class Listener;

  std::unique_ptr<Listener> listener_;  // outlives client_, which calls it
  std::unique_ptr<::mqtt::async_client> client_;
  Connack5 connack_;
  std::string error_;
};

// Connects every client at once, each from a thread of its own: Paho C
// starts a connect made while another of its clients is connected only ~2 s
// later, so tests connect their Paho clients together. False if any failed
// (its error() says why).
bool ConnectAll(const std::vector<Paho5Client*>& clients, const Connect5& options = {});

// Receives `count` messages or as many as arrive before the timeout.
std::vector<Received5> ReceiveCount(Paho5Client& client, size_t count,
                                    milliseconds timeout = kWait);

}  // namespace plaza::testing

#endif  // PLAZA_TESTS_BROKER_PAHO5_CLIENT_H_
