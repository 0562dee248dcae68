// plugins/mosquitto_compat in the real broker, running Debian's own
// mosquitto_dynamic_security.so unrecompiled: a client, a role and its ACLs
// are created through the plugin's $CONTROL/dynamic-security/v1 JSON API,
// then that client is admitted, refused and filtered exactly as configured.
// A missing mosquitto plugin stops the broker's start with its path named.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "broker_process.h"
#include "mqtt_test_clients.h"

namespace plaza::testing {
namespace {

constexpr char kControl[] = "$CONTROL/dynamic-security/v1";
constexpr char kResponse[] = "$CONTROL/dynamic-security/v1/response";

std::string CompatYaml(const std::string& plugin, const std::string& dynsec_file) {
  return std::string("plugins:\n  - path: ") + PLAZA_MOSQUITTO_COMPAT +
         "\n    name: dynsec\n    config:\n      plugin: " + plugin +
         "\n      options:\n        config_file: " + dynsec_file + "\n";
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class MosquittoDynsecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string file = dir_.path() + "/dynamic-security.json";
    // Debian's own tool writes the initial file: an admin with the admin role.
    const CommandResult init =
        RunCommand({"mosquitto_ctrl", "dynsec", "init", file, "admin", "admin-password"});
    ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
    ASSERT_TRUE(broker_.Start(WithConfig(CompatYaml(PLAZA_DYNSEC_PLUGIN, file))))
        << broker_.error();
    ASSERT_TRUE(broker_.WaitForLog("[dynsec] running mosquitto plugin")) << broker_.log();
  }

  // Sends one JSON command document as the admin and returns the response.
  std::string Control(MosqClient& admin, const std::string& json) {
    if (!admin.Publish(kControl, json, 1)) return "publish failed: " + admin.error();
    const auto response = admin.Receive();
    if (!response) return "no response";
    EXPECT_EQ(response->topic, kResponse);
    return response->payload;
  }

