// Configuration: the shipped file parses, the command line overrides it, and
// mistakes are reported by name.
#include <gtest/gtest.h>

#include "push/room_push.h"
#include "server/config.h"

namespace plaza::adapter::server {
namespace {

TEST(ConfigTest, ShippedConfigParses) {
  const absl::StatusOr<Config> config = LoadConfigFile(PLAZA_SOURCE_DIR "/config/adapter.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->grpc.listen, "127.0.0.1:50051");
  EXPECT_EQ(config->database.url, "sqlite:run/plaza-platform.db");
  EXPECT_TRUE(ValidateConfig(*config).ok());
}

TEST(ConfigTest, CommandLineOverridesTheFile) {
  const absl::StatusOr<std::optional<Config>> config = ConfigFromCommandLine(
      {"--grpc-listen", "127.0.0.1:0", "-c", PLAZA_SOURCE_DIR "/config/adapter.yaml",
       "--metrics-listen", "127.0.0.1:9999", "--database", "postgresql://u@h:5432/db"});
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_TRUE(config->has_value());
  EXPECT_EQ((*config)->grpc.listen, "127.0.0.1:0");
  EXPECT_EQ((*config)->metrics_listen, "127.0.0.1:9999");
  EXPECT_EQ((*config)->database.url, "postgresql://u@h:5432/db");
  EXPECT_EQ((*config)->grpc.keepalive_time_ms, 300000);  // from the file
}

TEST(ConfigTest, DefaultsWithoutAFile) {
  const absl::StatusOr<std::optional<Config>> config = ConfigFromCommandLine({});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ((*config)->grpc.listen, "127.0.0.1:50051");
  EXPECT_EQ((*config)->metrics_listen, "127.0.0.1:9464");
}

TEST(ConfigTest, HelpIsNotAnError) {
  const absl::StatusOr<std::optional<Config>> config = ConfigFromCommandLine({"--help"});
  ASSERT_TRUE(config.ok());
  EXPECT_FALSE(config->has_value());
}

TEST(ConfigTest, MistakesAreNamed) {
  const auto message = [](const absl::Status& status) { return std::string(status.message()); };
  EXPECT_NE(message(ParseConfigYaml("grpc:\n  listn: x\n").status()).find("grpc.listn"),
            std::string::npos);
  EXPECT_NE(message(ParseConfigYaml("database:\n  pool_size: many\n").status())
                .find("database.pool_size"),
            std::string::npos);
  EXPECT_NE(message(ParseConfigYaml("mqtt:\n  payload_format: xml\n").status()).find("json"),
            std::string::npos);
  EXPECT_FALSE(ConfigFromCommandLine({"--database", "mysql://x"}).ok());
  EXPECT_FALSE(ConfigFromCommandLine({"--grpc-listen", "nohost"}).ok());
  EXPECT_FALSE(ConfigFromCommandLine({"--grpc-listen", "127.0.0.1:70000"}).ok());
  EXPECT_FALSE(ConfigFromCommandLine({"--frobnicate"}).ok());
  EXPECT_FALSE(ConfigFromCommandLine({"--database"}).ok());
  EXPECT_FALSE(ConfigFromCommandLine({"-c", "/nonexistent/adapter.yaml"}).ok());
}

TEST(ConfigTest, RangesAreChecked) {
  absl::StatusOr<Config> config = ParseConfigYaml("database:\n  pool_size: 0\n");
  ASSERT_TRUE(config.ok());
  EXPECT_FALSE(ValidateConfig(*config).ok());
  config = ParseConfigYaml("mqtt:\n  qos: 3\n");
  ASSERT_TRUE(config.ok());
  EXPECT_FALSE(ValidateConfig(*config).ok());
}

}  // namespace
}  // namespace plaza::adapter::server
