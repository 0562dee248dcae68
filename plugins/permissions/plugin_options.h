// The permissions plugin's own configuration: the `config:` subtree of its
// entry under `plugins:` in the broker's YAML (the rules themselves live in
// the rules file it names).
//
//   rules_file: config/permissions.yaml  # required; relative to the broker's cwd
//   watch_interval_ms: 1000              # how often the file is checked; 0: SIGHUP only
//   users:                               # platform roles by user name (development)
//     alice: [moderator]
//   max_offline_sessions: 100000         # persistent sessions whose subscriptions are kept
#ifndef PLAZA_PLUGINS_PERMISSIONS_PLUGIN_OPTIONS_H_
#define PLAZA_PLUGINS_PERMISSIONS_PLUGIN_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace plaza::permissions {

struct PluginOptions {
  std::string rules_file;
  uint32_t watch_interval_ms = 1000;
  std::map<std::string, std::vector<std::string>, std::less<>> users;
  size_t max_offline_sessions = 100000;
};

// nullopt with *error ("plugin config:LINE: ...") when refused.
std::optional<PluginOptions> ParsePluginOptions(std::string_view yaml, std::string* error);

}  // namespace plaza::permissions

#endif  // PLAZA_PLUGINS_PERMISSIONS_PLUGIN_OPTIONS_H_
