// The plugin host: loads the shared objects listed under `plugins:` in the
// broker's YAML, checks their ABI version and entry points, runs their init,
// and turns the core's Hooks calls into calls of the plugins' C hooks in
// configuration order. It is the only part of the broker that knows
// plaza/plugin.h.
#ifndef PLAZA_BROKER_PLUGIN_PLUGIN_HOST_H_
#define PLAZA_BROKER_PLUGIN_PLUGIN_HOST_H_

#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/hooks.h"
#include "core/shard_runner.h"
#include "plaza/plugin.h"
#include "plugin/client_table.h"
#include "plugin/plugin_config.h"
#include "plugin/timer_thread.h"

namespace plaza::broker {

class PluginHost final : public Hooks {
 public:
  PluginHost();
  // Calls each plugin's cleanup, last loaded first, and unloads them.
  ~PluginHost() override;
  PluginHost(const PluginHost&) = delete;
  PluginHost& operator=(const PluginHost&) = delete;

  // Loads and initializes every plugin in order. On the first failure,
  // returns false with `error` naming the plugin and the cause; plugins
  // loaded before it are cleaned up.
  bool Load(const std::vector<PluginConfig>& plugins, std::string* error);

  // Hands each plugin its new `config:` subtree (PLAZA_HOOK_RELOAD), by
  // name; plugins not listed are left alone.
  void Reload(const std::vector<PluginConfig>& plugins);

  size_t size() const { return plugins_.size(); }

  // Services need the workers: attach once the server exists; detach
  // before it stops (also stops the plugins' timers). Services called while
  // detached answer PLAZA_ERR_UNSUPPORTED.
  void Attach(ShardRunner* runner);
  void Detach();

  // For the host services (host_services.cc): run a task on a shard, on
  // the calling worker's shard, the client table and the timers.
  bool RunOn(size_t shard, std::function<void(Shard&)> task);
  bool RunOnCurrent(std::function<void(Shard&)> task);
  ClientTable& clients() { return clients_; }
  TimerThread& timers();

  // Hooks.
  ConnectDecision OnConnect(const ClientFacts& client,
                            std::optional<std::string_view> password) override;
  SubscribeDecision OnSubscribe(const ClientFacts& client, std::string_view filter,
                                uint8_t requested_qos) override;
  PublishDecision OnPublish(const ClientFacts& client, const MessagePtr& message) override;
  void OnUnsubscribe(const ClientFacts& client, std::string_view filter) override;
  void OnDisconnect(const ClientFacts& client, CloseReason reason, bool will_published) override;

  // The host table handed to plugins.
  static const plaza_host_api& Api();

 private:
  void Unload();
  ConnectDecision RunConnectChain(const ClientFacts& client,
                                  std::optional<std::string_view> password);

  // Owned; `plaza_plugin` is the struct the C ABI hands back to services.
  std::vector<std::unique_ptr<plaza_plugin>> plugins_;
  // Whether any plugin registered each hook: lets the per-message paths
  // skip the chain entirely when nobody listens.
  bool any_[16] = {};

  ClientTable clients_;
  std::shared_mutex runner_mutex_;
  ShardRunner* runner_ = nullptr;  // guarded by runner_mutex_
  std::mutex timers_mutex_;
  std::unique_ptr<TimerThread> timers_;  // guarded by timers_mutex_, made on first use
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_PLUGIN_PLUGIN_HOST_H_
