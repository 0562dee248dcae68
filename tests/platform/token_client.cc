// Paho C++'s asynchronous client driven synchronously, each call waiting for
// its token with a deadline; see token_client.h.
#include "token_client.h"

#include <mqtt/async_client.h>

#include <thread>

#include "received_queue.h"

namespace plaza::testing {
namespace {

// What the queue holds: the message and its user_id property.
struct TokenMessage {
  Received message;
  std::string user_id;
};

std::string UserIdProperty(const ::mqtt::properties& properties) {
  for (size_t i = 0; i < properties.count(::mqtt::property::USER_PROPERTY); ++i) {
    const auto [key, value] =
        ::mqtt::get<::mqtt::string_pair>(properties, ::mqtt::property::USER_PROPERTY, i);
    if (key == "user_id") return value;
  }
  return "";
}

}  // namespace

// Runs on Paho's network thread.
class TokenClient::Listener final : public ::mqtt::callback, public ReceivedQueue<TokenMessage> {
 public:
  void message_arrived(::mqtt::const_message_ptr m) override {
    Push({{m->get_topic(), m->to_string(), m->get_qos(), m->is_retained(), m->is_duplicate()},
          UserIdProperty(m->get_properties())});
  }
  void connection_lost(const std::string&) override { Lost(); }
};

TokenClient::TokenClient(uint16_t port, std::string client_id, std::string token)
    : token_(std::move(token)),
      listener_(std::make_unique<Listener>()),
      client_(std::make_unique<::mqtt::async_client>("tcp://127.0.0.1:" + std::to_string(port),
                                                     client_id,
                                                     ::mqtt::create_options(MQTTVERSION_5))) {
  client_->set_callback(*listener_);
}

TokenClient::~TokenClient() {
  try {
    if (client_->is_connected()) client_->disconnect()->wait_for(kWait);
  } catch (const ::mqtt::exception&) {
    // Gone already: nothing to close.
  }
}

int TokenClient::Connect() {
  // The user name is free with the auth plugin; the token is the password.
  auto options = ::mqtt::connect_options_builder()
                     .mqtt_version(MQTTVERSION_5)
                     .clean_start(true)
                     .user_name("platform-test")
                     .password(token_)
                     .connect_timeout(kWait)
                     .finalize();
  try {
    if (!client_->connect(options)->wait_for(kWait)) {
      error_ = "no CONNACK";
      return -1;
    }
    return 0;
  } catch (const ::mqtt::exception& e) {
    // Paho reports a refusing CONNACK's reason code as the return code.
    const int code = e.get_reason_code() != 0 ? e.get_reason_code() : e.get_return_code();
    error_ = e.what();
    return code >= 0x80 ? code : -1;
  }
}

int TokenClient::Subscribe(const std::string& filter, int qos) {
  try {
    auto token = client_->subscribe(filter, qos);
    if (!token->wait_for(kWait)) {
      error_ = "no SUBACK for " + filter;
      return -1;
    }
    const auto codes = token->get_subscribe_response().get_reason_codes();
    return codes.empty() ? -1 : codes.front();
  } catch (const ::mqtt::exception& e) {
    error_ = e.what();
    return e.get_reason_code() >= 0x80 ? e.get_reason_code() : -1;
  }
}

int TokenClient::Publish(const std::string& topic, const std::string& payload, int qos) {
  try {
    if (!client_->publish(topic, payload.data(), payload.size(), qos, false)->wait_for(kWait)) {
      error_ = "no PUBACK on " + topic;
      return -1;
    }
    return 0;
  } catch (const ::mqtt::exception& e) {
    // MQTT 5: a PUBACK >= 0x80 fails the token with its reason code.
    error_ = e.what();
    return e.get_reason_code() >= 0x80 ? e.get_reason_code() : -1;
  }
}

std::optional<Received> TokenClient::Receive(milliseconds timeout, std::string* user_id) {
  std::optional<TokenMessage> next = listener_->Next(timeout, &error_);
  if (!next) return std::nullopt;
  if (user_id) *user_id = std::move(next->user_id);
  return std::move(next->message);
}

bool TokenClient::Disconnect() {
  try {
    return client_->disconnect()->wait_for(kWait);
  } catch (const ::mqtt::exception& e) {
    error_ = e.what();
    return false;
  }
}

std::vector<int> ConnectAll(const std::vector<TokenClient*>& clients) {
  std::vector<int> codes(clients.size(), -1);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < clients.size(); ++i) {
    threads.emplace_back([&, i] { codes[i] = clients[i]->Connect(); });
  }
  for (std::thread& thread : threads) thread.join();
  return codes;
}

}  // namespace plaza::testing
