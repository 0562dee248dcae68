// MQTT for the push tests: Debian's mosquitto broker on a free 127.0.0.1
// port (started, restarted and stopped by PID) with a password file, and a
// real libmosquitto subscriber that records what it receives.
#ifndef PLAZA_TESTS_ADAPTER_SUPPORT_MQTT_HELPERS_H_
#define PLAZA_TESTS_ADAPTER_SUPPORT_MQTT_HELPERS_H_

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct mosquitto;
struct mosquitto_message;

namespace plaza::adapter::testing {

// A port nothing listens on right now (bind port 0, read it, close).
int FreeLoopbackPort();

class MosquittoBroker {
 public:
  // Accepts only `username`/`password`.
  MosquittoBroker(std::string username, std::string password);
  ~MosquittoBroker();
  bool Start();  // on port(), the same one across restarts
  void Stop();
  int port() const { return port_; }

 private:
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

struct ReceivedMessage {
  std::string topic;
  std::string payload;
  bool retained = false;
};

class MqttSubscriber {
 public:
  MqttSubscriber();
  ~MqttSubscriber();
  // Connects and subscribes to `filter`; true once the SUBACK arrived.
  bool Connect(int port, const std::string& username, const std::string& password,
               const std::string& filter);
  // The first message on `topic` whose payload contains `needle`.
  std::optional<ReceivedMessage> WaitFor(const std::string& topic, const std::string& needle,
                                         std::chrono::milliseconds timeout);

 private:
  static void OnMessage(struct mosquitto*, void* self, const struct mosquitto_message* message);
  static void OnSubscribe(struct mosquitto*, void* self, int, int, const int*);

  struct mosquitto* mosq_ = nullptr;
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<ReceivedMessage> messages_;
  bool subscribed_ = false;
};

// GET http://127.0.0.1:<port><path>; the body, or "" on failure.
std::string HttpGet(int port, const std::string& path);

}  // namespace plaza::adapter::testing

#endif  // PLAZA_TESTS_ADAPTER_SUPPORT_MQTT_HELPERS_H_
