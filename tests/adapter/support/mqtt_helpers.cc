// mosquitto as a child process, a libmosquitto subscriber, a tiny HTTP GET.
#include "support/mqtt_helpers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

extern char** environ;

namespace plaza::adapter::testing {
namespace {

int ConnectLoopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

pid_t Spawn(std::vector<std::string> args, const std::string& log) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

}  // namespace

int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

MosquittoBroker::MosquittoBroker(std::string username, std::string password) {
  std::string pattern = (std::filesystem::temp_directory_path() / "plaza-mosq.XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return;
  dir_ = pattern;
  port_ = FreeLoopbackPort();
  const std::string passwords = dir_ + "/passwords";
  const pid_t pid =
      Spawn({"mosquitto_passwd", "-b", "-c", passwords, username, password}, dir_ + "/passwd.log");
  if (pid > 0) waitpid(pid, nullptr, 0);
  std::filesystem::permissions(
      passwords, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  // `user root` keeps mosquitto from switching to its own user when run as
  // root (it could not read the password file then).
  std::ofstream(dir_ + "/mosquitto.conf") << "listener " << port_ << " 127.0.0.1\n"
                                          << "allow_anonymous false\n"
                                          << "password_file " << passwords << "\n"
                                          << "persistence false\n"
                                          << (geteuid() == 0 ? "user root\n" : "");
}

MosquittoBroker::~MosquittoBroker() {
  Stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

bool MosquittoBroker::Start() {
  pid_ = Spawn({"mosquitto", "-c", dir_ + "/mosquitto.conf"}, dir_ + "/mosquitto.log");
  if (pid_ <= 0) return false;
  for (int i = 0; i < 200; ++i) {
    const int fd = ConnectLoopback(port_);
    if (fd >= 0) {
      close(fd);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

void MosquittoBroker::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

MqttSubscriber::MqttSubscriber() {
  mosquitto_lib_init();
  mosq_ = mosquitto_new(nullptr, true, this);
  mosquitto_message_callback_set(mosq_, &MqttSubscriber::OnMessage);
  mosquitto_subscribe_callback_set(mosq_, &MqttSubscriber::OnSubscribe);
}

MqttSubscriber::~MqttSubscriber() {
  mosquitto_disconnect(mosq_);
  mosquitto_loop_stop(mosq_, false);
  mosquitto_destroy(mosq_);
  mosquitto_lib_cleanup();
}

bool MqttSubscriber::Connect(int port, const std::string& username, const std::string& password,
                             const std::string& filter) {
  mosquitto_username_pw_set(mosq_, username.c_str(), password.c_str());
  if (mosquitto_connect(mosq_, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS) return false;
  if (mosquitto_loop_start(mosq_) != MOSQ_ERR_SUCCESS) return false;
  if (mosquitto_subscribe(mosq_, nullptr, filter.c_str(), 1) != MOSQ_ERR_SUCCESS) return false;
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, std::chrono::seconds(5), [this] { return subscribed_; });
}

std::optional<ReceivedMessage> MqttSubscriber::WaitFor(const std::string& topic,
                                                       const std::string& needle,
                                                       std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  std::optional<ReceivedMessage> found;
  changed_.wait_for(lock, timeout, [&] {
    for (const ReceivedMessage& message : messages_) {
      if (message.topic == topic && message.payload.find(needle) != std::string::npos) {
        found = message;
        return true;
      }
    }
    return false;
  });
  return found;
}

void MqttSubscriber::OnMessage(struct mosquitto*, void* self,
                               const struct mosquitto_message* message) {
  auto* subscriber = static_cast<MqttSubscriber*>(self);
  std::lock_guard lock(subscriber->mu_);
  subscriber->messages_.push_back(
      {message->topic, std::string(static_cast<const char*>(message->payload), message->payloadlen),
       message->retain});
  subscriber->changed_.notify_all();
}

void MqttSubscriber::OnSubscribe(struct mosquitto*, void* self, int, int, const int*) {
  auto* subscriber = static_cast<MqttSubscriber*>(self);
  std::lock_guard lock(subscriber->mu_);
  subscriber->subscribed_ = true;
  subscriber->changed_.notify_all();
}

std::string HttpGet(int port, const std::string& path) {
  const int fd = ConnectLoopback(port);
  if (fd < 0) return "";
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return "";
  }
  std::string response;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof(buffer))) > 0) response.append(buffer, n);
  close(fd);
  const size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? "" : response.substr(body + 4);
}

}  // namespace plaza::adapter::testing
