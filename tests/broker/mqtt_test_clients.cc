// Paho C++ and libmosquitto behind the tests' client interface. Errors are
// returned (with error() saying why), never thrown, so a test reports the
// broker's misbehaviour as a failed assertion with context.
#include "mqtt_test_clients.h"

#include <mosquitto.h>
#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include <mqtt/client.h>

#include "received_queue.h"

#if defined(__SANITIZE_THREAD__)
// ThreadSanitizer suppressions for this test process only (plaza-broker links
// no Paho code, so none can hide a broker report). Debian's Paho MQTT C and
// C++ libraries are not built with -fsanitize=thread:
//  - TSan cannot see their atomic reference counts, so a Paho token whose
//    last reference is dropped on a Paho thread looks like a race with the
//    test thread that waited on it;
//  - Paho C++ 1.2.0 takes async_client::lock_ and Paho C's mqttasync_mutex in
//    both orders (eclipse-paho/paho.mqtt.cpp issues #356 and #481).
// Each entry names a Paho function, never a test or broker one. The MQTT 5
// client (paho5_client.cc) drives async_client directly, so its tokens and
// messages are released in Paho's on_success5, publish and disconnect.
extern "C" const char* __tsan_default_suppressions() {
  return "deadlock:libpaho-mqtt3as.so\n"
         "race:mqtt::token::~token\n"
         "race:mqtt::token::on_success5\n"
         "race:mqtt::delivery_token::~delivery_token\n"
         "race:mqtt::async_client::remove_token\n"
         "race:mqtt::async_client::publish\n"
         "race:mqtt::async_client::disconnect\n"
         "race:mqtt::client::disconnect\n";
}
#endif

namespace plaza::testing {
namespace {

using Clock = std::chrono::steady_clock;

void InitMosquittoOnce() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

}  // namespace

void PrintTo(const Received& message, std::ostream* out) {
  std::string payload = message.payload;
  if (payload.size() > 60) payload = payload.substr(0, 60) + "...";
  *out << "{topic '" << message.topic << "', payload '" << payload << "', qos " << message.qos
       << ", retain " << message.retain << (message.dup ? ", dup" : "") << "}";
}

Received Msg(std::string topic, std::string payload, int qos, bool retain) {
  return Received{std::move(topic), std::move(payload), qos, retain, false};
}

std::vector<Received> IgnoringDup(std::vector<Received> messages) {
  for (Received& message : messages) message.dup = false;
  return messages;
}

// ---------------------------------------------------------------------------
// PahoClient

// Runs on Paho's network thread.
class PahoClient::Listener final : public mqtt::callback, public ReceivedQueue<Received> {
 public:
  void message_arrived(mqtt::const_message_ptr message) override {
    Push(Received{message->get_topic(), message->to_string(), message->get_qos(),
                  message->is_retained(), message->is_duplicate()});
  }

