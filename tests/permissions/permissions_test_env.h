// What the permissions integration tests share: a real plaza-broker loading
// the attributes fixture and the permissions plugin with a rules file in a
// temporary directory; a way to give a client a role the way the auth and
// rooms plugins would (an attribute, set through the fixture); MQTT 5
// packets built by hand for what the 3.1.1 test clients cannot show (the
// reason code of a PUBACK, the DISCONNECT of a kick); and the /metrics page.
#ifndef PLAZA_TESTS_PERMISSIONS_PERMISSIONS_TEST_ENV_H_
#define PLAZA_TESTS_PERMISSIONS_PERMISSIONS_TEST_ENV_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker_process.h"
#include "mqtt_test_clients.h"
#include "raw_mqtt_client.h"

namespace plaza::testing {

struct PermissionsSetup {
  std::string rules;                                           // the rules file
  uint32_t watch_interval_ms = 100;                            // 0: SIGHUP only
  std::string users = "{watcher: [service], pub: [service]}";  // the static table
  // Serve /metrics (for Metric()). Off unless needed: the broker takes
  // longer to stop with it.
  bool metrics = false;
};

class PermissionsBroker {
 public:
  // Starts the broker (two workers; metrics on a free port if asked) and
  // waits for the plugin's "rules from" line.
  bool Start(const PermissionsSetup& setup);
  const std::string& error() const { return error_; }

  BrokerProcess& broker() { return broker_; }
  uint16_t port() const { return broker_.port(); }
  const std::string& rules_path() const { return rules_path_; }

  // Rewrites the rules file in place.
  void WriteRules(std::string_view rules);
  // Writes the rules to a new file and renames it over the old one.
  void ReplaceRules(std::string_view rules);

  // Sends SIGHUP (the broker.yaml is left as it is) and waits for the
  // plugin's answer after the log's current end: "rules reloaded" or "rules
  // refused". False if neither came.
  bool Reload();

  // Waits for `needle` in the log from byte `from` on.
  bool WaitForLog(std::string_view needle, size_t from = 0) {
    return broker_.WaitForLog(needle, kWait, from);
  }
  // The value of a plugin metric, plaza_plugin_permissions_<name>.
  double Metric(const std::string& name);

 private:
  TempDir dir_;
  std::string rules_path_;
  BrokerProcess broker_;
  std::string error_;
};

// A libmosquitto client connected as `username` (none if empty); null,
// with a test failure, if it could not connect.
std::unique_ptr<MosqClient> ConnectAs(uint16_t port, const std::string& client_id,
                                      const std::string& username = "", bool clean_session = true);
// A client of the service account "watcher" subscribed to everything.
std::unique_ptr<MosqClient> Watch(uint16_t port);

// What `client` receives up to the message whose payload is `marker`: the
// topics, or the payloads.
template <typename Client>
std::vector<std::string> TopicsUntil(Client& client, const std::string& marker) {
  std::vector<std::string> topics;
  for (const Received& message : ReceiveUntil(client, marker)) topics.push_back(message.topic);
  return topics;
}
template <typename Client>
std::vector<std::string> PayloadsUntil(Client& client, const std::string& marker) {
  std::vector<std::string> payloads;
  for (const Received& message : ReceiveUntil(client, marker)) payloads.push_back(message.payload);
  return payloads;
}

// Sets (or, with nullopt, deletes) attribute `key` of the client through
// the attributes fixture; true once the PUBLISH is acknowledged, which is
// after the attribute changed.
bool SetAttribute(MosqClient& client, const std::string& key,
                  const std::optional<std::string>& value);

// A MQTT 5 connection from raw packets.
class V5Connection {
 public:
  // CONNECT (clean start, the user name if not empty) and CONNACK; false
  // unless the broker accepted it.
  bool Connect(uint16_t port, std::string_view client_id, std::string_view username = "");
  // PUBLISH at QoS 1 with `packet_id`; the PUBACK's reason code, or -1.
  int PublishQos1(std::string_view topic, std::string_view payload, uint16_t packet_id);
  // SUBSCRIBE one filter at QoS 1; the SUBACK's reason code, or -1.
  int Subscribe(std::string_view filter, uint16_t packet_id);
  // PUBLISH at QoS 0 (no answer).
  bool PublishQos0(std::string_view topic, std::string_view payload);
  // The reason code of a DISCONNECT from the broker, if one arrives before
  // `timeout` (other packets are skipped); nullopt otherwise.
  std::optional<int> WaitForDisconnect(milliseconds timeout = kWait);
  raw::Client& socket() { return socket_; }

 private:
  raw::Client socket_;
};

}  // namespace plaza::testing

#endif  // PLAZA_TESTS_PERMISSIONS_PERMISSIONS_TEST_ENV_H_
