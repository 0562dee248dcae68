// The ownership integration tests' shared pieces (ownership_test_env.h).
#include "ownership_test_env.h"

#include "metrics_page.h"

namespace plaza::testing {

std::string OwnershipBrokerYaml(const std::string& ownership_config) {
  return std::string("plugins:\n") + "  - path: " + PLAZA_MEMBERSHIP_FIXTURE +
         "\n    name: membership\n" + "  - path: " + PLAZA_OWNERSHIP_PLUGIN +
         "\n    name: ownership\n" +
         (ownership_config.empty() ? "" : "    config:\n" + ownership_config);
}

bool StartOwnershipBroker(BrokerProcess* broker, const std::string& ownership_config,
                          bool metrics) {
  std::vector<std::string> args = {"--threads", "2"};
  if (metrics) args.insert(args.end(), {"--metrics-listen", "127.0.0.1:0"});
  return broker->Start(WithConfig(OwnershipBrokerYaml(ownership_config), args)) &&
         broker->WaitForLog("[ownership] started: payload_format");
}

std::string ConnectMember(V5Client& client) {
  if (!client.Connect()) return client.error();
  const int code = client.Publish("rooms/r/join", "");
  return code == 0 ? "" : "join: reason code " + std::to_string(code) + " " + client.error();
}

bool MetricReads(const BrokerProcess& broker, const std::string& name, const std::string& value) {
  const std::string line = "plaza_plugin_ownership_" + name + " " + value + "\n";
  return WaitUntil([&] { return MetricsPage(broker).find(line) != std::string::npos; });
}

plaza::room::v1::Reply ParseReply(const std::string& payload) {
  plaza::room::v1::Reply reply;
  reply.ParseFromString(payload);
  return reply;
}

plaza::room::v1::ItemOwner ParseOwner(const std::string& payload) {
  plaza::room::v1::ItemOwner owner;
  owner.ParseFromString(payload);
  return owner;
}

std::string RequestPayload(const std::string& to_user_id, uint64_t epoch) {
  plaza::room::v1::ItemRequest request;
  request.set_to_user_id(to_user_id);
  request.set_epoch(epoch);
  return request.SerializeAsString();
}

std::string ReplyTopic(const std::string& room) { return "rooms/" + room + "/server/reply"; }

std::string ItemTopic(const std::string& room, const std::string& item, const std::string& what) {
  return "rooms/" + room + "/items/" + item + "/" + what;
}

}  // namespace plaza::testing
