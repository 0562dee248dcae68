// Shared pieces of the rooms plugin's integration tests; see
// rooms_test_support.h.
#include "rooms_test_support.h"

#include <google/protobuf/util/json_util.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>
#include <thread>

namespace plaza::testing {

std::string RoomsBrokerYaml(const std::string& plugin_config, const std::string& extra) {
  std::string yaml =
      std::string("plugins:\n  - path: ") + PLAZA_ROOMS_PLUGIN + "\n    name: rooms\n    config:\n";
  std::istringstream lines(plugin_config);
  for (std::string line; std::getline(lines, line);) yaml += "      " + line + "\n";
  return yaml + extra;
}

::testing::AssertionResult StartRoomsBroker(BrokerProcess& broker, const std::string& plugin_config,
                                            const std::string& extra) {
  if (!broker.Start(WithConfig(RoomsBrokerYaml(plugin_config, extra),
                               {"--threads", "2", "--metrics-listen", "127.0.0.1:0"}))) {
    return ::testing::AssertionFailure() << broker.error();
  }
  if (!broker.WaitForLog("[rooms] serving")) {
    return ::testing::AssertionFailure() << "no start line from the plugin: " << broker.log();
  }
  return ::testing::AssertionSuccess();
}

std::unique_ptr<PahoClient> Watcher(uint16_t port, const std::string& filter) {
  auto watcher = std::make_unique<PahoClient>(port, "watcher");
  if (!watcher->Connect()) {
    ADD_FAILURE() << "watcher: " << watcher->error();
    return nullptr;
  }
  if (watcher->Subscribe(filter, 1) != 1) {
    ADD_FAILURE() << "watcher cannot subscribe to " << filter << ": " << watcher->error();
    return nullptr;
  }
  return watcher;
}

bool DecodePayload(const std::string& payload, google::protobuf::Message* message) {
  if (!payload.empty() && payload.front() == '{') {
    return google::protobuf::util::JsonStringToMessage(payload, message).ok();
  }
  return message->ParseFromString(payload);
}

std::vector<std::string> UserIds(const room::v1::RoomMembers& members) {
  std::vector<std::string> ids;
  for (const room::v1::Member& member : members.members()) ids.push_back(member.user_id());
  return ids;
}

std::vector<std::string> PresenceLog(const std::vector<Received>& messages) {
  std::vector<std::string> log;
  for (const Received& message : messages) {
    if (message.topic.find("/server/presence") == std::string::npos) continue;
    room::v1::PresenceEvent event;
    if (!DecodePayload(message.payload, &event)) continue;
    log.push_back(
        std::string(event.kind() == room::v1::PresenceEvent::KIND_JOINED ? "joined:" : "left:") +
        event.member().user_id());
  }
  return log;
}

bool WaitForMetric(const std::function<bool()>& condition, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return true;
}

SlowSubscriber::~SlowSubscriber() {
  if (fd_ >= 0) close(fd_);
}

bool SlowSubscriber::Connect(uint16_t port, const std::string& client_id,
                             const std::string& filter) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return false;
  const int small = 4096;
  if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) != 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return false;
  const std::string hello = raw::Connect(client_id, 0) + raw::Subscribe(1, filter, 0);
  return write(fd_, hello.data(), hello.size()) == static_cast<ssize_t>(hello.size());
}

std::vector<raw::PublishFields> SlowSubscriber::ReadAll(milliseconds idle) {
  std::vector<raw::PublishFields> publishes;
  timeval timeout{static_cast<time_t>(idle.count() / 1000),
                  static_cast<suseconds_t>(idle.count() % 1000 * 1000)};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  std::string buffer;
  char chunk[65536];
  for (ssize_t n; (n = read(fd_, chunk, sizeof(chunk))) > 0;) {
    buffer.append(chunk, static_cast<size_t>(n));
    // Whole packets: a fixed header byte, the remaining length, the body.
    while (buffer.size() >= 2) {
      size_t length = 0;
      size_t used = 1;
      bool complete = false;
      for (int shift = 0; used < buffer.size() && used < 5; shift += 7) {
        const auto byte = static_cast<uint8_t>(buffer[used++]);
        length |= static_cast<size_t>(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
          complete = true;
          break;
        }
      }
      if (!complete || buffer.size() < used + length) break;
      raw::Packet packet;
      packet.type = static_cast<uint8_t>(buffer[0]) >> 4;
      packet.flags = static_cast<uint8_t>(buffer[0]) & 0x0f;
      packet.body = buffer.substr(used, length);
      buffer.erase(0, used + length);
      if (packet.type != raw::kPublish) continue;
      if (auto publish = raw::ParsePublish(packet)) publishes.push_back(std::move(*publish));
    }
  }
  return publishes;
}

}  // namespace plaza::testing