  void connection_lost(const std::string&) override { Lost(); }
};

PahoClient::PahoClient(uint16_t port, std::string client_id)
    : listener_(std::make_unique<Listener>()),
      client_(
          std::make_unique<mqtt::client>("tcp://127.0.0.1:" + std::to_string(port), client_id)) {
  client_->set_timeout(kWait);
  client_->set_callback(*listener_);
}

PahoClient::~PahoClient() {
  try {
    if (client_->is_connected()) client_->disconnect();
  } catch (const std::exception&) {
    // The broker may already have closed the connection.
  }
}

bool PahoClient::Connect(bool clean_session, const Will* will, int keep_alive_s) {
  auto builder = mqtt::connect_options_builder()
                     .mqtt_version(MQTTVERSION_3_1_1)
                     .clean_session(clean_session)
                     .keep_alive_interval(std::chrono::seconds(keep_alive_s))
                     .connect_timeout(kWait);
  if (will) {
    builder.will(mqtt::message(will->topic, will->payload, will->qos, will->retain));
  }
  try {
    const mqtt::connect_response response = client_->connect(builder.finalize());
    session_present_ = response.is_session_present();
    return true;
  } catch (const std::exception& e) {
    error_ = std::string("connect: ") + e.what();
    return false;
  }
}

int PahoClient::Subscribe(const std::string& filter, int qos) {
  try {
    const mqtt::subscribe_response response = client_->subscribe(filter, qos);
    const auto& codes = response.get_reason_codes();
    if (codes.size() != 1) {
      error_ = "subscribe: " + std::to_string(codes.size()) + " return codes";
      return -1;
    }
    return static_cast<int>(codes[0]);
  } catch (const std::exception& e) {
    error_ = "subscribe " + filter + ": " + e.what();
    return -1;
  }
}

bool PahoClient::Publish(const std::string& topic, std::string_view payload, int qos, bool retain) {
  try {
    client_->publish(topic, payload.data(), payload.size(), qos, retain);
    return true;
  } catch (const std::exception& e) {
    error_ = "publish " + topic + ": " + e.what();
    return false;
  }
}

std::optional<Received> PahoClient::Receive(milliseconds timeout) {
  return listener_->Next(timeout, &error_);
}

bool PahoClient::Disconnect() {
  try {
    client_->disconnect();
    return true;
  } catch (const std::exception& e) {
    error_ = std::string("disconnect: ") + e.what();
    return false;
  }
}

// ---------------------------------------------------------------------------
// MosqClient

MosqClient::MosqClient(uint16_t port, std::string client_id, bool clean_session) : port_(port) {
  InitMosquittoOnce();
  mosq_ = mosquitto_new(client_id.empty() ? nullptr : client_id.c_str(), clean_session, this);
  mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_connect_with_flags_callback_set(mosq_, &MosqClient::OnConnect);
  mosquitto_subscribe_callback_set(mosq_, &MosqClient::OnSubscribe);
  mosquitto_publish_callback_set(mosq_, &MosqClient::OnPublish);
  mosquitto_unsubscribe_callback_set(mosq_, &MosqClient::OnUnsubscribe);
  mosquitto_message_callback_set(mosq_, &MosqClient::OnMessage);
  mosquitto_disconnect_callback_set(mosq_, &MosqClient::OnDisconnect);
}

MosqClient::~MosqClient() { mosquitto_destroy(mosq_); }

void MosqClient::OnConnect(mosquitto*, void* self, int rc, int flags) {
  auto* client = static_cast<MosqClient*>(self);
  client->connack_ = rc;
  client->session_present_ = (flags & 0x01) != 0;
}

void MosqClient::OnSubscribe(mosquitto*, void* self, int mid, int count, const int* granted) {
  auto* client = static_cast<MosqClient*>(self);
  client->completed_mids_.push_back(mid);
  if (count == 1) client->granted_ = granted[0];
}

void MosqClient::OnPublish(mosquitto*, void* self, int mid) {
  static_cast<MosqClient*>(self)->completed_mids_.push_back(mid);
}

void MosqClient::OnUnsubscribe(mosquitto*, void* self, int mid) {
  static_cast<MosqClient*>(self)->completed_mids_.push_back(mid);
}

bool MosqClient::Unsubscribe(const std::string& filter) {
  int mid = 0;
  const int rc = mosquitto_unsubscribe(mosq_, &mid, filter.c_str());
  if (rc != MOSQ_ERR_SUCCESS) {
    error_ = "unsubscribe " + filter + ": " + mosquitto_strerror(rc);
    return false;
  }
  return LoopUntil([&] {
    return std::find(completed_mids_.begin(), completed_mids_.end(), mid) != completed_mids_.end();
  });
}

void MosqClient::OnMessage(mosquitto*, void* self, const mosquitto_message* message) {
  static_cast<MosqClient*>(self)->messages_.push_back(
      Received{message->topic,
               std::string(static_cast<const char*>(message->payload),
                           static_cast<size_t>(message->payloadlen)),
               message->qos, message->retain, false});
}

void MosqClient::OnDisconnect(mosquitto*, void* self, int) {
  static_cast<MosqClient*>(self)->disconnected_ = true;
}

template <typename Done>
bool MosqClient::LoopUntil(Done done, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      error_ = "timed out after " + std::to_string(timeout.count()) + " ms";
      return false;
    }
    const int rc = mosquitto_loop(mosq_, static_cast<int>(std::min<int64_t>(left, 50)), 1);
    if (rc != MOSQ_ERR_SUCCESS) {
      if (done()) return true;
      error_ = std::string("mosquitto_loop: ") + mosquitto_strerror(rc);
      return false;
    }
  }
  return true;
}

