// YAML and command-line parsing for the adapter's configuration.
#include "server/config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "db/database.h"

namespace plaza::adapter::server {

const char kUsage[] =
    "usage: plaza-adapter [-c FILE] [--grpc-listen ADDR:PORT] [--metrics-listen ADDR:PORT]\n"
    "                     [--database URL] [--demo-data] [--ports-file FILE]\n"
    "\n"
    "  -c, --config FILE        YAML configuration (see config/adapter.yaml)\n"
    "  --grpc-listen ADDR:PORT  gRPC listener (default 127.0.0.1:50051; port 0 picks one)\n"
    "  --metrics-listen ADDR:PORT  Prometheus /metrics listener (default 127.0.0.1:9464)\n"
    "  --database URL           sqlite:PATH or postgresql://USER@HOST:PORT/DB\n"
    "  --demo-data              load the demo data into an empty database\n"
    "  --ports-file FILE        write the bound ports there (grpc=N, metrics=N)\n"
    "  -h, --help               show this text\n";

namespace {

// Reads `node[key]` into `out` if present; type errors name the key.
template <typename T>
absl::Status Read(const YAML::Node& node, const char* key, const std::string& path, T* out) {
  const YAML::Node value = node[key];
  if (!value) return absl::OkStatus();
  try {
    *out = value.as<T>();
  } catch (const YAML::Exception&) {
    return absl::InvalidArgumentError(
        absl::StrCat("config: ", path, ".", key, " has the wrong type"));
  }
  return absl::OkStatus();
}

absl::Status OnlyKeys(const YAML::Node& node, const std::string& path,
                      const std::set<std::string>& allowed) {
  if (!node) return absl::OkStatus();
  if (!node.IsMap())
    return absl::InvalidArgumentError(absl::StrCat("config: ", path, " must be a map"));
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>();
    if (allowed.count(key) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("config: unknown key ", path.empty() ? "" : path + ".", key));
    }
  }
  return absl::OkStatus();
}

absl::Status ParseGrpc(const YAML::Node& node, GrpcConfig* grpc) {
  if (!node) return absl::OkStatus();  // section absent: defaults
  PLAZA_RETURN_IF_ERROR(OnlyKeys(
      node, "grpc",
      {"listen", "keepalive_time_ms", "keepalive_timeout_ms", "keepalive_permit_without_calls",
       "min_client_ping_interval_ms", "max_connection_idle_ms", "max_connection_age_ms",
       "max_connection_age_grace_ms", "max_receive_message_bytes"}));
  PLAZA_RETURN_IF_ERROR(Read(node, "listen", "grpc", &grpc->listen));
  PLAZA_RETURN_IF_ERROR(Read(node, "keepalive_time_ms", "grpc", &grpc->keepalive_time_ms));
  PLAZA_RETURN_IF_ERROR(Read(node, "keepalive_timeout_ms", "grpc", &grpc->keepalive_timeout_ms));
  PLAZA_RETURN_IF_ERROR(
      Read(node, "keepalive_permit_without_calls", "grpc", &grpc->keepalive_permit_without_calls));
  PLAZA_RETURN_IF_ERROR(
      Read(node, "min_client_ping_interval_ms", "grpc", &grpc->min_client_ping_interval_ms));
  PLAZA_RETURN_IF_ERROR(
      Read(node, "max_connection_idle_ms", "grpc", &grpc->max_connection_idle_ms));
  PLAZA_RETURN_IF_ERROR(Read(node, "max_connection_age_ms", "grpc", &grpc->max_connection_age_ms));
  PLAZA_RETURN_IF_ERROR(
      Read(node, "max_connection_age_grace_ms", "grpc", &grpc->max_connection_age_grace_ms));
  return Read(node, "max_receive_message_bytes", "grpc", &grpc->max_receive_message_bytes);
}

absl::Status ParseDatabase(const YAML::Node& node, DatabaseConfig* db) {
  if (!node) return absl::OkStatus();  // section absent: defaults
  PLAZA_RETURN_IF_ERROR(OnlyKeys(node, "database",
                                 {"url", "pool_size", "statement_timeout_ms", "connect_timeout_s",
                                  "acquire_timeout_ms", "demo_data", "probe_interval_ms"}));
  PLAZA_RETURN_IF_ERROR(Read(node, "url", "database", &db->url));
  PLAZA_RETURN_IF_ERROR(Read(node, "pool_size", "database", &db->pool_size));
  PLAZA_RETURN_IF_ERROR(Read(node, "statement_timeout_ms", "database", &db->statement_timeout_ms));
  PLAZA_RETURN_IF_ERROR(Read(node, "connect_timeout_s", "database", &db->connect_timeout_s));
  PLAZA_RETURN_IF_ERROR(Read(node, "acquire_timeout_ms", "database", &db->acquire_timeout_ms));
  PLAZA_RETURN_IF_ERROR(Read(node, "demo_data", "database", &db->demo_data));
  return Read(node, "probe_interval_ms", "database", &db->probe_interval_ms);
}

