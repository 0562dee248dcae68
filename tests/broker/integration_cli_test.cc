// plaza-broker as an operator meets it: --help, bad options, configuration
// files refused with the key and line at fault, --check-config, and the
// signals: SIGTERM and SIGINT stop it with exit code 0, SIGHUP re-reads the
// file and applies the log level and limits without dropping anyone.
#include <signal.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "broker_process.h"
#include "mqtt_test_clients.h"
#include "raw_mqtt_client.h"

namespace plaza::testing {
namespace {

bool Contains(const std::string& text, std::string_view needle) {
  return text.find(needle) != std::string::npos;
}

TEST(CliTest, HelpPrintsUsageAndExitsZero) {
  for (const char* flag : {"--help", "-h"}) {
    const CommandResult result = RunCommand({BrokerPath(), flag});
    EXPECT_EQ(result.exit_code, 0) << flag << ": " << result.err;
    EXPECT_TRUE(Contains(result.out, "Usage: plaza-broker")) << result.out;
    for (const char* option :
         {"--config", "--port", "--bind", "--threads", "--log-level", "--check-config", "SIGHUP"}) {
      EXPECT_TRUE(Contains(result.out, option)) << "usage does not mention " << option;
    }
  }
}

TEST(CliTest, VersionExitsZero) {
  const CommandResult result = RunCommand({BrokerPath(), "--version"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_TRUE(Contains(result.out, "plaza-broker")) << result.out;
}

TEST(CliTest, BadCommandLineExitsTwoWithAReason) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {{"--bogus"}, "unknown option '--bogus'"},
           {{"-p", "70000"}, "-p needs a number from 0 to 65535"},
           {{"--threads", "-1"}, "--threads needs a number"},
           {{"--log-level", "chatty"}, "unknown log level 'chatty'"},
           {{"-c"}, "-c needs a value"},
       }) {
    std::vector<std::string> argv = {BrokerPath()};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    const CommandResult result = RunCommand(argv);
    EXPECT_EQ(result.exit_code, 2) << c.args.front() << ": " << result.err;
    EXPECT_TRUE(Contains(result.err, c.message)) << result.err;
  }
}

// The refusal names the file, the line and the key, and nothing listens.
TEST(CliTest, MisspeltKeyIsRefusedWithItsLine) {
  TempDir dir;
  struct Case {
    std::string yaml;
    std::string key;
  };
  for (const Case& c : std::vector<Case>{
           {"listeners:\n  - {bind: 127.0.0.1, port: 0}\nthraeds: 2\n", "'thraeds'"},
           {"log_level: info\nlimits:\n  max_inflihgt: 10\n", "'limits.max_inflihgt'"},
           {"threads: 1\nlisteners:\n  - bnid: 127.0.0.1\n", "'bnid'"},
       }) {
    const std::string path = dir.WriteFile("bad.yaml", c.yaml);
    const CommandResult result =
        RunCommand({BrokerPath(), "-c", path, "--bind", "127.0.0.1", "-p", "0"});
    EXPECT_EQ(result.exit_code, 1) << c.yaml << result.err;
    EXPECT_TRUE(Contains(result.err, path + ":3:")) << "line 3 not named: " << result.err;
    EXPECT_TRUE(Contains(result.err, c.key)) << "key not named: " << result.err;
    EXPECT_FALSE(Contains(result.err, "listening on")) << result.err;
  }
}

TEST(CliTest, CheckConfigValidatesWithoutStarting) {
  TempDir dir;
  const std::string good = dir.WriteFile(
      "good.yaml",
      "listeners:\n  - bind: 127.0.0.1\n    port: 0\nthreads: 2\nlog_level: debug\n"
      "limits:\n  max_packet_size: 65536\n  max_inflight: 10\n  max_queued_messages: 100\n"
      "  max_queued_bytes: 65536\n  max_topic_length: 256\n  max_topic_levels: 8\n"
      "  max_subscriptions_per_client: 10\n  connect_timeout_ms: 5000\n  max_connections: 10\n");
  CommandResult result = RunCommand({BrokerPath(), "--check-config", "-c", good});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(Contains(result.out, "configuration is valid")) << result.out;
  EXPECT_FALSE(Contains(result.err, "listening on")) << result.err;

  const std::string bad = dir.WriteFile("bad.yaml", "threads: 1\nlimits:\n  max_packet_size: 8\n");
  result = RunCommand({BrokerPath(), "--check-config", "-c", bad});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(Contains(result.err, bad + ":3:")) << result.err;
  EXPECT_TRUE(Contains(result.err, "max_packet_size")) << result.err;

  const std::string broken = dir.WriteFile("broken.yaml", "threads: [1\n");
  result = RunCommand({BrokerPath(), "--check-config", "-c", broken});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(Contains(result.err, "configuration refused")) << result.err;

  result = RunCommand({BrokerPath(), "--check-config", "-c", dir.path() + "/missing.yaml"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(Contains(result.err, "missing.yaml: cannot be read")) << result.err;
}

TEST(CliTest, PortInUseIsReported) {
  BrokerProcess first;
  ASSERT_TRUE(first.Start()) << first.error();
  // Killed after 3 s if it starts anyway (and then shares the port).
  const CommandResult second =
      RunCommand({BrokerPath(), "--bind", "127.0.0.1", "-p", std::to_string(first.port())},
                 milliseconds(3000));
  EXPECT_FALSE(second.timed_out) << "a second broker started on a port in use:\n" << second.err;
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_TRUE(Contains(second.err, "cannot listen on")) << second.err;
}

TEST(CliTest, SigtermStopsWithExitCodeZero) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  MosqClient client(broker.port(), "connected-at-stop");
  ASSERT_TRUE(client.Connect()) << client.error();
  ASSERT_EQ(client.Subscribe("x", 1), 1) << client.error();
  raw::Client raw_client;
  ASSERT_TRUE(raw_client.Connect(broker.port(), "raw-at-stop"));

  ASSERT_TRUE(broker.Signal(SIGTERM));
  const std::optional<int> status = broker.WaitForExit();
  ASSERT_TRUE(status) << "still running after SIGTERM";
  EXPECT_TRUE(broker.exited_cleanly()) << broker.log();
  EXPECT_TRUE(broker.WaitForLog("stopping on")) << broker.log();
  EXPECT_TRUE(raw_client.WaitForClose());
  EXPECT_FALSE(client.Receive()) << "the client was not disconnected";
}

TEST(CliTest, SigintStopsWithExitCodeZero) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start()) << broker.error();
  ASSERT_TRUE(broker.Signal(SIGINT));
  ASSERT_TRUE(broker.WaitForExit());
  EXPECT_TRUE(broker.exited_cleanly()) << broker.log();
}

