// The adapter's connection to the broker: a privileged MQTT client on
// libmosquitto that publishes into live rooms. Connects in the background
// and reconnects with backoff when the broker restarts. While the broker is
// down, Publish reports it at once (nothing queues up); retained messages
// (room settings) are remembered and republished after every (re)connect,
// so a restarted broker without persistence gets them back.
#ifndef PLAZA_ADAPTER_PUSH_MQTT_PUBLISHER_H_
#define PLAZA_ADAPTER_PUSH_MQTT_PUBLISHER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

struct mosquitto;

namespace plaza::adapter::push {

struct MqttOptions {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string username;  // empty: no credentials
  std::string password;
  std::string client_id = "plaza-adapter";
  int keepalive_seconds = 30;
  int reconnect_delay_min_seconds = 1;
  int reconnect_delay_max_seconds = 30;
  int qos = 1;
  // How many rooms' retained settings are kept for republishing.
  size_t max_retained = 100000;
};

enum class PublishResult { kPublished, kBrokerUnavailable };

class MqttPublisher {
 public:
  // Starts the network thread. Fails only for bad options, never because
  // the broker is down. mosquitto_lib_init() must have been called.
  static absl::StatusOr<std::unique_ptr<MqttPublisher>> Start(const MqttOptions& options);
  ~MqttPublisher();  // disconnects and joins the network thread
  MqttPublisher(const MqttPublisher&) = delete;
  MqttPublisher& operator=(const MqttPublisher&) = delete;

  PublishResult Publish(const std::string& topic, const std::string& payload, bool retain);

  bool connected() const { return connected_.load(); }
  uint64_t publish_failures() const { return publish_failures_.load(); }

 private:
  explicit MqttPublisher(const MqttOptions& options);
  static void OnConnect(struct mosquitto* mosq, void* self, int rc);
  static void OnDisconnect(struct mosquitto* mosq, void* self, int rc);
  void RepublishRetained();

  const MqttOptions options_;
  // Retries the first connection until it is under way (see the .cc).
  void ConnectUntilUp();

  struct mosquitto* mosq_ = nullptr;
  std::thread connector_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by stop_mu_
  std::atomic<bool> connected_{false};
  std::atomic<uint64_t> publish_failures_{0};
  std::mutex retained_mu_;
  std::map<std::string, std::string> retained_;  // topic -> latest payload
};

}  // namespace plaza::adapter::push

#endif  // PLAZA_ADAPTER_PUSH_MQTT_PUBLISHER_H_