bool MosqClient::SetWill(const Will& will) {
  const int rc =
      mosquitto_will_set(mosq_, will.topic.c_str(), static_cast<int>(will.payload.size()),
                         will.payload.data(), will.qos, will.retain);
  if (rc != MOSQ_ERR_SUCCESS) error_ = std::string("will: ") + mosquitto_strerror(rc);
  return rc == MOSQ_ERR_SUCCESS;
}

bool MosqClient::SetCredentials(const std::string& username, const std::string& password) {
  const int rc = mosquitto_username_pw_set(mosq_, username.c_str(),
                                           password.empty() ? nullptr : password.c_str());
  if (rc != MOSQ_ERR_SUCCESS) error_ = std::string("credentials: ") + mosquitto_strerror(rc);
  return rc == MOSQ_ERR_SUCCESS;
}

bool MosqClient::Connect(int keep_alive_s) {
  const int rc = mosquitto_connect(mosq_, "127.0.0.1", port_, keep_alive_s);
  if (rc != MOSQ_ERR_SUCCESS) {
    error_ = std::string("connect: ") + mosquitto_strerror(rc);
    return false;
  }
  if (!LoopUntil([this] { return connack_.has_value(); })) return false;
  if (*connack_ != 0) {
    error_ = "CONNACK return code " + std::to_string(*connack_);
    return false;
  }
  return true;
}

int MosqClient::Subscribe(const std::string& filter, int qos) {
  int mid = 0;
  granted_ = -1;
  const int rc = mosquitto_subscribe(mosq_, &mid, filter.c_str(), qos);
  if (rc != MOSQ_ERR_SUCCESS) {
    error_ = "subscribe " + filter + ": " + mosquitto_strerror(rc);
    return -1;
  }
  auto done = [&] {
    return std::find(completed_mids_.begin(), completed_mids_.end(), mid) != completed_mids_.end();
  };
  if (!LoopUntil(done)) return -1;
  return granted_;
}

bool MosqClient::Publish(const std::string& topic, std::string_view payload, int qos, bool retain) {
  int mid = 0;
  const int rc = mosquitto_publish(mosq_, &mid, topic.c_str(), static_cast<int>(payload.size()),
                                   payload.data(), qos, retain);
  if (rc != MOSQ_ERR_SUCCESS) {
    error_ = "publish " + topic + ": " + mosquitto_strerror(rc);
    return false;
  }
  return LoopUntil([&] {
    return std::find(completed_mids_.begin(), completed_mids_.end(), mid) != completed_mids_.end();
  });
}

std::optional<Received> MosqClient::Receive(milliseconds timeout) {
  if (!LoopUntil([this] { return !messages_.empty(); }, timeout)) return std::nullopt;
  Received message = std::move(messages_.front());
  messages_.pop_front();
  return message;
}

bool MosqClient::Disconnect() {
  const int rc = mosquitto_disconnect(mosq_);
  if (rc != MOSQ_ERR_SUCCESS) {
    error_ = std::string("disconnect: ") + mosquitto_strerror(rc);
    return false;
  }
  return LoopUntil([this] { return disconnected_; });
}

void MosqClient::Kill() {
  const int fd = mosquitto_socket(mosq_);
  if (fd >= 0) shutdown(fd, SHUT_RDWR);
}

}  // namespace plaza::testing