TEST(CliTest, SighupReloadsLogLevelWithoutDroppingClients) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithConfig("log_level: info\n"))) << broker.error();
  MosqClient subscriber(broker.port(), "before-reload");
  ASSERT_TRUE(subscriber.Connect()) << subscriber.error();
  ASSERT_EQ(subscriber.Subscribe("hup/#", 1), 1) << subscriber.error();
  raw::Client raw_client;
  ASSERT_TRUE(raw_client.Connect(broker.port(), "raw-before-reload"));
  // At info level a connection is not logged.
  EXPECT_EQ(broker.CountInLog("client before-reload connected"), 0u) << broker.log();

  broker.RewriteConfig("log_level: debug\n");
  ASSERT_TRUE(broker.Signal(SIGHUP));
  ASSERT_TRUE(broker.WaitForLog("configuration reloaded")) << broker.log();

  MosqClient newcomer(broker.port(), "after-reload");
  ASSERT_TRUE(newcomer.Connect()) << newcomer.error();
  EXPECT_TRUE(broker.WaitForLog("client after-reload connected")) << broker.log();
  // The connections from before are the same ones, still served.
  EXPECT_TRUE(raw_client.Ping());
  ASSERT_TRUE(newcomer.Publish("hup/t", "after reload", 1)) << newcomer.error();
  const auto got = subscriber.Receive();
  ASSERT_TRUE(got) << subscriber.error();
  EXPECT_EQ(*got, Msg("hup/t", "after reload", 1));
  EXPECT_TRUE(broker.running());
}

TEST(CliTest, SighupAppliesNewLimitsToOpenConnections) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithConfig("limits:\n  max_packet_size: 65536\n"))) << broker.error();
  raw::Client client;
  ASSERT_TRUE(client.Connect(broker.port(), "limited"));
  ASSERT_TRUE(client.Send(raw::Publish("big", std::string(4000, 'a'), 1, false, 1)));
  auto ack = client.ReadPacket();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->type, raw::kPuback);

  broker.RewriteConfig("limits:\n  max_packet_size: 1024\n");
  ASSERT_TRUE(broker.Signal(SIGHUP));
  ASSERT_TRUE(broker.WaitForLog("configuration reloaded")) << broker.log();
  // One round trip after the reload was posted: the worker has applied it
  // before it reads the next packet.
  ASSERT_TRUE(client.Ping()) << "the reload dropped the connection";
  client.Send(raw::Publish("big", std::string(4000, 'b'), 1, false, 2));
  EXPECT_TRUE(client.WaitForClose()) << "the new max_packet_size was not applied";
  EXPECT_TRUE(broker.WaitForLog("exceeds the limit of 1024")) << broker.log();
}

TEST(CliTest, SighupWithBadFileKeepsTheRunningConfiguration) {
  BrokerProcess broker;
  ASSERT_TRUE(broker.Start(WithConfig("log_level: info\n"))) << broker.error();
  raw::Client client;
  ASSERT_TRUE(client.Connect(broker.port(), "survivor"));
  broker.RewriteConfig("log_level: info\nlimts:\n  max_inflight: 5\n");
  ASSERT_TRUE(broker.Signal(SIGHUP));
  ASSERT_TRUE(broker.WaitForLog("reload refused")) << broker.log();
  EXPECT_TRUE(Contains(broker.log(), "'limts'")) << broker.log();
  EXPECT_TRUE(client.Ping());
  raw::Client newcomer;
  const auto connack = newcomer.Connect(broker.port(), "newcomer");
  ASSERT_TRUE(connack);
  EXPECT_EQ(connack->return_code, 0);
  EXPECT_TRUE(broker.running());
}

}  // namespace
}  // namespace plaza::testing
