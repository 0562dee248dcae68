// examples/room_client against the real plaza-broker with the rooms (and
// ownership) plugin: two clients in one world must see each other in the
// member list and receive each other's poses, whichever payload format the
// server uses and whichever MQTT version each client speaks; a claim is
// won and shown to the other; a refused join ends the client with a clear
// message and a non-zero exit code.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "broker_process.h"

namespace plaza::testing {
namespace {

// The broker's YAML: the rooms plugin with one world (and `users`, YAML
// lines under the plugin's `users:`, if any), and optionally ownership,
// both with server payloads in `format`.
std::string BrokerYaml(const std::string& format, bool with_ownership,
                       const std::string& users = "") {
  std::string yaml = std::string("plugins:\n  - path: ") + PLAZA_ROOMS_PLUGIN +
                     "\n    name: rooms\n    config:\n"
                     "      payload_format: " +
                     format +
                     "\n      snapshot_interval_ms: 100\n"
                     "      rooms:\n"
                     "        - id: \"world:1\"\n"
                     "          kind: world\n"
                     "          capacity: 8\n"
                     "          settings: {volume: 0.5, bgm_url: \"https://example.com/a.ogg\"}\n";
  if (!users.empty()) yaml += "      users:\n" + users;
  if (with_ownership) {
    yaml += std::string("  - path: ") + PLAZA_OWNERSHIP_PLUGIN +
            "\n    name: ownership\n    config:\n      payload_format: " + format + "\n";
  }
  return yaml;
}

std::vector<std::string> ClientArgs(uint16_t port, const std::string& user,
                                    std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {PLAZA_ROOM_CLIENT, "--port",     std::to_string(port),
                                   "--user",          user,         "--room",
                                   "world:1",         "--duration", "3"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

// True if a line of `out` starts with `prefix` and contains `part`.
bool HasLine(const std::string& out, const std::string& prefix, const std::string& part) {
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(prefix, 0) == 0 && line.find(part) != std::string::npos) return true;
  }
  return false;
}

// Runs ana and ben (with their extra arguments) together until both exit.
struct TwoClients {
  CommandResult ana;
  CommandResult ben;
};
TwoClients RunTwo(uint16_t port, std::vector<std::string> ana_extra,
                  std::vector<std::string> ben_extra) {
  Command ana;
  Command ben;
  std::string error;
  EXPECT_TRUE(ana.Start(ClientArgs(port, "ana", std::move(ana_extra)), &error)) << error;
  EXPECT_TRUE(ben.Start(ClientArgs(port, "ben", std::move(ben_extra)), &error)) << error;
  return {ana.Finish(), ben.Finish()};
}

// Each client of the pair saw the other in the room and received its poses.
void ExpectMet(const TwoClients& clients) {
  for (const auto& [self, other, result] :
       {std::tuple{"ana", "ben", &clients.ana}, std::tuple{"ben", "ana", &clients.ben}}) {
    SCOPED_TRACE(std::string(self) + "'s output:\n" + result->out + result->err);
    EXPECT_EQ(result->exit_code, 0);
    EXPECT_TRUE(HasLine(result->out, "reply to rooms/world:1/join: 0x00", "joined as peer"));
    EXPECT_TRUE(HasLine(result->out, "settings: volume 0.50", "https://example.com/a.ogg"));
    EXPECT_TRUE(HasLine(result->out, "members of world:1", std::string(" ") + other + " [peer]"));
    EXPECT_TRUE(HasLine(result->out, "poses: ", std::string(other) + " "));
    EXPECT_TRUE(HasLine(result->out, "reply to rooms/world:1/leave: 0x00", "left"));
  }
}

TEST(RoomClientTest, TwoClientsMeetInAWorldWithProtobufPayloads) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithConfig(BrokerYaml("protobuf", false)))) << broker.error();
  ExpectMet(RunTwo(broker.port(), {}, {"--mqtt", "3"}));
}

TEST(RoomClientTest, TwoClientsMeetAndOneOwnsAnItemWithJsonPayloads) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithConfig(BrokerYaml("json", true)))) << broker.error();
  const TwoClients clients = RunTwo(broker.port(), {"--claim", "ball-1"}, {});
  ExpectMet(clients);
  SCOPED_TRACE("ana:\n" + clients.ana.out + "\nben:\n" + clients.ben.out);
  EXPECT_TRUE(HasLine(clients.ana.out, "reply to rooms/world:1/items/ball-1/claim: 0x00", ""));
  EXPECT_TRUE(HasLine(clients.ana.out, "publishing ball-1 state at epoch", ""));
  EXPECT_TRUE(HasLine(clients.ben.out, "item ball-1: owned by ana", "(claimed)"));
}

TEST(RoomClientTest, TheClientTakesItsUserIdFromTheJoinReply) {
  // The rooms plugin knows the MQTT user "ana" as user "u-ana": the join
  // Reply says so, and ana's poses go out under rooms/world:1/pose/u-ana.
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(
      WithConfig(BrokerYaml("json", false, "        ana: {user_id: u-ana, display_name: Ana}\n"))))
      << broker.error();
  const TwoClients clients = RunTwo(broker.port(), {}, {});
  SCOPED_TRACE("ana:\n" + clients.ana.out + clients.ana.err + "\nben:\n" + clients.ben.out);
  EXPECT_EQ(clients.ana.exit_code, 0);
  EXPECT_TRUE(HasLine(clients.ana.out, "the platform knows us as user u-ana", ""));
  EXPECT_TRUE(HasLine(clients.ben.out, "members of world:1", " u-ana \"Ana\" [peer]"));
  EXPECT_TRUE(HasLine(clients.ben.out, "poses: ", "u-ana "));
  // --user-id overrides what the reply says.
  const TwoClients overridden = RunTwo(broker.port(), {"--user-id", "ana-2"}, {});
  EXPECT_TRUE(HasLine(overridden.ana.out, "using --user-id ana-2 instead", ""));
  EXPECT_TRUE(HasLine(overridden.ben.out, "poses: ", "ana-2 "));
  // MQTT 3.1.1 has no user properties: the Reply's user_id field says it.
  const TwoClients v311 = RunTwo(broker.port(), {"--mqtt", "3"}, {});
  EXPECT_EQ(v311.ana.exit_code, 0) << v311.ana.err;
  EXPECT_TRUE(HasLine(v311.ana.out, "the platform knows us as user u-ana", ""));
  EXPECT_TRUE(HasLine(v311.ben.out, "poses: ", "u-ana "));
}

TEST(RoomClientTest, ARefusedJoinEndsTheClientWithItsReason) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithConfig(BrokerYaml("protobuf", false)))) << broker.error();
  const CommandResult result =
      RunCommand({PLAZA_ROOM_CLIENT, "--port", std::to_string(broker.port()), "--user", "ana",
                  "--room", "world:404", "--duration", "3"});
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  EXPECT_TRUE(HasLine(result.err, "the room refused the join", "0x90")) << result.err;
}

}  // namespace
}  // namespace plaza::testing
