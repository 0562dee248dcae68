// The permissions integration tests' environment; see permissions_test_env.h.
#include "permissions_test_env.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <vector>

namespace plaza::testing {
namespace {

void PutString(std::string* out, std::string_view text) {
  out->push_back(static_cast<char>(text.size() >> 8));
  out->push_back(static_cast<char>(text.size() & 0xff));
  out->append(text);
}

std::string Frame(uint8_t first_byte, std::string_view body) {
  return raw::FixedHeader(first_byte, body.size()) + std::string(body);
}

}  // namespace

bool PermissionsBroker::Start(const PermissionsSetup& setup) {
  rules_path_ = dir_.WriteFile("permissions.yaml", setup.rules);
  const std::string yaml =
      std::string("plugins:\n") + "  - path: " + PLAZA_ATTRIBUTES_FIXTURE + "\n" +
      "    name: attributes\n" + "  - path: " + PLAZA_PERMISSIONS_PLUGIN + "\n" +
      "    name: permissions\n" + "    config:\n" + "      rules_file: " + rules_path_ + "\n" +
      "      watch_interval_ms: " + std::to_string(setup.watch_interval_ms) + "\n" +
      "      users: " + setup.users + "\n";
  std::vector<std::string> args = {"--threads", "2"};
  if (setup.metrics) args.insert(args.end(), {"--metrics-listen", "127.0.0.1:0"});
  if (!broker_.Start(WithConfig(yaml, args))) {
    error_ = broker_.error();
    return false;
  }
  if (!broker_.WaitForLog("[permissions] rules from " + rules_path_)) {
    error_ = "the plugin did not load its rules:\n" + broker_.log();
    return false;
  }
  return true;
}

void PermissionsBroker::WriteRules(std::string_view rules) {
  FILE* file = std::fopen(rules_path_.c_str(), "w");
  if (!file) return;
  std::fwrite(rules.data(), 1, rules.size(), file);
  std::fclose(file);
}

void PermissionsBroker::ReplaceRules(std::string_view rules) {
  const std::string fresh = dir_.WriteFile("permissions.yaml.new", rules);
  std::rename(fresh.c_str(), rules_path_.c_str());
}

bool PermissionsBroker::Reload() {
  const size_t from = broker_.log_size();
  if (!broker_.Signal(SIGHUP)) return false;
  return WaitUntil([&] {
    const std::string log = broker_.log().substr(from);
    return log.find("[permissions] rules reloaded") != std::string::npos ||
           log.find("[permissions] rules refused") != std::string::npos;
  });
}

double PermissionsBroker::Metric(const std::string& name) {
  const std::string log = broker_.log();
  const std::string marker = "metrics on 127.0.0.1:0 (port ";
  const size_t at = log.find(marker);
  if (at == std::string::npos) return -1;
  const size_t start = at + marker.size();
  const std::string port = log.substr(start, log.find(')', start) - start);
  const std::string page = RunCommand({"curl", "-s", "http://127.0.0.1:" + port + "/metrics"}).out;
  // One series per plugin metric, possibly with labels.
  const std::string full = "\nplaza_plugin_permissions_" + name;
  const size_t line = page.find(full);
  if (line == std::string::npos) return -1;
  const size_t value = page.find(' ', line + full.size());
  return std::stod(page.substr(value + 1));
}

std::unique_ptr<MosqClient> ConnectAs(uint16_t port, const std::string& client_id,
                                      const std::string& username, bool clean_session) {
  auto client = std::make_unique<MosqClient>(port, client_id, clean_session);
  if (!username.empty() && !client->SetCredentials(username)) {
    ADD_FAILURE() << "cannot set the user name " << username;
    return nullptr;
  }
  if (!client->Connect()) {
    ADD_FAILURE() << client_id << " cannot connect: " << client->error();
    return nullptr;
  }
  return client;
}

std::unique_ptr<MosqClient> Watch(uint16_t port) {
  std::unique_ptr<MosqClient> watcher = ConnectAs(port, "watcher", "watcher");
  if (watcher && watcher->Subscribe("#", 1) != 1) {
    ADD_FAILURE() << "the watcher may not subscribe to #: " << watcher->error();
    return nullptr;
  }
  return watcher;
}

bool SetAttribute(MosqClient& client, const std::string& key,
                  const std::optional<std::string>& value) {
  const std::string topic = "$CONTROL/attributes/" + std::string(value ? "set/" : "delete/") + key;
  return client.Publish(topic, value.value_or(""), 1);
}

bool V5Connection::Connect(uint16_t port, std::string_view client_id, std::string_view username) {
  std::string body;
  PutString(&body, "MQTT");
  body.push_back(5);                                                  // protocol level
  body.push_back(static_cast<char>(username.empty() ? 0x02 : 0x82));  // clean start, user name
  body.push_back(0);
  body.push_back(60);  // keep alive
  body.push_back(0);   // no properties
  PutString(&body, client_id);
  if (!username.empty()) PutString(&body, username);
  if (!socket_.Open(port) || !socket_.Send(Frame(raw::kConnect << 4, body))) return false;
  const std::optional<raw::Packet> connack = socket_.ReadPacket();
  return connack && connack->type == raw::kConnack && connack->body.size() >= 2 &&
         connack->body[1] == 0;
}

int V5Connection::PublishQos1(std::string_view topic, std::string_view payload,
                              uint16_t packet_id) {
  std::string body;
  PutString(&body, topic);
  body.push_back(static_cast<char>(packet_id >> 8));
  body.push_back(static_cast<char>(packet_id & 0xff));
  body.push_back(0);  // no properties
  body.append(payload);
  if (!socket_.Send(Frame((raw::kPublish << 4) | 0x02, body))) return -1;
  while (const std::optional<raw::Packet> packet = socket_.ReadPacket()) {
    if (packet->type != raw::kPuback || packet->body.size() < 2) continue;
    // Without a reason code byte, the PUBACK means success.
    return packet->body.size() > 2 ? static_cast<uint8_t>(packet->body[2]) : 0;
  }
  return -1;
}

int V5Connection::Subscribe(std::string_view filter, uint16_t packet_id) {
  std::string body;
  body.push_back(static_cast<char>(packet_id >> 8));
  body.push_back(static_cast<char>(packet_id & 0xff));
  body.push_back(0);  // no properties
  PutString(&body, filter);
  body.push_back(1);  // QoS 1
  if (!socket_.Send(Frame((raw::kSubscribe << 4) | 0x02, body))) return -1;
  while (const std::optional<raw::Packet> packet = socket_.ReadPacket()) {
    // Packet id, properties (none from this broker to a bare SUBSCRIBE), one code.
    if (packet->type != raw::kSuback || packet->body.size() < 4) continue;
    return static_cast<uint8_t>(packet->body.back());
  }
  return -1;
}

bool V5Connection::PublishQos0(std::string_view topic, std::string_view payload) {
  std::string body;
  PutString(&body, topic);
  body.push_back(0);  // no properties
  body.append(payload);
  return socket_.Send(Frame(raw::kPublish << 4, body));
}

std::optional<int> V5Connection::WaitForDisconnect(milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    const std::optional<raw::Packet> packet = socket_.ReadPacket(left);
    if (!packet) return std::nullopt;
    if (packet->type == raw::kDisconnect) {
      return packet->body.empty() ? 0 : static_cast<uint8_t>(packet->body[0]);
    }
  }
}

}  // namespace plaza::testing
