// Paho C++'s asynchronous client driven synchronously (each call waits for
// its token), with MQTT 5 properties translated to and from plain structs.
#include "paho5_client.h"

#include <algorithm>
#include <mutex>
#include <thread>

#include <mqtt/async_client.h>

#include "received_queue.h"

namespace plaza::testing {
namespace {

using ::mqtt::property;

template <typename T>
std::optional<T> Find(const ::mqtt::properties& props, property::code code) {
  if (!props.contains(code)) return std::nullopt;
  return ::mqtt::get<T>(props, code);
}

Received5 Copy(const ::mqtt::message& message) {
  Received5 r;
  r.topic = message.get_topic();
  r.payload = message.to_string();
  r.qos = message.get_qos();
  r.retain = message.is_retained();
  r.dup = message.is_duplicate();
  const ::mqtt::properties& p = message.get_properties();
  if (auto v = Find<uint8_t>(p, property::PAYLOAD_FORMAT_INDICATOR)) r.payload_format = *v;
  r.content_type = Find<std::string>(p, property::CONTENT_TYPE);
  r.response_topic = Find<std::string>(p, property::RESPONSE_TOPIC);
  r.correlation_data = Find<std::string>(p, property::CORRELATION_DATA);
  r.message_expiry = Find<uint32_t>(p, property::MESSAGE_EXPIRY_INTERVAL);
  for (size_t i = 0; i < p.count(property::USER_PROPERTY); ++i) {
    const auto pair = ::mqtt::get<::mqtt::string_pair>(p, property::USER_PROPERTY, i);
    r.user_properties.emplace_back(std::get<0>(pair), std::get<1>(pair));
  }
  for (size_t i = 0; i < p.count(property::SUBSCRIPTION_IDENTIFIER); ++i) {
    r.subscription_ids.push_back(
        static_cast<uint32_t>(::mqtt::get<int32_t>(p, property::SUBSCRIPTION_IDENTIFIER, i)));
  }
  return r;
}

}  // namespace

// Runs on Paho's network thread.
class Paho5Client::Listener final : public ::mqtt::callback, public ReceivedQueue<Received5> {
 public:
  void message_arrived(::mqtt::const_message_ptr message) override { Push(Copy(*message)); }
  void connection_lost(const std::string&) override { Lost(); }
};

Paho5Client::Paho5Client(uint16_t port, std::string client_id)
    : listener_(std::make_unique<Listener>()),
      client_(std::make_unique<::mqtt::async_client>("tcp://127.0.0.1:" + std::to_string(port),
                                                     client_id,
                                                     ::mqtt::create_options(MQTTVERSION_5))) {
  client_->set_callback(*listener_);
}

Paho5Client::~Paho5Client() {
  try {
    if (client_->is_connected()) client_->disconnect()->wait_for(kWait);
  } catch (const std::exception&) {
    // The broker may already have closed the connection.
  }
}

bool Paho5Client::Connect(const Connect5& options) {
  ::mqtt::properties props;
  if (options.session_expiry) {
    props.add({property::SESSION_EXPIRY_INTERVAL, static_cast<int>(*options.session_expiry)});
  }
  if (options.receive_maximum) {
    props.add({property::RECEIVE_MAXIMUM, static_cast<int>(*options.receive_maximum)});
  }
  if (options.maximum_packet_size) {
    props.add({property::MAXIMUM_PACKET_SIZE, static_cast<int>(*options.maximum_packet_size)});
  }
  // Set on one object, never copied: Paho C++ 1.2's connect_options copy
  // leaves its C struct pointing at the original's properties.
  ::mqtt::connect_options connect;
  connect.set_mqtt_version(MQTTVERSION_5);
  connect.set_clean_start(options.clean_start);
  connect.set_keep_alive_interval(std::chrono::seconds(options.keep_alive_s));
  connect.set_connect_timeout(kWait);
  connect.set_properties(props);
  if (options.will) {
    ::mqtt::properties will_props;
    if (options.will->delay_s) {
      will_props.add({property::WILL_DELAY_INTERVAL, static_cast<int>(options.will->delay_s)});
    }
    connect.set_will(::mqtt::will_options(options.will->topic, options.will->payload,
                                          options.will->qos, false, will_props));
  }
  try {
    auto token = client_->connect(connect);
    if (!token->wait_for(kWait)) {
      error_ = "connect: no CONNACK";
      return false;
    }
    const ::mqtt::connect_response response = token->get_connect_response();
    connack_ = {};
    connack_.session_present = response.is_session_present();
    const ::mqtt::properties& p = response.get_properties();
    if (auto v = Find<uint16_t>(p, property::SERVER_KEEP_ALIVE)) connack_.server_keep_alive = *v;
    connack_.assigned_client_id = Find<std::string>(p, property::ASSIGNED_CLIENT_IDENTIFER);
    if (auto v = Find<uint8_t>(p, property::SHARED_SUBSCRIPTION_AVAILABLE)) {
      connack_.shared_subscription_available = *v;
    }
    if (auto v = Find<uint8_t>(p, property::SUBSCRIPTION_IDENTIFIERS_AVAILABLE)) {
      connack_.subscription_identifiers_available = *v;
    }
    if (auto v = Find<uint16_t>(p, property::RECEIVE_MAXIMUM)) connack_.receive_maximum = *v;
    connack_.maximum_packet_size = Find<uint32_t>(p, property::MAXIMUM_PACKET_SIZE);
    return true;
  } catch (const std::exception& e) {
    error_ = std::string("connect: ") + e.what();
    return false;
  }
}

int Paho5Client::Subscribe(const std::string& filter, int qos, const SubOptions5& options) {
  try {
    ::mqtt::properties props;
    if (options.subscription_id) {
      props.add({property::SUBSCRIPTION_IDENTIFIER, static_cast<int>(options.subscription_id)});
    }
    const ::mqtt::subscribe_options sub(
        options.no_local, options.retain_as_published,
        static_cast<::mqtt::subscribe_options::RetainHandling>(options.retain_handling));
    auto token = client_->subscribe(filter, qos, sub, props);
    if (!token->wait_for(kWait)) {
      error_ = "subscribe " + filter + ": no SUBACK";
      return -1;
    }
    const auto codes = token->get_subscribe_response().get_reason_codes();
    if (codes.size() != 1) {
      error_ = "subscribe: " + std::to_string(codes.size()) + " reason codes";
      return -1;
    }
    return static_cast<int>(codes[0]);
  } catch (const ::mqtt::exception& e) {
    // Paho reports a refusal (code >= 0x80) as an exception.
    if (e.get_reason_code() >= 0x80) return e.get_reason_code();
    error_ = "subscribe " + filter + ": " + e.what();
    return -1;
  } catch (const std::exception& e) {
    error_ = "subscribe " + filter + ": " + e.what();
    return -1;
  }
}

bool Paho5Client::Unsubscribe(const std::string& filter) {
  try {
    return client_->unsubscribe(filter)->wait_for(kWait);
  } catch (const std::exception& e) {
    error_ = "unsubscribe " + filter + ": " + e.what();
    return false;
  }
}

int Paho5Client::Publish(const std::string& topic, const std::string& payload, int qos, bool retain,
                         const Properties5& properties) {
  ::mqtt::properties props;
  if (properties.payload_format) {
    props.add({property::PAYLOAD_FORMAT_INDICATOR, *properties.payload_format});
  }
  if (properties.content_type) props.add({property::CONTENT_TYPE, *properties.content_type});
  if (properties.response_topic) props.add({property::RESPONSE_TOPIC, *properties.response_topic});
  if (properties.correlation_data) {
    props.add({property::CORRELATION_DATA, *properties.correlation_data});
  }
  for (const auto& [key, value] : properties.user_properties) {
    props.add({property::USER_PROPERTY, key, value});
  }
  if (properties.message_expiry) {
    props.add({property::MESSAGE_EXPIRY_INTERVAL, static_cast<int>(*properties.message_expiry)});
  }
  auto message = ::mqtt::make_message(topic, payload, qos, retain);
  message->set_properties(props);
  try {
    auto token = client_->publish(message);
    if (!token->wait_for(kWait)) {
      error_ = "publish " + topic + ": no acknowledgement";
      return -1;
    }
    return static_cast<int>(token->get_reason_code());
  } catch (const ::mqtt::exception& e) {
    if (e.get_reason_code() >= 0x80) return e.get_reason_code();
    error_ = "publish " + topic + ": " + e.what();
    return -1;
  } catch (const std::exception& e) {
    error_ = "publish " + topic + ": " + e.what();
    return -1;
  }
}

std::optional<Received5> Paho5Client::Receive(milliseconds timeout) {
  return listener_->Next(timeout, &error_);
}

bool Paho5Client::Disconnect(int reason_code) {
  try {
    auto options = ::mqtt::disconnect_options_builder()
                       .reason_code(static_cast<::mqtt::ReasonCode>(reason_code))
                       .finalize();
    return client_->disconnect(options)->wait_for(kWait);
  } catch (const std::exception& e) {
    error_ = std::string("disconnect: ") + e.what();
    return false;
  }
}

bool Paho5Client::WaitForLoss(milliseconds timeout) { return listener_->WaitForLoss(timeout); }

bool ConnectAll(const std::vector<Paho5Client*>& clients, const Connect5& options) {
  std::vector<char> connected(clients.size(), 0);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < clients.size(); ++i) {
    threads.emplace_back([&, i] { connected[i] = clients[i]->Connect(options); });
  }
  for (std::thread& thread : threads) thread.join();
  return std::find(connected.begin(), connected.end(), 0) == connected.end();
}

std::vector<Received5> ReceiveCount(Paho5Client& client, size_t count, milliseconds timeout) {
  std::vector<Received5> received;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (received.size() < count) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    std::optional<Received5> message = client.Receive(left);
    if (!message) break;
    received.push_back(std::move(*message));
  }
  return received;
}

}  // namespace plaza::testing
