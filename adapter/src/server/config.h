// plaza-adapter's configuration: config/adapter.yaml, then the command line
// on top. Every setting has a default that works on one machine (all
// listeners on 127.0.0.1).
#ifndef PLAZA_ADAPTER_SERVER_CONFIG_H_
#define PLAZA_ADAPTER_SERVER_CONFIG_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "push/mqtt_publisher.h"
#include "push/room_push.h"

namespace plaza::adapter::server {

struct GrpcConfig {
  std::string listen = "127.0.0.1:50051";
  int keepalive_time_ms = 300000;
  int keepalive_timeout_ms = 20000;
  bool keepalive_permit_without_calls = false;
  // Clients may ping this often at most (without being sent GOAWAY).
  int min_client_ping_interval_ms = 60000;
  // 0 turns a limit off.
  int max_connection_idle_ms = 0;
  int max_connection_age_ms = 1800000;
  int max_connection_age_grace_ms = 30000;
  int max_receive_message_bytes = 64 * 1024;
};

struct DatabaseConfig {
  std::string url = "sqlite:run/plaza-platform.db";
  int pool_size = 4;
  int statement_timeout_ms = 5000;
  int connect_timeout_s = 5;
  int acquire_timeout_ms = 2000;
  bool demo_data = false;
  // How often readiness asks the database "SELECT 1".
  int probe_interval_ms = 2000;
};

struct DrainConfig {
  // After SIGTERM: report NOT_SERVING but keep serving this long, so the load
  // balancer sees the instance go unhealthy and stops sending new calls.
  int grace_ms = 15000;
  // Then stop accepting calls and give in-flight ones this long to finish.
  int deadline_ms = 10000;
};

struct MqttConfig {
  bool enabled = true;
  push::MqttOptions options;
  push::PayloadFormat payload_format = push::PayloadFormat::kJson;
};

struct Config {
  GrpcConfig grpc;
  std::string metrics_listen = "127.0.0.1:9464";
  DatabaseConfig database;
  int worker_threads = 4;
  int worker_queue_limit = 1000;
  int room_cache_ttl_ms = 2000;
  int room_cache_max_rooms = 10000;
  int watch_poll_interval_ms = 2000;
  DrainConfig drain;
  MqttConfig mqtt;
  // Written once listening: "grpc=PORT\nmetrics=PORT\n". Empty: not written.
  std::string ports_file;
};

// Parses YAML text. Unknown keys are errors (a typo must not silently fall
// back to a default).
absl::StatusOr<Config> ParseConfigYaml(const std::string& yaml);
absl::StatusOr<Config> LoadConfigFile(const std::string& path);

// Parses argv: -c FILE, --grpc-listen, --metrics-listen, --database,
// --demo-data, --ports-file, -h. Options override the file whatever their
// order. std::nullopt when --help was asked for.
absl::StatusOr<std::optional<Config>> ConfigFromCommandLine(const std::vector<std::string>& args);

// The --help text.
extern const char kUsage[];

// Checks ranges and cross-field rules.
absl::Status ValidateConfig(const Config& config);

}  // namespace plaza::adapter::server

#endif  // PLAZA_ADAPTER_SERVER_CONFIG_H_
