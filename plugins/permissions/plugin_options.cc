// Reads the plugin's configuration; see plugin_options.h.
#include "plugin_options.h"

#include <cmath>

#include "yaml_checks.h"

namespace plaza::permissions {
namespace {

PluginOptions ParseRoot(const YAML::Node& root) {
  if (!root.IsMap()) {
    throw yaml::Refusal{1, "the permissions plugin needs a config map with rules_file:"};
  }
  PluginOptions options;
  for (const auto& item : root) {
    const std::string key = yaml::Scalar(item.first, 1, "a key");
    const YAML::Node& value = item.second;
    const int line = yaml::LineOf(item.first, 1);
    if (key == "rules_file") {
      options.rules_file = yaml::Scalar(value, line, key);
    } else if (key == "watch_interval_ms") {
      const double ms = yaml::Number(value, line, key);
      if (ms > 3'600'000 || ms != std::floor(ms)) {
        yaml::Refuse(value, line, "watch_interval_ms must be a whole number up to 3600000");
      }
      options.watch_interval_ms = static_cast<uint32_t>(ms);
    } else if (key == "max_offline_sessions") {
      const double count = yaml::Number(value, line, key);
      if (count > 1e9 || count != std::floor(count)) {
        yaml::Refuse(value, line, "max_offline_sessions must be a whole number up to 1000000000");
      }
      options.max_offline_sessions = static_cast<size_t>(count);
    } else if (key == "users") {
      if (value.IsNull()) continue;
      if (!value.IsMap()) yaml::Refuse(value, line, "users: must map user names to role lists");
      for (const auto& user : value) {
        const int user_line = yaml::LineOf(user.first, line);
        options.users[yaml::Scalar(user.first, user_line, "a user name")] =
            yaml::Names(user.second, user_line, "roles");
      }
    } else {
      yaml::Refuse(
          item.first, 1,
          "unknown key '" + key + "' (rules_file, watch_interval_ms, users, max_offline_sessions)");
    }
  }
  if (options.rules_file.empty()) {
    throw yaml::Refusal{1, "rules_file: is required (the path of the rules file)"};
  }
  return options;
}

}  // namespace

std::optional<PluginOptions> ParsePluginOptions(std::string_view yaml, std::string* error) {
  std::optional<PluginOptions> options;
  if (!yaml::Guarded(yaml, "plugin config", error,
                     [&](const YAML::Node& root) { options = ParseRoot(root); })) {
    return std::nullopt;
  }
  return options;
}

}  // namespace plaza::permissions
