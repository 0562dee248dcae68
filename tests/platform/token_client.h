// A platform user's MQTT 5 client for the end-to-end tests: Paho MQTT C++
// signed in with a platform token (the MQTT password the auth plugin checks
// with plaza-adapter). Unlike the shared Paho clients it reports a refusing
// CONNACK's reason code (0x86, 0x88, 0x8A), each PUBACK's reason code, and
// the join Reply's user_id property. Messages are copied out on Paho's
// thread (ReceivedQueue); errors are returned, never thrown.
#ifndef PLAZA_TESTS_PLATFORM_TOKEN_CLIENT_H_
#define PLAZA_TESTS_PLATFORM_TOKEN_CLIENT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker_process.h"
#include "mqtt_test_clients.h"

namespace mqtt {
class async_client;
}  // namespace mqtt

namespace plaza::testing {

class TokenClient {
 public:
  TokenClient(uint16_t port, std::string client_id, std::string token);
  ~TokenClient();  // DISCONNECTs if still connected
  TokenClient(const TokenClient&) = delete;
  TokenClient& operator=(const TokenClient&) = delete;

  // The CONNACK reason code: 0 accepted, else the refusal; -1 if no CONNACK
  // came (error() says why).
  int Connect();
  // The SUBACK reason code (the granted QoS, or >= 0x80), or -1.
  int Subscribe(const std::string& filter, int qos);
  // Waits for the QoS 1 flow: the PUBACK reason code (0 for QoS 0), or -1.
  int Publish(const std::string& topic, const std::string& payload, int qos = 0);
  // The next message; if `user_id` is set, the message's user_id property
  // ("" if none) goes there.
  std::optional<Received> Receive(milliseconds timeout = kWait, std::string* user_id = nullptr);
  // DISCONNECT (normal), and the connection closed.
  bool Disconnect();
  const std::string& error() const { return error_; }

 private:
  class Listener;

  std::string token_;
  std::unique_ptr<Listener> listener_;  // outlives client_, which calls it
  std::unique_ptr<::mqtt::async_client> client_;
  std::string error_;
};

// Connects every client at once, each from its own thread (Paho C starts a
// connect made while another of its clients is connected only ~2 s later);
// their CONNACK reason codes, in order.
std::vector<int> ConnectAll(const std::vector<TokenClient*>& clients);

}  // namespace plaza::testing

#endif  // PLAZA_TESTS_PLATFORM_TOKEN_CLIENT_H_
