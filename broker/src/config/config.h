// The broker's YAML configuration: its shape, its defaults, and a loader
// that refuses a bad file with a message naming the key and the line.
//
//   listeners:
//     - bind: 127.0.0.1
//       port: 1883
//   threads: 0            # worker threads; 0 = one per core
//   idle_spin_us: 50      # poll up to this long before sleeping; 0 = never
//   log_level: info       # debug, info, warning, error
//   limits:
//     max_connections: 0  # 0 = only the descriptor limit
//     max_packet_size: 1048576
//     ...                 # see core/limits.h and docs/operations.md
//   metrics:
//     listen: 127.0.0.1:9465  # Prometheus /metrics; absent: no endpoint
//   plugins:              # loaded in order; hooks run in this order
//     - path: build/plugins/example/libplaza_example.so
//       name: example     # optional: defaults to the file name
//       config: {any: yaml}
#ifndef PLAZA_BROKER_CONFIG_CONFIG_H_
#define PLAZA_BROKER_CONFIG_CONFIG_H_

#include <string>
#include <string_view>

#include "common/log.h"
#include "net/server.h"
#include "plugin/plugin_config.h"

namespace plaza::broker {

struct BrokerConfig {
  ServerOptions server;
  std::vector<PluginConfig> plugins;  // in the order their hooks run
  std::string metrics_listen;         // "ADDR:PORT" of /metrics; empty: off
  LogLevel log_level = LogLevel::kInfo;
};

// The configuration with no file: one listener on 127.0.0.1:1883.
BrokerConfig DefaultConfig();

// Parses YAML text. `source` names it in errors ("broker.yaml:3: ...").
bool ParseConfig(std::string_view text, std::string_view source, BrokerConfig* config,
                 std::string* error);

// Reads and parses a file.
bool LoadConfig(const std::string& path, BrokerConfig* config, std::string* error);

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_CONFIG_CONFIG_H_
