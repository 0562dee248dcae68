// YAML to BrokerConfig. Every key is known: a misspelt key is an error, not
// a silently ignored setting.
#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <limits>
#include <sstream>

namespace plaza::broker {
namespace {

class ConfigError {
 public:
  ConfigError(const YAML::Node& node, std::string message)
      : line_(node.Mark().line + 1), message_(std::move(message)) {}
  int line() const { return line_; }
  const std::string& message() const { return message_; }

 private:
  int line_;
  std::string message_;
};

// Reads an unsigned integer in [min, max] from `node` (the value of `key`).
template <typename T>
T ReadUnsigned(const YAML::Node& node, const std::string& key, uint64_t min, uint64_t max) {
  if (!node.IsScalar()) throw ConfigError(node, "'" + key + "' must be a number");
  const std::string& text = node.Scalar();
  uint64_t value = 0;
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
    throw ConfigError(node, "'" + key + "' must be a whole number, not '" + text + "'");
  }
  try {
    value = std::stoull(text);
  } catch (...) {
    throw ConfigError(node, "'" + key + "' is too large");
  }
  if (value < min || value > max) {
    throw ConfigError(node, "'" + key + "' must be between " + std::to_string(min) + " and " +
                                std::to_string(max) + ", not " + text);
  }
  return static_cast<T>(value);
}

std::string ReadString(const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) throw ConfigError(node, "'" + key + "' must be a string");
  return node.Scalar();
}

void RequireMap(const YAML::Node& node, const std::string& what) {
  if (!node.IsMap()) throw ConfigError(node, what + " must be a mapping of keys to values");
}

void ParseListeners(const YAML::Node& node, std::vector<ListenerConfig>* listeners) {
  if (!node.IsSequence() || node.size() == 0) {
    throw ConfigError(node, "'listeners' must be a non-empty list of {bind, port}");
  }
  listeners->clear();
  for (const YAML::Node& item : node) {
    RequireMap(item, "each listener");
    ListenerConfig listener;
    for (const auto& entry : item) {
      const std::string key = entry.first.Scalar();
      if (key == "bind") {
        listener.bind = ReadString(entry.second, "bind");
      } else if (key == "port") {
        listener.port = ReadUnsigned<uint16_t>(entry.second, "port", 0, 65535);
      } else {
        throw ConfigError(entry.first, "unknown listener key '" + key + "' (bind, port)");
      }
    }
    listeners->push_back(listener);
  }
}

void ParseLimits(const YAML::Node& node, ServerOptions* server) {
  RequireMap(node, "'limits'");
  Limits& limits = server->limits;
  constexpr uint64_t kMax32 = std::numeric_limits<uint32_t>::max();
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    const YAML::Node& value = entry.second;
    if (key == "max_connections") {
      server->max_connections = ReadUnsigned<size_t>(value, key, 0, kMax32);
    } else if (key == "max_packet_size") {
      // The largest the remaining-length encoding allows, plus its header.
      limits.max_packet_size = ReadUnsigned<size_t>(value, key, 16, 268'435'460);
    } else if (key == "max_inflight") {
      limits.max_inflight = ReadUnsigned<uint32_t>(value, key, 1, 65535);
    } else if (key == "max_queued_messages") {
      limits.max_queued_messages = ReadUnsigned<uint32_t>(value, key, 0, kMax32);
    } else if (key == "max_queued_bytes") {
      limits.max_queued_bytes = ReadUnsigned<size_t>(value, key, 1024, kMax32);
    } else if (key == "max_topic_length") {
      limits.max_topic_length = ReadUnsigned<size_t>(value, key, 1, 65535);
    } else if (key == "max_topic_levels") {
      limits.max_topic_levels = ReadUnsigned<size_t>(value, key, 1, 65535);
    } else if (key == "max_subscriptions_per_client") {
      limits.max_subscriptions_per_client = ReadUnsigned<size_t>(value, key, 1, kMax32);
    } else if (key == "connect_timeout_ms") {
      limits.connect_timeout_ms = ReadUnsigned<uint32_t>(value, key, 100, 3'600'000);
    } else if (key == "max_keep_alive") {
      limits.max_keep_alive = ReadUnsigned<uint16_t>(value, key, 0, 65535);
    } else if (key == "max_outbound_topic_aliases") {
      limits.max_outbound_topic_aliases = ReadUnsigned<uint16_t>(value, key, 0, 65535);
    } else {
      throw ConfigError(entry.first, "unknown key 'limits." + key + "'");
    }
  }
}