absl::Status ParseMqtt(const YAML::Node& node, MqttConfig* mqtt) {
  if (!node) return absl::OkStatus();  // section absent: defaults
  PLAZA_RETURN_IF_ERROR(
      OnlyKeys(node, "mqtt",
               {"enabled", "host", "port", "username", "password", "client_id", "keepalive_s",
                "reconnect_delay_min_s", "reconnect_delay_max_s", "qos", "payload_format"}));
  push::MqttOptions& o = mqtt->options;
  PLAZA_RETURN_IF_ERROR(Read(node, "enabled", "mqtt", &mqtt->enabled));
  PLAZA_RETURN_IF_ERROR(Read(node, "host", "mqtt", &o.host));
  PLAZA_RETURN_IF_ERROR(Read(node, "port", "mqtt", &o.port));
  PLAZA_RETURN_IF_ERROR(Read(node, "username", "mqtt", &o.username));
  PLAZA_RETURN_IF_ERROR(Read(node, "password", "mqtt", &o.password));
  PLAZA_RETURN_IF_ERROR(Read(node, "client_id", "mqtt", &o.client_id));
  PLAZA_RETURN_IF_ERROR(Read(node, "keepalive_s", "mqtt", &o.keepalive_seconds));
  PLAZA_RETURN_IF_ERROR(
      Read(node, "reconnect_delay_min_s", "mqtt", &o.reconnect_delay_min_seconds));
  PLAZA_RETURN_IF_ERROR(
      Read(node, "reconnect_delay_max_s", "mqtt", &o.reconnect_delay_max_seconds));
  PLAZA_RETURN_IF_ERROR(Read(node, "qos", "mqtt", &o.qos));
  std::string format = "json";
  PLAZA_RETURN_IF_ERROR(Read(node, "payload_format", "mqtt", &format));
  PLAZA_ASSIGN_OR_RETURN(mqtt->payload_format, push::ParsePayloadFormat(format));
  return absl::OkStatus();
}

absl::Status ParseInto(const YAML::Node& root, Config* config) {
  if (!root || root.IsNull()) return absl::OkStatus();
  PLAZA_RETURN_IF_ERROR(OnlyKeys(
      root, "", {"grpc", "metrics", "database", "workers", "cache", "watch", "drain", "mqtt"}));
  PLAZA_RETURN_IF_ERROR(ParseGrpc(root["grpc"], &config->grpc));
  PLAZA_RETURN_IF_ERROR(OnlyKeys(root["metrics"], "metrics", {"listen"}));
  if (root["metrics"])
    PLAZA_RETURN_IF_ERROR(Read(root["metrics"], "listen", "metrics", &config->metrics_listen));
  PLAZA_RETURN_IF_ERROR(ParseDatabase(root["database"], &config->database));
  if (const YAML::Node workers = root["workers"]) {
    PLAZA_RETURN_IF_ERROR(OnlyKeys(workers, "workers", {"threads", "queue_limit"}));
    PLAZA_RETURN_IF_ERROR(Read(workers, "threads", "workers", &config->worker_threads));
    PLAZA_RETURN_IF_ERROR(Read(workers, "queue_limit", "workers", &config->worker_queue_limit));
  }
  if (const YAML::Node cache = root["cache"]) {
    PLAZA_RETURN_IF_ERROR(OnlyKeys(cache, "cache", {"room_ttl_ms", "max_rooms"}));
    PLAZA_RETURN_IF_ERROR(Read(cache, "room_ttl_ms", "cache", &config->room_cache_ttl_ms));
    PLAZA_RETURN_IF_ERROR(Read(cache, "max_rooms", "cache", &config->room_cache_max_rooms));
  }
  if (const YAML::Node watch = root["watch"]) {
    PLAZA_RETURN_IF_ERROR(OnlyKeys(watch, "watch", {"poll_interval_ms"}));
    PLAZA_RETURN_IF_ERROR(
        Read(watch, "poll_interval_ms", "watch", &config->watch_poll_interval_ms));
  }
  if (const YAML::Node drain = root["drain"]) {
    PLAZA_RETURN_IF_ERROR(OnlyKeys(drain, "drain", {"grace_ms", "deadline_ms"}));
    PLAZA_RETURN_IF_ERROR(Read(drain, "grace_ms", "drain", &config->drain.grace_ms));
    PLAZA_RETURN_IF_ERROR(Read(drain, "deadline_ms", "drain", &config->drain.deadline_ms));
  }
  if (root["mqtt"]) PLAZA_RETURN_IF_ERROR(ParseMqtt(root["mqtt"], &config->mqtt));
  return absl::OkStatus();
}

absl::Status RequireHostPort(const char* what, const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must be ADDR:PORT (port 0 picks a free one), got \"", address, "\""));
  }
  return absl::OkStatus();
}

absl::Status RequireRange(const char* what, int value, int min, int max) {
  if (value < min || value > max) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must be between ", min, " and ", max, ", got ", value));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Config> ParseConfigYaml(const std::string& yaml) {
  Config config;
  try {
    PLAZA_RETURN_IF_ERROR(ParseInto(YAML::Load(yaml), &config));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("config: ", e.what()));
  }
  return config;
}

