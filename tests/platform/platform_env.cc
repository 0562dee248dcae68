// Starting and driving the platform of one test; see platform_env.h.
#include "platform_env.h"

#include <grpcpp/grpcpp.h>
#include <sqlite3.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <map>

#include "plaza/adapter/v1/platform.grpc.pb.h"
#include "rooms_test_support.h"

namespace plaza::testing {

using adapter::testing::AdapterProcess;
using adapter::testing::Backend;
using adapter::testing::TestDatabase;

std::string PlatformBrokerYaml(const std::string& adapter_target) {
  const std::string source = PLAZA_SOURCE_DIR;
  YAML::Node config;
  try {
    config = YAML::LoadFile(source + "/config/broker.yaml");
  } catch (const YAML::Exception& e) {
    ADD_FAILURE() << "config/broker.yaml: " << e.what();
    return "";
  }
  config.remove("listeners");
  config.remove("metrics");
  config["threads"] = 2;
  const std::map<std::string, std::string> built = {{"auth", PLAZA_AUTH_PLUGIN},
                                                    {"permissions", PLAZA_PERMISSIONS_PLUGIN},
                                                    {"rooms", PLAZA_ROOMS_PLUGIN},
                                                    {"ownership", PLAZA_OWNERSHIP_PLUGIN}};
  std::vector<std::string> names;
  for (YAML::Node plugin : config["plugins"]) {
    const std::string name = plugin["name"].as<std::string>("");
    names.push_back(name);
    const auto path = built.find(name);
    if (path == built.end()) continue;
    plugin["path"] = path->second;
    YAML::Node settings = plugin["config"];
    if (settings["adapter"]) settings["adapter"] = adapter_target;
    if (settings["rules_file"]) {
      settings["rules_file"] = source + "/" + settings["rules_file"].as<std::string>();
    }
    if (name == "rooms" && settings["source"].as<std::string>("config") != "adapter") {
      ADD_FAILURE() << "config/broker.yaml: the demo's rooms should come from the adapter";
      return "";
    }
  }
  if (names != std::vector<std::string>{"auth", "permissions", "rooms", "ownership"}) {
    ADD_FAILURE() << "config/broker.yaml: expected the plugins auth, permissions, rooms, "
                     "ownership in this order";
    return "";
  }
  YAML::Emitter out;
  out << config;
  return out.c_str();
}

void PlatformTest::SetUp() {
  database_ = TestDatabase::Create(backend_);
  ASSERT_TRUE(database_);
  adapter_ = std::make_unique<AdapterProcess>(database_->url(), AdapterProcess::DefaultConfig());
  ASSERT_TRUE(adapter_->Start());
  const std::string target = adapter_->grpc_target();
  adapter_port_ = target.substr(target.rfind(':') + 1);
  const std::string yaml = PlatformBrokerYaml(target);
  ASSERT_FALSE(yaml.empty());
  ASSERT_TRUE(broker_.Start(WithConfig(yaml))) << broker_.error();
  ASSERT_TRUE(broker_.WaitForLog("[rooms] serving the rooms of plaza-adapter")) << broker_.log();
  ASSERT_TRUE(broker_.WaitForLog("loaded plugin 'ownership'")) << broker_.log();
}

void PlatformTest::TearDown() {
  if (HasFailure()) {
    std::cerr << "broker log:\n" << broker_.log() << "\n";
    if (adapter_) std::cerr << "adapter log:\n" << adapter_->Log() << "\n";
  }
}

void PlatformOnEachEngineTest::SetUp() {
  backend_ = GetParam();
  PLAZA_REQUIRE_BACKEND(backend_);
  PlatformTest::SetUp();
}

std::unique_ptr<TokenClient> PlatformTest::Connected(const std::string& id,
                                                     const std::string& token) {
  auto client = std::make_unique<TokenClient>(port(), id, token);
  if (const int code = client->Connect(); code != 0) {
    ADD_FAILURE() << id << ": CONNACK " << code << " " << client->error();
    return nullptr;
  }
  return client;
}

JoinOutcome PlatformTest::Join(TokenClient& client, const std::string& room,
                               std::vector<Received>* seen) {
  JoinOutcome outcome;
  if (client.Subscribe("rooms/" + room + "/server/#", 1) != 1) {
    ADD_FAILURE() << "subscribing to " << room << "'s server topics: " << client.error();
    return outcome;
  }
  outcome.puback = client.Publish("rooms/" + room + "/join", "", 1);
  // The Reply, and its user property, from what arrives.
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (!outcome.reply) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    std::string user_id;
    std::optional<Received> message = client.Receive(left, &user_id);
    if (!message) break;
    if (seen) seen->push_back(*message);
    room::v1::Reply reply;
    if (message->topic == "rooms/" + room + "/server/reply" &&
        DecodePayload(message->payload, &reply)) {
      outcome.reply = reply;
      outcome.user_id = user_id;
    }
  }
  if (!outcome.reply) ADD_FAILURE() << "no Reply to the join of " << room << ": " << client.error();
  return outcome;
}

void PlatformTest::AddUser(int id, const std::string& handle, const std::string& token) {
  const std::string sql =
      "INSERT INTO users (id, handle, display_name, staff_level, account_state, created_at) "
      "VALUES (" +
      std::to_string(id) + ", '" + handle + "', '" + handle +
      "', 'user', 'active', 1700000000);"
      "INSERT INTO user_sessions (id, user_id, access_token, user_agent, created_at, expires_at) "
      "VALUES (" +
      std::to_string(100 + id) + ", " + std::to_string(id) + ", '" + token +
      "', 'test', 1700000000, 4102444800);";
  if (backend_ == Backend::kPostgres) {
    const std::string error = adapter::testing::PostgresExec(database_->url(), sql);
    ASSERT_TRUE(error.empty()) << error;
    return;
  }
  const std::string path = database_->url().substr(std::string("sqlite:").size());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK) << path;
  sqlite3_busy_timeout(db, 5000);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

::testing::AssertionResult PlatformTest::SetVolume(const std::string& room, float volume) {
  auto stub = adapter::v1::PlatformService::NewStub(
      grpc::CreateChannel(adapter_->grpc_target(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kWait);
  adapter::v1::UpdateRoomSettingsRequest request;
  request.set_room_id(room);
  request.set_volume(volume);
  adapter::v1::UpdateRoomSettingsResponse response;
  const grpc::Status status = stub->UpdateRoomSettings(&context, request, &response);
  if (!status.ok()) return ::testing::AssertionFailure() << status.error_message();
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult PlatformTest::StopAdapter() {
  const std::optional<int> code = adapter_->Stop();
  if (code != 0) return ::testing::AssertionFailure() << "the adapter did not exit cleanly";
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult PlatformTest::RestartAdapter() {
  adapter_->set_grpc_listen("127.0.0.1:" + adapter_port_);
  if (!adapter_->Start()) return ::testing::AssertionFailure() << "the adapter did not start";
  return ::testing::AssertionSuccess();
}

}  // namespace plaza::testing