// "build/x/libplaza_rooms.so" -> "plaza_rooms"
std::string NameFromPath(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  if (name.starts_with("lib")) name.erase(0, 3);
  const size_t dot = name.find('.');
  if (dot != std::string::npos) name.erase(dot);
  return name;
}

void ParsePlugins(const YAML::Node& node, std::vector<PluginConfig>* plugins) {
  if (!node.IsSequence()) throw ConfigError(node, "'plugins' must be a list of {path, config}");
  plugins->clear();
  for (const YAML::Node& item : node) {
    RequireMap(item, "each plugin");
    PluginConfig plugin;
    bool has_path = false;
    for (const auto& entry : item) {
      const std::string key = entry.first.Scalar();
      if (key == "path") {
        plugin.path = ReadString(entry.second, "path");
        has_path = !plugin.path.empty();
      } else if (key == "name") {
        plugin.name = ReadString(entry.second, "name");
      } else if (key == "config") {
        YAML::Emitter out;
        out << entry.second;
        plugin.config_yaml = out.c_str();
      } else if (key == "pending_timeout_ms") {
        plugin.pending_timeout_ms = ReadUnsigned<uint32_t>(entry.second, key, 10, 600'000);
      } else if (key == "on_timeout") {
        const std::string policy = ReadString(entry.second, key);
        if (policy != "deny" && policy != "allow") {
          throw ConfigError(entry.second,
                            "'on_timeout' must be deny or allow, not '" + policy + "'");
        }
        plugin.fail_open = policy == "allow";
      } else {
        throw ConfigError(entry.first, "unknown plugin key '" + key +
                                           "' (path, name, config, pending_timeout_ms, "
                                           "on_timeout)");
      }
    }
    if (!has_path) throw ConfigError(item, "a plugin needs a 'path'");
    if (plugin.name.empty()) plugin.name = NameFromPath(plugin.path);
    for (const PluginConfig& other : *plugins) {
      if (other.name == plugin.name) {
        throw ConfigError(item, "two plugins are named '" + plugin.name + "'; give one a 'name'");
      }
    }
    plugins->push_back(std::move(plugin));
  }
}

}  // namespace

BrokerConfig DefaultConfig() {
  BrokerConfig config;
  config.server.listeners.push_back(ListenerConfig{});
  return config;
}

bool ParseConfig(std::string_view text, std::string_view source, BrokerConfig* config,
                 std::string* error) {
  BrokerConfig parsed = DefaultConfig();
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (root.IsNull()) {
      *config = parsed;
      return true;
    }
    RequireMap(root, "the configuration");
    for (const auto& entry : root) {
      const std::string key = entry.first.Scalar();
      const YAML::Node& value = entry.second;
      if (key == "listeners") {
        ParseListeners(value, &parsed.server.listeners);
      } else if (key == "threads") {
        parsed.server.threads = ReadUnsigned<size_t>(value, key, 0, 1024);
      } else if (key == "idle_spin_us") {
        parsed.server.idle_spin_us = ReadUnsigned<uint32_t>(value, key, 0, 10'000);
      } else if (key == "log_level") {
        const std::string name = ReadString(value, key);
        const auto level = ParseLogLevel(name);
        if (!level) {
          throw ConfigError(
              value, "'log_level' must be debug, info, warning or error, not '" + name + "'");
        }
        parsed.log_level = *level;
      } else if (key == "limits") {
        ParseLimits(value, &parsed.server);
      } else if (key == "plugins") {
        ParsePlugins(value, &parsed.plugins);
      } else if (key == "metrics") {
        RequireMap(value, "'metrics'");
        for (const auto& item : value) {
          const std::string metrics_key = item.first.Scalar();
          if (metrics_key != "listen") {
            throw ConfigError(item.first, "unknown key 'metrics." + metrics_key + "' (listen)");
          }
          parsed.metrics_listen = ReadString(item.second, "listen");
        }
      } else {
        throw ConfigError(entry.first, "unknown key '" + key + "'");
      }
    }
  } catch (const ConfigError& e) {
    *error = std::string(source) + ":" + std::to_string(e.line()) + ": " + e.message();
    return false;
  } catch (const YAML::Exception& e) {
    *error = std::string(source) + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg;
    return false;
  }
  *config = parsed;
  return true;
}

bool LoadConfig(const std::string& path, BrokerConfig* config, std::string* error) {
  std::ifstream file(path);
  if (!file) {
    *error = path + ": cannot be read";
    return false;
  }
  std::ostringstream text;
  text << file.rdbuf();
  return ParseConfig(text.str(), path, config, error);
}

}  // namespace plaza::broker
