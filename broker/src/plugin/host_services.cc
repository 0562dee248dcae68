// The host table (plaza_host_api): the services plugins call, from any
// thread. Each checks its arguments, then either answers from the client
// table or posts a task to the worker that owns the client.
#include <algorithm>
#include <cstring>

#include "common/log.h"
#include "core/shard.h"
#include "mqtt/topic.h"
#include "plugin/message_convert.h"
#include "plugin/plugin_host.h"
#include "plugin/plugin_record.h"

namespace plaza::broker {
namespace {

bool ValidHook(plaza_hook hook) {
  return hook >= PLAZA_HOOK_CONNECT && hook <= PLAZA_HOOK_ATTRIBUTE;
}

// A message from a plugin, published as the server; null if it is not valid.
MessagePtr ToMessage(const plaza_message* message) { return MessageFromPlugin(message, {}); }

plaza_status RegisterHook(plaza_plugin* plugin, plaza_hook hook, plaza_hook_fn fn,
                          void* user_data) {
  if (!plugin || !fn || !ValidHook(hook)) return PLAZA_ERR_INVALID;
  // The chains are read by every worker without locks: they are fixed once
  // init is over.
  if (!plugin->initializing) return PLAZA_ERR_UNSUPPORTED;
  plugin->hooks[hook] = {fn, user_data};
  return PLAZA_OK;
}

plaza_status UnregisterHook(plaza_plugin* plugin, plaza_hook hook) {
  if (!plugin || !ValidHook(hook)) return PLAZA_ERR_INVALID;
  if (!plugin->initializing) return PLAZA_ERR_UNSUPPORTED;
  if (!plugin->hooks[hook].fn) return PLAZA_ERR_NOT_FOUND;
  plugin->hooks[hook] = {};
  return PLAZA_OK;
}

plaza_status Complete(plaza_plugin* plugin, plaza_pending pending,
                      const plaza_completion* completion) {
  if (!plugin || !completion || completion->struct_size < offsetof(plaza_completion, reserved)) {
    return PLAZA_ERR_INVALID;
  }
  return plugin->host->Complete(plugin, pending, *completion);
}

plaza_status Publish(plaza_plugin* plugin, const plaza_message* message) {
  if (!plugin) return PLAZA_ERR_INVALID;
  MessagePtr m = ToMessage(message);
  if (!m) return PLAZA_ERR_INVALID;
  const bool posted =
      plugin->host->RunOnCurrent([m = std::move(m)](Shard& shard) { shard.ServerPublish(m); });
  return posted ? PLAZA_OK : PLAZA_ERR_UNSUPPORTED;
}

// Posts `task` to the client's worker if the client is connected.
plaza_status OnClient(plaza_plugin* plugin, plaza_client client, std::function<void(Shard&)> task) {
  if (!plugin || client == 0) return PLAZA_ERR_INVALID;
  if (!plugin->host->clients().Contains(client)) return PLAZA_ERR_NO_CLIENT;
  return plugin->host->RunOn(ShardOfConnection(client), std::move(task)) ? PLAZA_OK
                                                                         : PLAZA_ERR_UNSUPPORTED;
}

plaza_status PublishTo(plaza_plugin* plugin, plaza_client client, const plaza_message* message) {
  MessagePtr m = ToMessage(message);
  if (!m) return PLAZA_ERR_INVALID;
  return OnClient(plugin, client,
                  [client, m = std::move(m)](Shard& shard) { shard.SendTo(client, m); });
}

plaza_status Subscribe(plaza_plugin* plugin, plaza_client client, plaza_str filter, uint8_t qos) {
  std::string f(View(filter));
  if (!mqtt::IsValidTopicFilter(f) || qos > 2) return PLAZA_ERR_INVALID;
  return OnClient(plugin, client, [client, f = std::move(f), qos](Shard& shard) {
    shard.ServerSubscribe(client, f, qos);
  });
}

plaza_status Unsubscribe(plaza_plugin* plugin, plaza_client client, plaza_str filter) {
  std::string f(View(filter));
  if (!mqtt::IsValidTopicFilter(f)) return PLAZA_ERR_INVALID;
  return OnClient(plugin, client,
                  [client, f = std::move(f)](Shard& shard) { shard.ServerUnsubscribe(client, f); });
}

plaza_status Kick(plaza_plugin* plugin, plaza_client client, uint8_t reason_code, int with_will,
                  plaza_str server_reference) {
  // The reason code and server reference reach MQTT 5 clients in their
  // DISCONNECT; an MQTT 3.1.1 client can only be disconnected.
  return OnClient(
      plugin, client,
      [client, with_will, reason_code, reference = std::string(View(server_reference))](
          Shard& shard) { shard.Kick(client, with_will != 0, reason_code, reference); });
}

plaza_status ClientInfo(plaza_plugin* plugin, plaza_client client, plaza_client_info* info,
                        char* buffer, size_t buffer_size) {
  if (!plugin || !info || info->struct_size < offsetof(plaza_client_info, reserved)) {
    return PLAZA_ERR_INVALID;
  }
  const auto record = plugin->host->clients().Get(client);
  if (!record) return PLAZA_ERR_NO_CLIENT;
  const OwnedFacts& facts = record->facts;
  const size_t needed =
      facts.client_id.size() + (facts.username ? facts.username->size() : 0) + facts.address.size();
  if (needed > buffer_size || (needed > 0 && !buffer)) return PLAZA_ERR_TOO_LARGE;
  size_t used = 0;
  auto copy = [&](std::string_view s) {
    if (s.empty()) return plaza_str{buffer ? buffer + used : "", 0};
    std::memcpy(buffer + used, s.data(), s.size());
    plaza_str out{buffer + used, s.size()};
    used += s.size();
    return out;
  };
  info->client = client;
  info->client_id = copy(facts.client_id);
  info->username = facts.username ? copy(*facts.username) : plaza_str{nullptr, 0};
  info->address = copy(facts.address);
  info->protocol_version = facts.protocol_level;
  info->clean_start = facts.clean_start ? 1 : 0;
  info->keep_alive = facts.keep_alive;
  info->connected_at_ms = facts.connected_at_ms;
  return PLAZA_OK;
}

plaza_status StatusOf(ClientTable::Result result) {
  switch (result) {
    case ClientTable::Result::kOk:
      return PLAZA_OK;
    case ClientTable::Result::kNoClient:
      return PLAZA_ERR_NO_CLIENT;
    case ClientTable::Result::kNotFound:
      return PLAZA_ERR_NOT_FOUND;
    case ClientTable::Result::kTooLarge:
      return PLAZA_ERR_TOO_LARGE;
  }
  return PLAZA_ERR_INVALID;
}

plaza_status SetAttribute(plaza_plugin* plugin, plaza_client client, plaza_str key,
                          plaza_str value) {
  if (!plugin) return PLAZA_ERR_INVALID;
  bool changed = false;
  const plaza_status status =
      StatusOf(plugin->host->clients().SetAttribute(client, View(key), View(value), &changed));
  if (status == PLAZA_OK && changed) {
    plugin->host->NotifyAttribute(client, View(key), View(value), false);
  }
  return status;
}

plaza_status GetAttribute(plaza_plugin* plugin, plaza_client client, plaza_str key, char* buffer,
                          size_t buffer_size, size_t* value_size) {
  if (!plugin || !value_size) return PLAZA_ERR_INVALID;
  std::string value;
  const plaza_status status =
      StatusOf(plugin->host->clients().GetAttribute(client, View(key), &value));
  if (status != PLAZA_OK) return status;
  *value_size = value.size();
  if (value.size() > buffer_size || (!value.empty() && !buffer)) return PLAZA_ERR_TOO_LARGE;
  if (!value.empty()) std::memcpy(buffer, value.data(), value.size());
  return PLAZA_OK;
}

plaza_status DeleteAttribute(plaza_plugin* plugin, plaza_client client, plaza_str key) {
  if (!plugin) return PLAZA_ERR_INVALID;
  const plaza_status status = StatusOf(plugin->host->clients().DeleteAttribute(client, View(key)));
  if (status == PLAZA_OK) plugin->host->NotifyAttribute(client, View(key), {}, true);
  return status;
}

uint64_t AddTimer(plaza_plugin* plugin, uint32_t delay_ms, uint32_t interval_ms, plaza_timer_fn fn,
                  void* user_data) {
  if (!plugin || !fn) return 0;
  TimerThread* timers = plugin->host->timers();
  if (!timers) return 0;
  return timers->Add(std::chrono::milliseconds(delay_ms), std::chrono::milliseconds(interval_ms),
                     [fn, user_data] { fn(user_data); });
}

plaza_status CancelTimer(plaza_plugin* plugin, uint64_t timer) {
  if (!plugin) return PLAZA_ERR_INVALID;
  TimerThread* timers = plugin->host->timers();
  if (!timers) return PLAZA_ERR_UNSUPPORTED;
  return timers->Cancel(timer) ? PLAZA_OK : PLAZA_ERR_NOT_FOUND;
}

// Metric names are "plaza_plugin_<plugin>_<name>"; both parts must be
// made of letters, digits and underscores.
bool MetricNamePart(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

template <typename Builder>
auto& Register(plaza_plugin* plugin, Builder builder, plaza_str name, plaza_str help) {
  std::string plugin_name = plugin->name;
  std::replace(plugin_name.begin(), plugin_name.end(), '-', '_');
  return builder.Name("plaza_plugin_" + plugin_name + "_" + std::string(View(name)))
      .Help(std::string(View(help)))
      .Register(*plugin->host->metrics_registry());
}

uint64_t Counter(plaza_plugin* plugin, plaza_str name, plaza_str help) {
  if (!plugin || !plugin->host->metrics_registry() || !MetricNamePart(View(name))) return 0;
  try {
    prometheus::Counter& counter = Register(plugin, prometheus::BuildCounter(), name, help).Add({});
    std::lock_guard lock(plugin->metrics_mutex);
    plugin->counters.push_back(&counter);
    return plugin->counters.size();
  } catch (const std::exception& e) {
    PLAZA_LOG(kWarning) << "[" << plugin->name << "] cannot create counter '" << View(name)
                        << "': " << e.what();
    return 0;
  }
}

void CounterAdd(plaza_plugin* plugin, uint64_t counter, uint64_t amount) {
  if (!plugin) return;
  prometheus::Counter* target = nullptr;
  {
    std::lock_guard lock(plugin->metrics_mutex);
    if (counter == 0 || counter > plugin->counters.size()) return;
    target = plugin->counters[counter - 1];
  }
  target->Increment(static_cast<double>(amount));
}

uint64_t Gauge(plaza_plugin* plugin, plaza_str name, plaza_str help) {
  if (!plugin || !plugin->host->metrics_registry() || !MetricNamePart(View(name))) return 0;
  try {
    prometheus::Gauge& gauge = Register(plugin, prometheus::BuildGauge(), name, help).Add({});
    std::lock_guard lock(plugin->metrics_mutex);
    plugin->gauges.push_back(&gauge);
    return plugin->gauges.size();
  } catch (const std::exception& e) {
    PLAZA_LOG(kWarning) << "[" << plugin->name << "] cannot create gauge '" << View(name)
                        << "': " << e.what();
    return 0;
  }
}

void GaugeSet(plaza_plugin* plugin, uint64_t gauge, double value) {
  if (!plugin) return;
  prometheus::Gauge* target = nullptr;
  {
    std::lock_guard lock(plugin->metrics_mutex);
    if (gauge == 0 || gauge > plugin->gauges.size()) return;
    target = plugin->gauges[gauge - 1];
  }
  target->Set(value);
}

// A label name: a metric name part that does not start with a digit or "__"
// (reserved by Prometheus).
bool LabelName(std::string_view s) {
  return MetricNamePart(s) && !(s[0] >= '0' && s[0] <= '9') && s.substr(0, 2) != "__";
}

template <typename Metric, typename Builder>
uint64_t Labeled(plaza_plugin* plugin, Builder builder, std::deque<Metric*>& series, char kind,
                 plaza_str name, plaza_str help, const plaza_label* labels, size_t label_count) {
  if (!plugin || !plugin->host->metrics_registry() || !MetricNamePart(View(name)) ||
      (label_count > 0 && !labels) || label_count > 16) {
    return 0;
  }
  std::map<std::string, std::string> label_map;
  std::string key(1, kind);
  key.append(View(name));
  for (size_t i = 0; i < label_count; ++i) {
    const std::string_view label = View(labels[i].name);
    const std::string_view value = View(labels[i].value);
    if (!LabelName(label) || value.size() > 256) return 0;
    if (!label_map.emplace(label, value).second) return 0;  // a label twice
  }
  for (const auto& [label, value] : label_map) {
    key.push_back('\0');
    key.append(label).append("=").append(value);
  }
  std::lock_guard lock(plugin->metrics_mutex);
  if (auto it = plugin->series.find(key); it != plugin->series.end()) return it->second;
  try {
    Metric& metric = Register(plugin, builder, name, help).Add(label_map);
    series.push_back(&metric);
    plugin->series.emplace(std::move(key), series.size());
    return series.size();
  } catch (const std::exception& e) {
    PLAZA_LOG(kWarning) << "[" << plugin->name << "] cannot create metric '" << View(name)
                        << "': " << e.what();
    return 0;
  }
}

uint64_t CounterLabeled(plaza_plugin* plugin, plaza_str name, plaza_str help,
                        const plaza_label* labels, size_t label_count) {
  if (!plugin) return 0;
  return Labeled(plugin, prometheus::BuildCounter(), plugin->counters, 'c', name, help, labels,
                 label_count);
}

uint64_t GaugeLabeled(plaza_plugin* plugin, plaza_str name, plaza_str help,
                      const plaza_label* labels, size_t label_count) {
  if (!plugin) return 0;
  return Labeled(plugin, prometheus::BuildGauge(), plugin->gauges, 'g', name, help, labels,
                 label_count);
}

plaza_status Conflate(plaza_plugin* plugin, plaza_str filter) {
  if (!plugin) return PLAZA_ERR_INVALID;
  const std::string_view f = View(filter);
  if (!mqtt::IsValidTopicFilter(f)) return PLAZA_ERR_INVALID;
  // Like the hook chains, the filters are read by every worker without
  // locks: fixed once init is over.
  if (!plugin->initializing) return PLAZA_ERR_UNSUPPORTED;
  plugin->host->AddConflation(std::string(f));
  return PLAZA_OK;
}

void Log(plaza_plugin* plugin, plaza_log_level level, plaza_str message) {
  LogLevel ours = LogLevel::kInfo;
  switch (level) {
    case PLAZA_LOG_DEBUG:
      ours = LogLevel::kDebug;
      break;
    case PLAZA_LOG_INFO:
      ours = LogLevel::kInfo;
      break;
    case PLAZA_LOG_WARNING:
      ours = LogLevel::kWarning;
      break;
    case PLAZA_LOG_ERROR:
      ours = LogLevel::kError;
      break;
  }
  if (!LogEnabled(ours)) return;
  std::string line = "[" + (plugin ? plugin->name : std::string("?")) + "] ";
  line.append(View(message));
  WriteLog(ours, line);
}

const plaza_host_api kApi = [] {
  plaza_host_api api{};
  api.struct_size = sizeof(plaza_host_api);
  api.abi_version = PLAZA_PLUGIN_ABI_VERSION;
  api.register_hook = RegisterHook;
  api.unregister_hook = UnregisterHook;
  api.complete = Complete;
  api.publish = Publish;
  api.publish_to = PublishTo;
  api.subscribe = Subscribe;
  api.unsubscribe = Unsubscribe;
  api.kick = Kick;
  api.client_info = ClientInfo;
  api.set_attribute = SetAttribute;
  api.get_attribute = GetAttribute;
  api.delete_attribute = DeleteAttribute;
  api.add_timer = AddTimer;
  api.cancel_timer = CancelTimer;
  api.log = Log;
  api.counter = Counter;
  api.counter_add = CounterAdd;
  api.gauge = Gauge;
  api.gauge_set = GaugeSet;
  api.conflate = Conflate;
  api.counter_labeled = CounterLabeled;
  api.gauge_labeled = GaugeLabeled;
  return api;
}();

}  // namespace

const plaza_host_api& PluginHost::Api() { return kApi; }

}  // namespace plaza::broker
