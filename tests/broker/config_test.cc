// The broker configuration: defaults, every section, and refusals that name
// the key and the line.
#include "config/config.h"

#include <gtest/gtest.h>

namespace plaza::broker {
namespace {

TEST(ConfigTest, EmptyFileGivesTheDefaults) {
  BrokerConfig config;
  std::string error;
  ASSERT_TRUE(ParseConfig("", "broker.yaml", &config, &error)) << error;
  ASSERT_EQ(config.server.listeners.size(), 1u);
  EXPECT_EQ(config.server.listeners[0].bind, "127.0.0.1");
  EXPECT_EQ(config.server.listeners[0].port, 1883);
  EXPECT_EQ(config.server.limits.max_inflight, Limits{}.max_inflight);
}

TEST(ConfigTest, ReadsEverySection) {
  const char* text =
      "listeners:\n"
      "  - bind: 0.0.0.0\n"
      "    port: 1884\n"
      "  - bind: ::1\n"
      "    port: 0\n"
      "threads: 3\n"
      "idle_spin_us: 20\n"
      "log_level: debug\n"
      "limits:\n"
      "  max_connections: 500\n"
      "  max_packet_size: 65536\n"
      "  max_inflight: 5\n"
      "  max_queued_messages: 7\n"
      "  max_queued_bytes: 4096\n"
      "  max_topic_length: 100\n"
      "  max_topic_levels: 8\n"
      "  max_subscriptions_per_client: 9\n"
      "  connect_timeout_ms: 2500\n"
      "  max_keep_alive: 120\n"
      "  max_outbound_topic_aliases: 0\n";
  BrokerConfig config;
  std::string error;
  ASSERT_TRUE(ParseConfig(text, "broker.yaml", &config, &error)) << error;
  ASSERT_EQ(config.server.listeners.size(), 2u);
  EXPECT_EQ(config.server.listeners[1].bind, "::1");
  EXPECT_EQ(config.server.listeners[1].port, 0);
  EXPECT_EQ(config.server.threads, 3u);
  EXPECT_EQ(config.server.idle_spin_us, 20u);
  EXPECT_EQ(config.log_level, LogLevel::kDebug);
  EXPECT_EQ(config.server.max_connections, 500u);
  const Limits& l = config.server.limits;
  EXPECT_EQ(l.max_packet_size, 65536u);
  EXPECT_EQ(l.max_inflight, 5u);
  EXPECT_EQ(l.max_queued_messages, 7u);
  EXPECT_EQ(l.max_queued_bytes, 4096u);
  EXPECT_EQ(l.max_topic_length, 100u);
  EXPECT_EQ(l.max_topic_levels, 8u);
  EXPECT_EQ(l.max_subscriptions_per_client, 9u);
  EXPECT_EQ(l.connect_timeout_ms, 2500u);
  EXPECT_EQ(l.max_keep_alive, 120u);
  EXPECT_EQ(l.max_outbound_topic_aliases, 0u);
}

TEST(ConfigTest, KeepAliveIsUncappedAndAliasesOnByDefault) {
  BrokerConfig config;
  std::string error;
  ASSERT_TRUE(ParseConfig("limits: {}\n", "broker.yaml", &config, &error)) << error;
  EXPECT_EQ(config.server.limits.max_keep_alive, 0u);
  EXPECT_EQ(config.server.limits.max_outbound_topic_aliases, 32u);
}

TEST(ConfigTest, WorkersPollBrieflyByDefaultAndZeroTurnsItOff) {
  BrokerConfig config;
  std::string error;
  ASSERT_TRUE(ParseConfig("threads: 1\n", "broker.yaml", &config, &error)) << error;
  EXPECT_EQ(config.server.idle_spin_us, 50u);
  ASSERT_TRUE(ParseConfig("idle_spin_us: 0\n", "broker.yaml", &config, &error)) << error;
  EXPECT_EQ(config.server.idle_spin_us, 0u);
}

struct BadCase {
  const char* text;
  const char* expected;  // a part of the error
};

class ConfigRefusalTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(ConfigRefusalTest, NamesKeyAndLine) {
  BrokerConfig config;
  std::string error;
  EXPECT_FALSE(ParseConfig(GetParam().text, "broker.yaml", &config, &error));
  EXPECT_NE(error.find(GetParam().expected), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConfigRefusalTest,
    ::testing::Values(
        BadCase{"listeners:\n  - bind: 127.0.0.1\n    prot: 1883\n",
                "broker.yaml:3: unknown listener key 'prot'"},
        BadCase{"listners: []\n", "broker.yaml:1: unknown key 'listners'"},
        BadCase{"listeners:\n  - port: 70000\n",
                "broker.yaml:2: 'port' must be between 0 and 65535"},
        BadCase{"listeners: []\n", "broker.yaml:1: 'listeners' must be a non-empty list"},
        BadCase{"threads: many\n", "broker.yaml:1: 'threads' must be a whole number"},
        BadCase{"idle_spin_us: 20000\n",
                "broker.yaml:1: 'idle_spin_us' must be between 0 and 10000, not 20000"},
        BadCase{"idle_spin_us: fast\n", "broker.yaml:1: 'idle_spin_us' must be a whole number"},
        BadCase{"log_level: loud\n", "broker.yaml:1: 'log_level' must be debug"},
        BadCase{"limits:\n  max_inflight: 0\n", "broker.yaml:2: 'max_inflight' must be between"},
        BadCase{"limits:\n  max_inflihgt: 3\n", "broker.yaml:2: unknown key 'limits.max_inflihgt'"},
        BadCase{"limits: [1, 2]\n", "broker.yaml:1: 'limits' must be a mapping"},
        BadCase{"limits:\n  max_keep_alive: 65536\n",
                "broker.yaml:2: 'max_keep_alive' must be between 0 and 65535, not 65536"},
        BadCase{"limits:\n  max_keep_alive: -5\n",
                "broker.yaml:2: 'max_keep_alive' must be a whole number, not '-5'"},
        BadCase{"limits:\n  max_keep_alive: 1m\n",
                "broker.yaml:2: 'max_keep_alive' must be a whole number, not '1m'"},
        BadCase{"limits:\n  max_keep_alive: [60]\n",
                "broker.yaml:2: 'max_keep_alive' must be a number"},
        BadCase{"limits:\n  max_outbound_topic_aliases: 70000\n",
                "broker.yaml:2: 'max_outbound_topic_aliases' must be between 0 and 65535"},
        BadCase{"listeners:\n  - bind: [\n", "broker.yaml:"},
        BadCase{"- just\n- a list\n", "the configuration must be a mapping"}));

}  // namespace
}  // namespace plaza::broker