absl::StatusOr<Config> LoadConfigFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  std::stringstream text;
  text << file.rdbuf();
  absl::StatusOr<Config> config = ParseConfigYaml(text.str());
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

absl::StatusOr<std::optional<Config>> ConfigFromCommandLine(const std::vector<std::string>& args) {
  std::string config_path;
  std::optional<std::string> grpc_listen, metrics_listen, database, ports_file;
  bool demo_data = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const auto value = [&](std::string* out) -> absl::Status {
      if (i + 1 >= args.size())
        return absl::InvalidArgumentError(absl::StrCat(arg, " needs a value"));
      *out = args[++i];
      return absl::OkStatus();
    };
    std::string text;
    if (arg == "-h" || arg == "--help") return std::optional<Config>();
    if (arg == "-c" || arg == "--config") {
      PLAZA_RETURN_IF_ERROR(value(&config_path));
    } else if (arg == "--grpc-listen") {
      PLAZA_RETURN_IF_ERROR(value(&text));
      grpc_listen = text;
    } else if (arg == "--metrics-listen") {
      PLAZA_RETURN_IF_ERROR(value(&text));
      metrics_listen = text;
    } else if (arg == "--database") {
      PLAZA_RETURN_IF_ERROR(value(&text));
      database = text;
    } else if (arg == "--ports-file") {
      PLAZA_RETURN_IF_ERROR(value(&text));
      ports_file = text;
    } else if (arg == "--demo-data") {
      demo_data = true;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown option ", arg, "\n", kUsage));
    }
  }
  Config config;
  if (!config_path.empty()) {
    PLAZA_ASSIGN_OR_RETURN(config, LoadConfigFile(config_path));
  }
  if (grpc_listen) config.grpc.listen = *grpc_listen;
  if (metrics_listen) config.metrics_listen = *metrics_listen;
  if (database) config.database.url = *database;
  if (ports_file) config.ports_file = *ports_file;
  if (demo_data) config.database.demo_data = true;
  PLAZA_RETURN_IF_ERROR(ValidateConfig(config));
  return std::optional<Config>(std::move(config));
}

absl::Status ValidateConfig(const Config& config) {
  PLAZA_RETURN_IF_ERROR(RequireHostPort("grpc.listen", config.grpc.listen));
  PLAZA_RETURN_IF_ERROR(RequireHostPort("metrics.listen", config.metrics_listen));
  PLAZA_RETURN_IF_ERROR(db::ParseDatabaseUrl(config.database.url).status());
  PLAZA_RETURN_IF_ERROR(RequireRange("database.pool_size", config.database.pool_size, 1, 256));
  PLAZA_RETURN_IF_ERROR(RequireRange("database.statement_timeout_ms",
                                     config.database.statement_timeout_ms, 1, 600000));
  PLAZA_RETURN_IF_ERROR(
      RequireRange("database.connect_timeout_s", config.database.connect_timeout_s, 1, 600));
  PLAZA_RETURN_IF_ERROR(
      RequireRange("database.acquire_timeout_ms", config.database.acquire_timeout_ms, 1, 600000));
  PLAZA_RETURN_IF_ERROR(
      RequireRange("database.probe_interval_ms", config.database.probe_interval_ms, 10, 600000));
  PLAZA_RETURN_IF_ERROR(RequireRange("workers.threads", config.worker_threads, 1, 256));
  PLAZA_RETURN_IF_ERROR(RequireRange("workers.queue_limit", config.worker_queue_limit, 1, 1000000));
  PLAZA_RETURN_IF_ERROR(RequireRange("cache.room_ttl_ms", config.room_cache_ttl_ms, 0, 3600000));
  PLAZA_RETURN_IF_ERROR(RequireRange("cache.max_rooms", config.room_cache_max_rooms, 0, 10000000));
  PLAZA_RETURN_IF_ERROR(
      RequireRange("watch.poll_interval_ms", config.watch_poll_interval_ms, 10, 3600000));
  PLAZA_RETURN_IF_ERROR(RequireRange("drain.grace_ms", config.drain.grace_ms, 0, 3600000));
  PLAZA_RETURN_IF_ERROR(RequireRange("drain.deadline_ms", config.drain.deadline_ms, 0, 3600000));
  PLAZA_RETURN_IF_ERROR(RequireRange("mqtt.port", config.mqtt.options.port, 1, 65535));
  PLAZA_RETURN_IF_ERROR(RequireRange("mqtt.qos", config.mqtt.options.qos, 0, 2));
  PLAZA_RETURN_IF_ERROR(RequireRange("mqtt.reconnect_delay_min_s",
                                     config.mqtt.options.reconnect_delay_min_seconds, 1, 3600));
  PLAZA_RETURN_IF_ERROR(RequireRange("mqtt.reconnect_delay_max_s",
                                     config.mqtt.options.reconnect_delay_max_seconds,
                                     config.mqtt.options.reconnect_delay_min_seconds, 3600));
  return absl::OkStatus();
}

}  // namespace plaza::adapter::server
