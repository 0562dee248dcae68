// Loading plugins and running their hook chains. Every refusal at load time
// names the plugin and the cause, and no plugin error can take the broker
// down after start: a hook's answer is checked before it is used.
#include "plugin/plugin_host.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "common/log.h"
#include "mqtt/topic.h"
#include "plugin/event_views.h"
#include "plugin/plugin_record.h"

namespace plaza::broker {
namespace {

constexpr uint32_t kOfferedVersions[] = {PLAZA_PLUGIN_ABI_VERSION};

// --- Loading -------------------------------------------------------------

template <typename T>
T Symbol(void* library, const char* name) {
  return reinterpret_cast<T>(dlsym(library, name));
}

plaza_disconnect_cause CauseOf(CloseReason reason) {
  switch (reason) {
    case CloseReason::kClientDisconnect:
      return PLAZA_DISCONNECT_NORMAL;
    case CloseReason::kNetwork:
      return PLAZA_DISCONNECT_NETWORK;
    case CloseReason::kKeepAlive:
      return PLAZA_DISCONNECT_KEEP_ALIVE;
    case CloseReason::kTakeover:
      return PLAZA_DISCONNECT_TAKEOVER;
    case CloseReason::kOverflow:
      return PLAZA_DISCONNECT_OVERFLOW;
    case CloseReason::kShutdown:
      return PLAZA_DISCONNECT_SHUTDOWN;
    case CloseReason::kKicked:
      return PLAZA_DISCONNECT_KICKED;
    case CloseReason::kProtocolError:
    case CloseReason::kConnectTimeout:
    case CloseReason::kRefused:
      return PLAZA_DISCONNECT_PROTOCOL_ERROR;
  }
  return PLAZA_DISCONNECT_NETWORK;
}

}  // namespace

PluginHost::PluginHost() = default;

PluginHost::~PluginHost() {
  Detach();
  Unload();
}

void PluginHost::Attach(ShardRunner* runner) {
  std::unique_lock lock(runner_mutex_);
  runner_ = runner;
}

void PluginHost::Detach() {
  {
    std::unique_lock lock(runner_mutex_);
    runner_ = nullptr;
  }
  std::unique_ptr<TimerThread> timers;
  {
    std::lock_guard lock(timers_mutex_);
    timers = std::move(timers_);
    timers_detached_ = true;
  }
  if (timers) timers->Stop();
}

bool PluginHost::RunOn(size_t shard, std::function<void(Shard&)> task) {
  std::shared_lock lock(runner_mutex_);
  if (!runner_) return false;
  runner_->RunOn(shard, std::move(task));
  return true;
}

bool PluginHost::RunOnCurrent(std::function<void(Shard&)> task) {
  std::shared_lock lock(runner_mutex_);
  if (!runner_) return false;
  runner_->RunOn(runner_->CurrentShard(), std::move(task));
  return true;
}

TimerThread* PluginHost::timers() {
  std::lock_guard lock(timers_mutex_);
  if (timers_detached_) return nullptr;
  if (!timers_) timers_ = std::make_unique<TimerThread>();
  return timers_.get();
}

void PluginHost::Unload() {
  while (!plugins_.empty()) {
    std::unique_ptr<plaza_plugin> plugin = std::move(plugins_.back());
    plugins_.pop_back();
    configs_.pop_back();
    if (plugin->cleanup) plugin->cleanup(plugin->user_data);
    if (plugin->library) dlclose(plugin->library);
  }
  std::fill(std::begin(any_), std::end(any_), false);
}

bool PluginHost::Load(const std::vector<PluginConfig>& configs, std::string* error) {
  for (const PluginConfig& config : configs) {
    auto plugin = std::make_unique<plaza_plugin>();
    plugin->host = this;
    plugin->name = config.name;
    plugin->path = config.path;
    const std::string who = "plugin '" + config.name + "' (" + config.path + ")";
    // RTLD_LOCAL: two plugins may define the same symbols without clashing.
    // RTLD_NODELETE: a plugin's code stays mapped after cleanup, because
    // threads a library it uses started (gRPC's) may still be returning
    // through it when the broker unloads it.
    plugin->library = dlopen(config.path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!plugin->library) {
      *error = who + " cannot be loaded: " + dlerror();
      Unload();
      return false;
    }
    plugins_.push_back(std::move(plugin));
    configs_.push_back(config);
    plaza_plugin& p = *plugins_.back();

    using NegotiateFn = uint32_t (*)(const uint32_t*, size_t);
    using InitFn = int (*)(plaza_plugin*, const plaza_host_api*, const plaza_init_args*, void**);
    auto negotiate = Symbol<NegotiateFn>(p.library, "plaza_plugin_negotiate");
    auto init = Symbol<InitFn>(p.library, "plaza_plugin_init");
    p.cleanup = Symbol<void (*)(void*)>(p.library, "plaza_plugin_cleanup");
    if (!negotiate || !init) {
      *error = who + " is not a Plaza plugin: it does not export " +
               (negotiate ? "plaza_plugin_init" : "plaza_plugin_negotiate");
      p.cleanup = nullptr;
      Unload();
      return false;
    }
    const uint32_t chosen = negotiate(kOfferedVersions, std::size(kOfferedVersions));
    if (std::find(std::begin(kOfferedVersions), std::end(kOfferedVersions), chosen) ==
        std::end(kOfferedVersions)) {
      *error = who + " needs plugin ABI version " + std::to_string(chosen) +
               "; this broker speaks version " + std::to_string(PLAZA_PLUGIN_ABI_VERSION);
      p.cleanup = nullptr;
      Unload();
      return false;
    }
    plaza_init_args args{};
    args.struct_size = sizeof(args);
    args.name = Str(p.name);
    args.config_yaml = Str(config.config_yaml);
    p.initializing = true;
    const int rc = init(&p, &Api(), &args, &p.user_data);
    p.initializing = false;
    if (rc != 0) {
      *error =
          who + " failed to initialize (plaza_plugin_init returned " + std::to_string(rc) + ")";
      p.cleanup = nullptr;  // init failed: nothing of it to clean up
      Unload();
      return false;
    }
    for (int hook = 0; hook < 16; ++hook) any_[hook] = any_[hook] || p.hooks[hook].fn != nullptr;
    PLAZA_LOG(kInfo) << "loaded plugin '" << p.name << "' from " << p.path;
  }
  return true;
}

void PluginHost::Reload(const std::vector<PluginConfig>& configs) {
  for (const PluginConfig& config : configs) {
    for (auto& plugin : plugins_) {
      if (plugin->name != config.name || !plugin->hooks[PLAZA_HOOK_RELOAD].fn) continue;
      plaza_reload_event event{};
      event.struct_size = sizeof(event);
      event.config_yaml = Str(config.config_yaml);
      const auto& hook = plugin->hooks[PLAZA_HOOK_RELOAD];
      hook.fn(PLAZA_HOOK_RELOAD, &event, hook.user_data);
    }
  }
}

void PluginHost::OnUnsubscribe(const ClientFacts& client, std::string_view filter) {
  if (!any_[PLAZA_HOOK_UNSUBSCRIBE]) return;
  ClientInfoView info(client);
  for (auto& plugin : plugins_) {
    const auto& hook = plugin->hooks[PLAZA_HOOK_UNSUBSCRIBE];
    if (!hook.fn) continue;
    plaza_unsubscribe_event event{};
    event.struct_size = sizeof(event);
    event.client = &info.info;
    event.filter = Str(filter);
    hook.fn(PLAZA_HOOK_UNSUBSCRIBE, &event, hook.user_data);
  }
}

void PluginHost::OnDisconnect(const ClientFacts& client, CloseReason reason, bool will_published) {
  if (!any_[PLAZA_HOOK_DISCONNECT]) return;
  ClientInfoView info(client);
  for (auto& plugin : plugins_) {
    const auto& hook = plugin->hooks[PLAZA_HOOK_DISCONNECT];
    if (!hook.fn) continue;
    plaza_disconnect_event event{};
    event.struct_size = sizeof(event);
    event.client = &info.info;
    event.cause = CauseOf(reason);
    event.will_published = will_published ? 1 : 0;
    hook.fn(PLAZA_HOOK_DISCONNECT, &event, hook.user_data);
  }
}

void PluginHost::NotifyAttribute(uint64_t client, std::string_view key, std::string_view value,
                                 bool deleted) {
  if (!any_[PLAZA_HOOK_ATTRIBUTE]) return;
  // The chain runs on the client's worker, so a plugin sees the change in
  // order with that client's other hooks; the client may be gone by then.
  RunOn(ShardOfConnection(client),
        [this, client, key = std::string(key), value = std::string(value), deleted](Shard&) {
          const auto record = clients_.Get(client);
          if (!record) return;
          const ClientFacts facts = record->facts.View();
          ClientInfoView info(facts);
          for (auto& plugin : plugins_) {
            const auto& hook = plugin->hooks[PLAZA_HOOK_ATTRIBUTE];
            if (!hook.fn) continue;
            plaza_attribute_event event{};
            event.struct_size = sizeof(event);
            event.client = &info.info;
            event.key = Str(key);
            event.value = deleted ? plaza_str{nullptr, 0} : Str(value);
            event.deleted = deleted ? 1 : 0;
            hook.fn(PLAZA_HOOK_ATTRIBUTE, &event, hook.user_data);
          }
        });
}

bool PluginHost::AddConflation(std::string filter) {
  if (std::find(conflated_filters_.begin(), conflated_filters_.end(), filter) ==
      conflated_filters_.end()) {
    conflated_filters_.push_back(std::move(filter));
  }
  return true;
}

bool PluginHost::Conflates(std::string_view topic) const {
  for (const std::string& filter : conflated_filters_) {
    if (mqtt::TopicMatches(filter, topic)) return true;
  }
  return false;
}

}  // namespace plaza::broker
