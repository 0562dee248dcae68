// An MQTT 5 client for the ownership tests, on libmosquitto: what the
// shared test clients (MQTT 3.1.1) cannot show -- the reason code of a
// PUBACK, and a request with a Response Topic and Correlation Data. Driven
// with mosquitto_loop() on the calling thread, like MosqClient.
#ifndef PLAZA_TESTS_OWNERSHIP_V5_CLIENT_H_
#define PLAZA_TESTS_OWNERSHIP_V5_CLIENT_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "broker_process.h"

struct mosquitto;
struct mosquitto_message;
typedef struct mqtt5__property mosquitto_property;

namespace plaza::testing {

// A message as an MQTT 5 subscriber saw it.
struct V5Received {
  std::string topic;
  std::string payload;
  std::string correlation_data;
};

class V5Client {
 public:
  V5Client(uint16_t port, const std::string& client_id, const std::string& username = "");
  ~V5Client();
  V5Client(const V5Client&) = delete;
  V5Client& operator=(const V5Client&) = delete;

  bool Connect();
  // The granted QoS, or -1.
  int Subscribe(const std::string& filter, int qos);
  // Publishes at QoS 1 and waits for the PUBACK: its reason code, or -1.
  int Publish(const std::string& topic, std::string_view payload,
              const std::string& response_topic = "", const std::string& correlation_data = "");
  std::optional<V5Received> Receive(milliseconds timeout = kWait);
  // DISCONNECT, and wait for the close.
  bool Disconnect();
  const std::string& error() const { return error_; }

 private:
  static void OnConnect(mosquitto*, void* self, int rc, int flags, const mosquitto_property*);
  static void OnSubscribe(mosquitto*, void* self, int mid, int count, const int* granted);
  static void OnPublish(mosquitto*, void* self, int mid, int reason_code,
                        const mosquitto_property*);
  static void OnMessage(mosquitto*, void* self, const mosquitto_message* message,
                        const mosquitto_property* props);
  static void OnDisconnect(mosquitto*, void* self, int rc);
  template <typename Done>
  bool LoopUntil(Done done, milliseconds timeout = kWait);

  mosquitto* mosq_ = nullptr;
  uint16_t port_;
  std::string error_;
  std::optional<int> connack_;
  std::optional<int> granted_;
  int puback_mid_ = -1;
  int puback_code_ = -1;
  bool disconnected_ = false;
  std::deque<V5Received> messages_;
};

}  // namespace plaza::testing

#endif  // PLAZA_TESTS_OWNERSHIP_V5_CLIENT_H_
