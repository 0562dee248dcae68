// The whole platform for one test: the real plaza-adapter on a fresh
// database of its own (the demo data) and the real plaza-broker with the
// demo's plugin chain -- auth, permissions, rooms (source: adapter),
// ownership -- read from config/broker.yaml itself, with only the plugin
// paths, the adapter's address and the listeners changed for the test.
// Plus what the tests do to the platform: add a user, change a room's
// settings through the adapter's gRPC API, stop and restart the adapter.
#ifndef PLAZA_TESTS_PLATFORM_PLATFORM_ENV_H_
#define PLAZA_TESTS_PLATFORM_PLATFORM_ENV_H_

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "broker_process.h"
#include "plaza/room/v1/room.pb.h"
#include "support/adapter_process.h"
#include "support/test_database.h"
#include "token_client.h"

namespace plaza::testing {

// Demo tokens (adapter/demo/demo_data.sql) and the user ids behind them.
inline constexpr char kAikoToken[] = "demo-token-aiko-0001";    // 1, event:1's artist
inline constexpr char kBenToken[] = "demo-token-ben-0002";      // 2
inline constexpr char kChloeToken[] = "demo-token-chloe-0003";  // 3, moderator
inline constexpr char kDarioToken[] = "demo-token-dario-0004";  // 4, banned from event:1, world:1
inline constexpr char kFelixToken[] = "demo-token-felix-0006";  // 6, world:1's owner
inline constexpr char kHanaToken[] = "demo-token-hana-0008";    // 8, banned from the site

// config/broker.yaml as the test runs it: the same plugins in the same
// order with the same settings, the plugins from this build, the adapter at
// `adapter_target`, rules files from the source tree, two workers, no
// metrics listener (the listener is BrokerProcess's free port). Adds a test
// failure and returns "" if the file is not the four-plugin platform.
std::string PlatformBrokerYaml(const std::string& adapter_target);

// What a join got: the PUBACK's reason code, the Reply and its user_id.
struct JoinOutcome {
  int puback = -1;
  std::optional<room::v1::Reply> reply;
  std::string user_id;
};

class PlatformTest : public ::testing::Test {
 protected:
  // Starts the adapter on a database of backend_'s engine, then the broker.
  void SetUp() override;
  void TearDown() override;

  uint16_t port() const { return broker_.port(); }

  // A client with `token`, connected (ADD_FAILURE and null if refused).
  std::unique_ptr<TokenClient> Connected(const std::string& id, const std::string& token);
  // Follows rooms/<room>/server/#, joins, waits for the Reply; the messages
  // received on the way go to *seen.
  JoinOutcome Join(TokenClient& client, const std::string& room,
                   std::vector<Received>* seen = nullptr);

  // Adds a user with a token that never expires (after the demo data).
  void AddUser(int id, const std::string& handle, const std::string& token);
  // Changes a room's volume through the adapter's PlatformService.
  ::testing::AssertionResult SetVolume(const std::string& room, float volume);
  // Stops the adapter (SIGTERM), or starts it again on its earlier port.
  ::testing::AssertionResult StopAdapter();
  ::testing::AssertionResult RestartAdapter();

  adapter::testing::Backend backend_ = adapter::testing::Backend::kSqlite;
  std::unique_ptr<adapter::testing::TestDatabase> database_;
  std::unique_ptr<adapter::testing::AdapterProcess> adapter_;
  std::string adapter_port_;
  BrokerProcess broker_;
};

// The same on each database engine (named "Sqlite", "Postgres"): without
// PostgreSQL the Postgres case skips, or fails under scripts/test.sh.
class PlatformOnEachEngineTest : public PlatformTest,
                                 public ::testing::WithParamInterface<adapter::testing::Backend> {
 protected:
  void SetUp() override;
};

}  // namespace plaza::testing

#endif  // PLAZA_TESTS_PLATFORM_PLATFORM_ENV_H_
