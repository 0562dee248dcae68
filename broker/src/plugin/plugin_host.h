// The plugin host: loads the shared objects listed under `plugins:` in the
// broker's YAML, checks their ABI version and entry points, runs their init,
// and turns the core's Hooks calls into calls of the plugins' C hooks in
// configuration order. It is the only part of the broker that knows
// plaza/plugin.h.
#ifndef PLAZA_BROKER_PLUGIN_PLUGIN_HOST_H_
#define PLAZA_BROKER_PLUGIN_PLUGIN_HOST_H_

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <prometheus/registry.h>

#include "core/hooks.h"
#include "core/shard_runner.h"
#include "plaza/plugin.h"
#include "plugin/client_table.h"
#include "plugin/owned_facts.h"
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

  // Where plugins' counters and gauges are registered (before Load).
  void SetMetricsRegistry(std::shared_ptr<prometheus::Registry> registry) {
    registry_ = std::move(registry);
  }
  const std::shared_ptr<prometheus::Registry>& metrics_registry() const { return registry_; }

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
  // Null once detached (shutting down).
  TimerThread* timers();
  // Runs the attribute chain for a changed attribute, on the client's
  // worker after the change (nothing when no plugin registered the hook).
  void NotifyAttribute(uint64_t client, std::string_view key, std::string_view value, bool deleted);
  // Ends a hook that answered PENDING (the host service `complete`).
  plaza_status Complete(plaza_plugin* plugin, uint64_t token, const plaza_completion& completion);

  // Hooks.
  ConnectDecision OnConnect(const ClientFacts& client,
                            std::optional<std::string_view> password) override;
  ConnectDecision OnConnectAuth(const ClientFacts& client, std::optional<std::string_view> password,
                                const AuthStep& auth) override;
  ConnectDecision OnAuth(const ClientFacts& client, const AuthStep& auth) override;
  SubscribeDecision OnSubscribe(const ClientFacts& client, std::string_view filter,
                                uint8_t requested_qos) override;
  SubscribeDecision OnSharedSubscribe(const ClientFacts& client, std::string_view group,
                                      std::string_view filter, uint8_t requested_qos) override;
  PublishDecision OnPublish(const ClientFacts& client, const MessagePtr& message) override;
  bool WantsPublish() const override;
  bool WantsDeliver() const override;
  DeliverDecision OnDeliver(const ClientFacts& subscriber, const MessagePtr& message) override;
  bool OnControl(const ClientFacts& client, const MessagePtr& message) override;
  bool Conflates(std::string_view topic) const override;
  // The host service `conflate`: during init only.
  bool AddConflation(std::string filter);
  void OnUnsubscribe(const ClientFacts& client, std::string_view filter) override;
  void OnDisconnect(const ClientFacts& client, CloseReason reason, bool will_published) override;

  // The host table handed to plugins.
  static const plaza_host_api& Api();

 private:
  // One plugin's answer, from its hook or from complete().
  struct Answer {
    plaza_verdict verdict;
    uint8_t reason_code;
    uint8_t granted_qos;
    MessagePtr rewrite;
    bool invalid_rewrite;
    // Connect and auth: the out-fields, copied.
    std::string reason_string = {};
    std::optional<std::string> auth_data = {};
  };
  // An AuthStep with its strings owned, for a parked chain.
  struct OwnedAuth {
    std::string method;
    std::optional<std::string> data;
    bool reauthenticate = false;
    static OwnedAuth From(const AuthStep& step) {
      OwnedAuth owned{std::string(step.method), std::nullopt, step.reauthenticate};
      if (step.data) owned.data = std::string(*step.data);
      return owned;
    }
    AuthStep View() const {
      AuthStep step{method, std::nullopt, reauthenticate};
      if (data) step.data = *data;
      return step;
    }
  };
  // A chain waiting for a plugin's answer, with what it needs to go on.
  struct PendingChain {
    enum class Kind { kConnect, kAuth, kSubscribe, kPublish };
    Kind kind = Kind::kConnect;
    std::optional<OwnedAuth> auth;  // connect with a method, and auth
    size_t index = 0;               // the plugin that answered PENDING
    OwnedFacts client;
    std::optional<std::string> password;  // connect
    std::string filter;                   // subscribe
    std::string share_group;              // subscribe: "" unless shared
    uint8_t requested_qos = 0;
    uint8_t granted_qos = 2;
    MessagePtr message;  // publish: as the client sent it
    MessagePtr rewrite;  // and as earlier plugins rewrote it
    std::chrono::steady_clock::time_point deadline;
    bool fail_open = false;
  };

  void Unload();

  // The chains (hook_chains.cc), from plugin `start` on.
  // `auth` is null for a CONNECT without an MQTT 5 authentication method.
  ConnectDecision ConnectFrom(size_t start, const ClientFacts& client,
                              std::optional<std::string_view> password, const AuthStep* auth);
  ConnectDecision AuthFrom(size_t start, const ClientFacts& client, const AuthStep& auth);
  // Runs one connect or auth hook and folds its answer; true when the chain
  // ends (or parks: decision->verdict is then kPending).
  bool AskConnectHook(size_t index, plaza_hook hook, const ClientFacts& client,
                      std::optional<std::string_view> password, const AuthStep* auth,
                      ConnectDecision* decision);
  SubscribeDecision SubscribeFrom(size_t start, const ClientFacts& client, std::string_view filter,
                                  uint8_t requested_qos, uint8_t granted_qos,
                                  std::string_view share_group = {});
  PublishDecision PublishFrom(size_t start, const ClientFacts& client, const MessagePtr& original,
                              MessagePtr rewritten);
  static bool ApplyConnect(const plaza_plugin& plugin, const Answer& answer,
                           ConnectDecision* decision);
  static bool ApplySubscribe(const plaza_plugin& plugin, const Answer& answer,
                             SubscribeDecision* decision);
  static bool ApplyPublish(const plaza_plugin& plugin, const Answer& answer,
                           PublishDecision* decision);
  // `origin` is kept on a rewritten message (the publisher's client id).
  static Answer RewriteAnswer(plaza_verdict verdict, uint8_t reason_code,
                              const plaza_message* rewrite, std::string_view origin);

  // Pending answers (pending_answers.cc).
  uint64_t NewToken();
  PendingChain NewChain(PendingChain::Kind kind, size_t index, const ClientFacts& client);
  // Parks `chain` until complete() or its deadline, or resumes it at once
  // when its answer came first. Returns `token`.
  uint64_t Park(uint64_t token, PendingChain chain);
  // Starts the deadline sweeper if it is not running. pending_mutex_ held.
  bool ClaimSweeper();
  void StartSweeper();
  // Remembers that `token` has had its answer (or its deadline), so a
  // second or late complete() is told NOT_FOUND. pending_mutex_ held.
  void Retire(uint64_t token);
  // The completion as an Answer for `chain`: a rewrite only for a publish
  // (keeping the publisher's client id), CONTINUE only with a method.
  Answer CompletionAnswer(const plaza_completion& completion, std::string_view origin) const;
  void FitAnswer(const PendingChain& chain, Answer* answer) const;
  void ExpirePending();
  bool Resume(uint64_t token, PendingChain chain, Answer answer);

  // Owned; `plaza_plugin` is the struct the C ABI hands back to services.
  std::vector<std::unique_ptr<plaza_plugin>> plugins_;
  std::vector<PluginConfig> configs_;  // parallel to plugins_
  // Whether any plugin registered each hook: lets the per-message paths
  // skip the chain entirely when nobody listens.
  bool any_[16] = {};
  // Topic filters of conflated state, fixed once the plugins are loaded.
  std::vector<std::string> conflated_filters_;

  ClientTable clients_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_mutex runner_mutex_;
  ShardRunner* runner_ = nullptr;  // guarded by runner_mutex_
  std::mutex timers_mutex_;
  std::unique_ptr<TimerThread> timers_;  // guarded by timers_mutex_, made on first use
  bool timers_detached_ = false;         // guarded by timers_mutex_

  std::atomic<uint64_t> next_token_{1};
  std::mutex pending_mutex_;
  std::unordered_map<uint64_t, PendingChain> pending_;  // guarded by pending_mutex_
  // complete() may come from a plugin's own thread before its hook has even
  // returned PENDING (a gRPC answer can be that quick). Such an answer waits
  // here for Park. Guarded by pending_mutex_.
  struct EarlyAnswer {
    plaza_plugin* plugin;
    Answer answer;
    std::chrono::steady_clock::time_point at;
  };
  std::unordered_map<uint64_t, EarlyAnswer> early_;
  // Tokens answered or past their deadline, for 30 s, oldest first.
  // Guarded by pending_mutex_.
  std::unordered_set<uint64_t> retired_;
  std::deque<std::pair<std::chrono::steady_clock::time_point, uint64_t>> retired_order_;
  uint64_t sweeper_ = 0;  // the deadline timer, once started; guarded by pending_mutex_
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_PLUGIN_PLUGIN_HOST_H_
