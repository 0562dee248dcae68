// The host's record of one loaded plugin: the C ABI's opaque `plaza_plugin`
// handle, defined here for the host's files only.
#ifndef PLAZA_BROKER_PLUGIN_PLUGIN_RECORD_H_
#define PLAZA_BROKER_PLUGIN_PLUGIN_RECORD_H_

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include "plaza/plugin.h"

namespace plaza::broker {

class PluginHost;

inline plaza_str Str(std::string_view s) { return plaza_str{s.data(), s.size()}; }
inline std::string_view View(plaza_str s) {
  return s.data ? std::string_view(s.data, s.size) : std::string_view();
}

}  // namespace plaza::broker

struct plaza_plugin {
  plaza::broker::PluginHost* host = nullptr;
  std::string name;
  std::string path;
  void* library = nullptr;
  void* user_data = nullptr;
  void (*cleanup)(void*) = nullptr;
  bool initializing = false;  // register_hook is allowed only then
  struct Registration {
    plaza_hook_fn fn = nullptr;
    void* user_data = nullptr;
  };
  Registration hooks[16];
  // Metrics the plugin created; ids are index + 1. Guarded by metrics_mutex.
  std::mutex metrics_mutex;
  std::deque<prometheus::Counter*> counters;
  std::deque<prometheus::Gauge*> gauges;
  // Labeled series already handed out: "<c|g><name>\0<label>=<value>\0..."
  // -> id, so asking again for a series returns its id.
  std::map<std::string, uint64_t, std::less<>> series;
};

#endif  // PLAZA_BROKER_PLUGIN_PLUGIN_RECORD_H_
