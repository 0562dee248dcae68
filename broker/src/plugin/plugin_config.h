// One entry of the `plugins:` list in the broker's YAML, shared by the
// configuration loader and the plugin host.
#ifndef PLAZA_BROKER_PLUGIN_PLUGIN_CONFIG_H_
#define PLAZA_BROKER_PLUGIN_PLUGIN_CONFIG_H_

#include <cstdint>
#include <string>

namespace plaza::broker {

struct PluginConfig {
  std::string path;         // as written in the YAML
  std::string name;         // `name:`, or the file name without "lib" and ".so"
  std::string config_yaml;  // the `config:` subtree, re-emitted as YAML
  // How long a hook answered PENDING may take, and what happens when it
  // takes longer: fail closed (refuse) by default, or fail open (as if the
  // plugin had passed).
  uint32_t pending_timeout_ms = 5000;
  bool fail_open = false;
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_PLUGIN_PLUGIN_CONFIG_H_
