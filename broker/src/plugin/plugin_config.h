// One entry of the `plugins:` list in the broker's YAML, shared by the
// configuration loader and the plugin host.
#ifndef PLAZA_BROKER_PLUGIN_PLUGIN_CONFIG_H_
#define PLAZA_BROKER_PLUGIN_PLUGIN_CONFIG_H_

#include <string>

namespace plaza::broker {

struct PluginConfig {
  std::string path;         // as written in the YAML
  std::string name;         // `name:`, or the file name without "lib" and ".so"
  std::string config_yaml;  // the `config:` subtree, re-emitted as YAML
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_PLUGIN_PLUGIN_CONFIG_H_
