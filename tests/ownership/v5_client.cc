// The MQTT 5 test client of the ownership tests (v5_client.h).
#include "v5_client.h"

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <mutex>

namespace plaza::testing {

V5Client::V5Client(uint16_t port, const std::string& client_id, const std::string& username)
    : port_(port) {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
  mosq_ = mosquitto_new(client_id.c_str(), true, this);
  mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
  if (!username.empty()) mosquitto_username_pw_set(mosq_, username.c_str(), nullptr);
  mosquitto_connect_v5_callback_set(mosq_, &V5Client::OnConnect);
  mosquitto_subscribe_callback_set(mosq_, &V5Client::OnSubscribe);
  mosquitto_publish_v5_callback_set(mosq_, &V5Client::OnPublish);
  mosquitto_message_v5_callback_set(mosq_, &V5Client::OnMessage);
  mosquitto_disconnect_callback_set(mosq_, &V5Client::OnDisconnect);
}

V5Client::~V5Client() { mosquitto_destroy(mosq_); }

void V5Client::OnConnect(mosquitto*, void* self, int rc, int, const mosquitto_property*) {
  static_cast<V5Client*>(self)->connack_ = rc;
}

void V5Client::OnSubscribe(mosquitto*, void* self, int, int count, const int* granted) {
  static_cast<V5Client*>(self)->granted_ = count > 0 ? granted[0] : -1;
}

void V5Client::OnPublish(mosquitto*, void* self, int mid, int reason_code,
                         const mosquitto_property*) {
  auto* client = static_cast<V5Client*>(self);
  client->puback_mid_ = mid;
  client->puback_code_ = reason_code;
}

void V5Client::OnMessage(mosquitto*, void* self, const mosquitto_message* message,
                         const mosquitto_property* props) {
  V5Received received{message->topic,
                      std::string(static_cast<const char*>(message->payload),
                                  static_cast<size_t>(message->payloadlen)),
                      ""};
  void* data = nullptr;
  uint16_t size = 0;
  if (mosquitto_property_read_binary(props, MQTT_PROP_CORRELATION_DATA, &data, &size, false)) {
    received.correlation_data.assign(static_cast<const char*>(data), size);
    free(data);
  }
  static_cast<V5Client*>(self)->messages_.push_back(std::move(received));
}

void V5Client::OnDisconnect(mosquitto*, void* self, int) {
  static_cast<V5Client*>(self)->disconnected_ = true;
}

template <typename Done>
bool V5Client::LoopUntil(Done done, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now())
            .count();
    if (left <= 0) {
      error_ = "timed out";
      return false;
    }
    const int rc = mosquitto_loop(mosq_, static_cast<int>(std::min<int64_t>(left, 50)), 1);
    if (rc != MOSQ_ERR_SUCCESS && !done()) {
      error_ = std::string("mosquitto_loop: ") + mosquitto_strerror(rc);
      return false;
    }
  }
  return true;
}

bool V5Client::Connect() {
  const int rc = mosquitto_connect_bind_v5(mosq_, "127.0.0.1", port_, 60, nullptr, nullptr);
  if (rc != MOSQ_ERR_SUCCESS) {
    error_ = std::string("connect: ") + mosquitto_strerror(rc);
    return false;
  }
  if (!LoopUntil([this] { return connack_.has_value(); })) return false;
  if (*connack_ != 0) error_ = "CONNACK reason code " + std::to_string(*connack_);
  return *connack_ == 0;
}

int V5Client::Subscribe(const std::string& filter, int qos) {
  granted_.reset();
  if (mosquitto_subscribe(mosq_, nullptr, filter.c_str(), qos) != MOSQ_ERR_SUCCESS) return -1;
  if (!LoopUntil([this] { return granted_.has_value(); })) return -1;
  return *granted_;
}

int V5Client::Publish(const std::string& topic, std::string_view payload,
                      const std::string& response_topic, const std::string& correlation_data) {
  mosquitto_property* props = nullptr;
  if (!response_topic.empty()) {
    mosquitto_property_add_string(&props, MQTT_PROP_RESPONSE_TOPIC, response_topic.c_str());
  }
  if (!correlation_data.empty()) {
    mosquitto_property_add_binary(&props, MQTT_PROP_CORRELATION_DATA, correlation_data.data(),
                                  static_cast<uint16_t>(correlation_data.size()));
  }
  int mid = 0;
  const int rc = mosquitto_publish_v5(mosq_, &mid, topic.c_str(), static_cast<int>(payload.size()),
                                      payload.data(), 1, false, props);
  mosquitto_property_free_all(&props);
  if (rc != MOSQ_ERR_SUCCESS) {
    error_ = std::string("publish: ") + mosquitto_strerror(rc);
    return -1;
  }
  if (!LoopUntil([&] { return puback_mid_ == mid; })) return -1;
  return puback_code_;
}

std::optional<V5Received> V5Client::Receive(milliseconds timeout) {
  if (!LoopUntil([this] { return !messages_.empty(); }, timeout)) return std::nullopt;
  V5Received message = std::move(messages_.front());
  messages_.pop_front();
  return message;
}

bool V5Client::Disconnect() {
  mosquitto_disconnect(mosq_);
  return LoopUntil([this] { return disconnected_; });
}

}  // namespace plaza::testing