  TempDir dir_;
  BrokerProcess broker_;
};

TEST_F(MosquittoDynsecTest, ClientRoleAndAclsApplyAsConfigured) {
  MosqClient admin(broker_.port(), "admin-1");
  ASSERT_TRUE(admin.SetCredentials("admin", "admin-password"));
  ASSERT_TRUE(admin.Connect()) << admin.error();
  ASSERT_EQ(admin.Subscribe(kResponse, 1), 1);

  std::string response = Control(
      admin,
      R"({"commands":[{"command":"createClient","username":"alice","password":"alice-pw"}]})");
  EXPECT_TRUE(Contains(response, R"("command":"createClient")")) << response;
  EXPECT_FALSE(Contains(response, "error")) << response;
  response = Control(admin, R"({"commands":[{"command":"createRole","rolename":"visitor"}]})");
  EXPECT_FALSE(Contains(response, "error")) << response;
  response = Control(admin, R"({"commands":[
      {"command":"addRoleACL","rolename":"visitor","acltype":"publishClientSend",
       "topic":"allowed/#","allow":true},
      {"command":"addRoleACL","rolename":"visitor","acltype":"subscribePattern",
       "topic":"allowed/#","allow":true}]})");
  EXPECT_TRUE(Contains(response, R"("command":"addRoleACL")")) << response;
  EXPECT_FALSE(Contains(response, "error")) << response;
  response = Control(
      admin,
      R"({"commands":[{"command":"addClientRole","username":"alice","rolename":"visitor"}]})");
  EXPECT_FALSE(Contains(response, "error")) << response;
  // The commands went to the plugin only, never to subscribers.
  EXPECT_TRUE(broker_.WaitForLog("dynsec: admin-1/admin | addClientRole | username=alice"))
      << broker_.log();

  // A wrong password is refused, by libmosquitto and by mosquitto_pub.
  MosqClient wrong(broker_.port(), "alice-wrong");
  ASSERT_TRUE(wrong.SetCredentials("alice", "not-her-password"));
  EXPECT_FALSE(wrong.Connect());
  const CommandResult refused =
      RunCommand({"mosquitto_pub", "-h", "127.0.0.1", "-p", std::to_string(broker_.port()), "-u",
                  "alice", "-P", "nope", "-t", "allowed/x", "-m", "x"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(Contains(refused.err, "bad user name or password") ||
              Contains(refused.err, "not authorised"))
      << refused.err;

  MosqClient alice(broker_.port(), "alice-1");
  ASSERT_TRUE(alice.SetCredentials("alice", "alice-pw"));
  ASSERT_TRUE(alice.Connect()) << alice.error();
  EXPECT_EQ(alice.Subscribe("allowed/#", 1), 1);
  EXPECT_EQ(alice.Subscribe("secret/#", 1), 0x80);

  // The admin role may subscribe to everything: it watches what gets through.
  ASSERT_EQ(admin.Subscribe("#", 1), 1);
  ASSERT_TRUE(alice.Publish("secret/x", "hidden", 1)) << alice.error();
  ASSERT_TRUE(alice.Publish("allowed/x", "visible", 1)) << alice.error();
  ASSERT_TRUE(alice.Publish("allowed/end", "end", 1)) << alice.error();
  EXPECT_EQ(ReceiveUntil(admin, "end"),
            (std::vector<Received>{Msg("allowed/x", "visible", 1), Msg("allowed/end", "end", 1)}));
  EXPECT_EQ(ReceiveUntil(alice, "end"),
            (std::vector<Received>{Msg("allowed/x", "visible", 1), Msg("allowed/end", "end", 1)}));
  ASSERT_TRUE(alice.Disconnect());
  ASSERT_TRUE(admin.Disconnect());
}

TEST_F(MosquittoDynsecTest, OnlyAllowedClientsSendCommands) {
  MosqClient admin(broker_.port(), "admin-1");
  ASSERT_TRUE(admin.SetCredentials("admin", "admin-password"));
  ASSERT_TRUE(admin.Connect()) << admin.error();
  ASSERT_EQ(admin.Subscribe(kResponse, 1), 1);
  std::string response = Control(
      admin, R"({"commands":[{"command":"createClient","username":"bob","password":"bob-pw"}]})");
  EXPECT_FALSE(Contains(response, "error")) << response;

  // bob has no role: his command is dropped, and the admin's next answer
  // shows that "mallory" was never created.
  MosqClient bob(broker_.port(), "bob-1");
  ASSERT_TRUE(bob.SetCredentials("bob", "bob-pw"));
  ASSERT_TRUE(bob.Connect()) << bob.error();
  ASSERT_TRUE(bob.Publish(
      kControl, R"({"commands":[{"command":"createClient","username":"mallory","password":"m"}]})",
      1));
  EXPECT_TRUE(broker_.WaitForLog("[dynsec] denied bob-1 sending to $CONTROL/dynamic-security/v1"))
      << broker_.log();
  response = Control(admin, R"({"commands":[{"command":"getClient","username":"mallory"}]})");
  EXPECT_TRUE(Contains(response, R"("command":"getClient")")) << response;
  EXPECT_TRUE(Contains(response, "not found")) << response;
}

TEST(MosquittoCompatTest, MissingMosquittoPluginStopsTheStart) {
  TempDir dir;
  const std::string missing = dir.path() + "/no_such_mosquitto_plugin.so";
  const std::string config =
      dir.WriteFile("broker.yaml", CompatYaml(missing, dir.path() + "/dynsec.json"));
  const CommandResult result =
      RunCommand({BrokerPath(), "--bind", "127.0.0.1", "-p", "0", "-c", config});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_TRUE(Contains(result.err, "cannot load mosquitto plugin " + missing)) << result.err;
}

}  // namespace
}  // namespace plaza::testing
