// The auth plugin in the real plaza-broker against the real plaza-adapter
// (SQLite demo data): platform tokens as MQTT passwords and as MQTT 5
// enhanced authentication, refusals with the adapter's reason, attributes
// the next plugin reads, service accounts, and the adapter going away and
// coming back while members stay connected.
#include <mqtt/client.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

#include "broker_process.h"
#include "mqtt_test_clients.h"
#include "support/adapter_process.h"
#include "support/test_database.h"

namespace plaza::testing {
namespace {

using adapter::testing::AdapterProcess;
using adapter::testing::Backend;
using adapter::testing::TestDatabase;
using std::chrono::milliseconds;

class AuthPluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = TestDatabase::Create(Backend::kSqlite);
    ASSERT_TRUE(database_);
    adapter_ = std::make_unique<AdapterProcess>(database_->url(), AdapterProcess::DefaultConfig());
    ASSERT_TRUE(adapter_->Start());
    const std::string yaml =
        std::string("plugins:\n  - path: ") + PLAZA_AUTH_PLUGIN +
        "\n    name: auth\n    config:\n      adapter: " + adapter_->grpc_target() +
        "\n      deadline_ms: 1000\n"
        "      service_accounts:\n"
        "        - {username: plaza-adapter, password: s3cret}\n"
        "  - path: " +
        PLAZA_ATTRIBUTES_ECHO + "\n    name: echo\n";
    ASSERT_TRUE(broker_.Start(WithConfig(yaml))) << broker_.error();
  }

  // Connects an MQTT 5 client; the CONNACK reason code (0 on success).
  int Connect5(const std::string& id, const std::string& password,
               const ::mqtt::properties& properties = {}) {
    const std::string uri = "tcp://127.0.0.1:" + std::to_string(broker_.port());
    paho_ = std::make_unique<::mqtt::client>(uri, id, ::mqtt::create_options(MQTTVERSION_5));
    auto builder = ::mqtt::connect_options_builder().mqtt_version(MQTTVERSION_5).clean_start(true);
    if (!password.empty()) builder.user_name("user").password(password);
    auto options = builder.finalize();
    options.set_properties(properties);
    try {
      paho_->connect(options);
      return 0;
    } catch (const ::mqtt::exception& e) {
      // Paho C++ reports a refusing CONNACK's reason code as the return code.
      return e.get_return_code();
    }
  }

  std::string WhoAmI(MosqClient& client) {
    if (client.Subscribe("whoami", 0) < 0) return "subscribe failed";
    const auto reply = client.Receive(milliseconds(3000));
    return reply ? reply->payload : "no reply";
  }

  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<AdapterProcess> adapter_;
  BrokerProcess broker_;
  std::unique_ptr<::mqtt::client> paho_;
};

TEST_F(AuthPluginTest, ATokenConnectsAndLaterPluginsKnowTheUser) {
  MosqClient ben(broker_.port(), "ben-phone");
  ASSERT_TRUE(ben.SetCredentials("whatever", "demo-token-ben-0002"));
  ASSERT_TRUE(ben.Connect()) << ben.error();
  EXPECT_EQ(WhoAmI(ben), "2|Ben Listener|member");
  // The same token again comes from the cache, with the same answer.
  MosqClient tablet(broker_.port(), "ben-tablet");
  ASSERT_TRUE(tablet.SetCredentials("whatever", "demo-token-ben-0002"));
  ASSERT_TRUE(tablet.Connect()) << tablet.error();
  EXPECT_EQ(WhoAmI(tablet), "2|Ben Listener|member");
}

TEST_F(AuthPluginTest, RefusalsCarryTheAdaptersReason) {
  EXPECT_EQ(Connect5("nobody", "no-such-token-0000"), 0x86);
  EXPECT_EQ(Connect5("expired", "demo-token-ben-expired"), 0x86);
  EXPECT_EQ(Connect5("hana", "demo-token-hana-0008"), 0x8A);  // banned from the site
  EXPECT_EQ(Connect5("anonymous", ""), 0x86);
  // An MQTT 3.1.1 client gets the nearest return code.
  MosqClient old(broker_.port(), "old-client");
  ASSERT_TRUE(old.SetCredentials("x", "no-such-token-0000"));
  EXPECT_FALSE(old.Connect());
  EXPECT_TRUE(broker_.WaitForLog("refusing"));
}

TEST_F(AuthPluginTest, EnhancedAuthenticationCarriesTheToken) {
  ::mqtt::properties props{
      {::mqtt::property::AUTHENTICATION_METHOD, "plaza-token"},
      {::mqtt::property::AUTHENTICATION_DATA, ::mqtt::binary("demo-token-aiko-0001")}};
  EXPECT_EQ(Connect5("aiko", "", props), 0);
  ::mqtt::properties bad{
      {::mqtt::property::AUTHENTICATION_METHOD, "plaza-token"},
      {::mqtt::property::AUTHENTICATION_DATA, ::mqtt::binary("demo-token-ben-revoked")}};
  EXPECT_EQ(Connect5("revoked", "", bad), 0x86);
  ::mqtt::properties unknown{{::mqtt::property::AUTHENTICATION_METHOD, "SCRAM-SHA-256"}};
  EXPECT_EQ(Connect5("scram", "", unknown), 0x8C);
}

TEST_F(AuthPluginTest, ServiceAccountsAreCheckedLocally) {
  MosqClient service(broker_.port(), "plaza-adapter");
  ASSERT_TRUE(service.SetCredentials("plaza-adapter", "s3cret"));
  ASSERT_TRUE(service.Connect()) << service.error();
  EXPECT_EQ(WhoAmI(service), "plaza-adapter|plaza-adapter|service");
  MosqClient impostor(broker_.port(), "impostor");
  ASSERT_TRUE(impostor.SetCredentials("plaza-adapter", "guess"));
  EXPECT_FALSE(impostor.Connect());
}

TEST_F(AuthPluginTest, AnUnreachableAdapterRefusesNewcomersButNotMembers) {
  MosqClient member(broker_.port(), "member");
  ASSERT_TRUE(member.SetCredentials("x", "demo-token-ben-0002"));
  ASSERT_TRUE(member.Connect()) << member.error();
  ASSERT_EQ(member.Subscribe("room/chat", 1), 1);
  const int port =
      std::stoi(adapter_->grpc_target().substr(adapter_->grpc_target().rfind(':') + 1));

  ASSERT_EQ(adapter_->Stop(), 0);
  // A newcomer (a token never seen, so not cached) is told to come back.
  EXPECT_EQ(Connect5("newcomer", "demo-token-aiko-0001"), 0x88);
  // The member is unaffected.
  ASSERT_TRUE(member.Publish("room/chat", "still here", 1));
  const auto echo = member.Receive(milliseconds(3000));
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->payload, "still here");

  // The adapter comes back on its address: newcomers get in again.
  adapter_ = std::make_unique<AdapterProcess>(database_->url(), AdapterProcess::DefaultConfig());
  adapter_->set_grpc_listen("127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(adapter_->Start());
  int code = -1;
  for (int attempt = 0; attempt < 50 && code != 0; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(milliseconds(200));
    code = Connect5("newcomer", "demo-token-aiko-0001");
  }
  EXPECT_EQ(code, 0);
}

}  // namespace
}  // namespace plaza::testing
