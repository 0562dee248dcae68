// libmosquitto in threaded mode: mosquitto_loop_start() runs the network
// loop, which reconnects on its own with the configured backoff -- once a
// first connection attempt got under way. libmosquitto's loop thread gives
// up at once if the very first attempt failed (the broker not started
// yet), so until one succeeds a thread of our own retries with the same
// backoff.
#include "push/mqtt_publisher.h"

#include <mosquitto.h>

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"

namespace plaza::adapter::push {

MqttPublisher::MqttPublisher(const MqttOptions& options) : options_(options) {}

absl::StatusOr<std::unique_ptr<MqttPublisher>> MqttPublisher::Start(const MqttOptions& options) {
  if (options.qos < 0 || options.qos > 2) {
    return absl::InvalidArgumentError("mqtt.qos must be 0, 1 or 2");
  }
  std::unique_ptr<MqttPublisher> publisher(new MqttPublisher(options));
  publisher->mosq_ =
      mosquitto_new(options.client_id.c_str(), /*clean_session=*/true, publisher.get());
  if (publisher->mosq_ == nullptr) return absl::InternalError("mosquitto_new failed");
  mosquitto_connect_callback_set(publisher->mosq_, &MqttPublisher::OnConnect);
  mosquitto_disconnect_callback_set(publisher->mosq_, &MqttPublisher::OnDisconnect);
  mosquitto_reconnect_delay_set(publisher->mosq_, options.reconnect_delay_min_seconds,
                                options.reconnect_delay_max_seconds, /*exponential=*/true);
  if (!options.username.empty()) {
    mosquitto_username_pw_set(publisher->mosq_, options.username.c_str(),
                              options.password.empty() ? nullptr : options.password.c_str());
  }
  const int rc = mosquitto_connect_async(publisher->mosq_, options.host.c_str(), options.port,
                                         options.keepalive_seconds);
  if (rc == MOSQ_ERR_INVAL) {
    return absl::InvalidArgumentError(
        absl::StrCat("mqtt: bad broker address ", options.host, ":", options.port));
  }
  if (rc != MOSQ_ERR_SUCCESS) {
    std::fprintf(stderr, "plaza-adapter: mqtt broker %s:%d not reachable yet (%s), retrying\n",
                 options.host.c_str(), options.port, mosquitto_strerror(rc));
    MqttPublisher* self = publisher.get();
    publisher->connector_ = std::thread([self] { self->ConnectUntilUp(); });
    return publisher;
  }
  if (mosquitto_loop_start(publisher->mosq_) != MOSQ_ERR_SUCCESS) {
    return absl::InternalError("mosquitto_loop_start failed");
  }
  return publisher;
}

void MqttPublisher::ConnectUntilUp() {
  int delay_s = std::max(1, options_.reconnect_delay_min_seconds);
  std::unique_lock lock(stop_mu_);
  while (!stop_cv_.wait_for(lock, std::chrono::seconds(delay_s), [this] { return stopping_; })) {
    if (mosquitto_connect_async(mosq_, options_.host.c_str(), options_.port,
                                options_.keepalive_seconds) == MOSQ_ERR_SUCCESS) {
      if (mosquitto_loop_start(mosq_) != MOSQ_ERR_SUCCESS) {
        std::fprintf(stderr, "plaza-adapter: mosquitto_loop_start failed: no live pushes\n");
      }
      return;
    }
    delay_s = std::min(delay_s * 2, std::max(delay_s, options_.reconnect_delay_max_seconds));
  }
}

MqttPublisher::~MqttPublisher() {
  if (connector_.joinable()) {
    {
      std::lock_guard lock(stop_mu_);
      stopping_ = true;
    }
    stop_cv_.notify_all();
    connector_.join();
  }
  if (mosq_ == nullptr) return;
  mosquitto_disconnect(mosq_);
  mosquitto_loop_stop(mosq_, /*force=*/false);
  mosquitto_destroy(mosq_);
}

PublishResult MqttPublisher::Publish(const std::string& topic, const std::string& payload,
                                     bool retain) {
  if (retain) {
    std::lock_guard lock(retained_mu_);
    if (retained_.size() < options_.max_retained || retained_.count(topic) != 0) {
      retained_[topic] = payload;
    }
  }
  if (!connected_.load()) {
    publish_failures_.fetch_add(1);
    return PublishResult::kBrokerUnavailable;
  }
  const int rc = mosquitto_publish(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()),
                                   payload.data(), options_.qos, retain);
  if (rc != MOSQ_ERR_SUCCESS) {
    publish_failures_.fetch_add(1);
    return PublishResult::kBrokerUnavailable;
  }
  return PublishResult::kPublished;
}

void MqttPublisher::OnConnect(struct mosquitto*, void* self, int rc) {
  auto* publisher = static_cast<MqttPublisher*>(self);
  if (rc != 0) {
    std::fprintf(stderr, "plaza-adapter: mqtt broker refused the connection: %s\n",
                 mosquitto_connack_string(rc));
    return;
  }
  std::fprintf(stderr, "plaza-adapter: connected to mqtt broker %s:%d\n",
               publisher->options_.host.c_str(), publisher->options_.port);
  publisher->connected_.store(true);
  publisher->RepublishRetained();
}

void MqttPublisher::OnDisconnect(struct mosquitto*, void* self, int rc) {
  auto* publisher = static_cast<MqttPublisher*>(self);
  if (publisher->connected_.exchange(false) && rc != 0) {
    std::fprintf(stderr, "plaza-adapter: lost the mqtt broker, reconnecting\n");
  }
}

void MqttPublisher::RepublishRetained() {
  std::lock_guard lock(retained_mu_);
  for (const auto& [topic, payload] : retained_) {
    mosquitto_publish(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()),
                      payload.data(), options_.qos, /*retain=*/true);
  }
}

}  // namespace plaza::adapter::push
