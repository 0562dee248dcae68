// libplaza_mosquitto_compat.so: a Plaza plugin that runs one plugin written
// for mosquitto's plugin API version 5 (mosquitto_plugin.h), unrecompiled.
// Its configuration (the `config:` subtree of its entry under `plugins:`):
//
//   plugin: /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so
//   options:                 # mosquitto's plugin_opt_<key> <value>
//     config_file: /var/lib/plaza/dynamic-security.json
//   defer: deny              # or pass; see DeferPolicy in broker_shim.h
//   allow_anonymous: false
//
// Loading order matters: a mosquitto plugin resolves the broker's
// mosquitto_* functions, libmosquitto's utilities and OpenSSL's libcrypto
// (which mosquitto's broker links) from the global symbol namespace, while
// Plaza loads this plugin RTLD_LOCAL. So init first promotes those three
// libraries to RTLD_GLOBAL, then dlopen()s the mosquitto plugin.
#include <dlfcn.h>
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdio>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "broker_shim.h"

namespace plaza::mosquitto_compat {
namespace {

struct Config {
  std::string plugin;
  std::vector<std::pair<std::string, std::string>> options;
  DeferPolicy policy;
};

Config ParseConfig(const std::string& yaml) {
  const YAML::Node root = YAML::Load(yaml);
  Config config;
  if (!root.IsMap() || !root["plugin"]) {
    throw std::runtime_error("config needs `plugin:`, the path of a mosquitto plugin");
  }
  config.plugin = root["plugin"].as<std::string>();
  if (const YAML::Node options = root["options"]) {
    if (!options.IsMap()) throw std::runtime_error("`options:` must be a map of key: value");
    for (const auto& item : options) {
      config.options.emplace_back(item.first.as<std::string>(), item.second.as<std::string>());
    }
  }
  if (const YAML::Node defer = root["defer"]) {
    const std::string value = defer.as<std::string>();
    if (value != "deny" && value != "pass") {
      throw std::runtime_error("`defer:` must be deny or pass, not " + value);
    }
    config.policy.pass_on_defer = value == "pass";
  }
  if (const YAML::Node anonymous = root["allow_anonymous"]) {
    config.policy.allow_anonymous = anonymous.as<bool>();
  }
  return config;
}

// mosquitto_opt wants mutable C strings; this owns them.
class Options {
 public:
  explicit Options(const std::vector<std::pair<std::string, std::string>>& pairs)
      : storage_(pairs) {
    for (auto& [key, value] : storage_) opts_.push_back(mosquitto_opt{key.data(), value.data()});
  }
  Options(const Options&) = delete;
  Options& operator=(const Options&) = delete;
  mosquitto_opt* data() { return opts_.empty() ? nullptr : opts_.data(); }
  int size() const { return static_cast<int>(opts_.size()); }

 private:
  std::vector<std::pair<std::string, std::string>> storage_;
  std::vector<mosquitto_opt> opts_;
};

// Makes the library holding `symbol` global, so later dlopen()s see it.
void PromoteToGlobal(const void* symbol, const char* what) {
  Dl_info info{};
  if (dladdr(symbol, &info) == 0 || info.dli_fname == nullptr) {
    throw std::runtime_error(std::string("cannot find the library of ") + what);
  }
  if (dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL) == nullptr) {
    throw std::runtime_error(std::string("cannot make ") + info.dli_fname +
                             " global: " + dlerror());
  }
}

// The OpenSSL that Debian 12's libmosquitto links.
constexpr char kLibcrypto[] = "libcrypto.so.3";

using VersionFn = int (*)(int, const int*);
using InitFn = int (*)(mosquitto_plugin_id_t*, void**, mosquitto_opt*, int);
using CleanupFn = int (*)(void*, mosquitto_opt*, int);

class Compat {
 public:
  Compat(plaza_plugin* plugin, const plaza_host_api* host, const std::string& yaml)
      : plugin_(plugin), host_(host), config_(ParseConfig(yaml)), options_(config_.options) {
    PromoteToGlobal(reinterpret_cast<const void*>(&mosquitto_callback_register),
                    "the mosquitto_* broker functions");
    PromoteToGlobal(reinterpret_cast<const void*>(&mosquitto_topic_matches_sub), "libmosquitto");
    // libmosquitto's own dependency, so loaded already; no need to link it.
    if (dlopen(kLibcrypto, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL) == nullptr) {
      LogWarning(std::string(kLibcrypto) + " is not loaded: mosquitto plugins using OpenSSL " +
                 "(dynsec does) will fail to load");
    }

    bridge_ = std::make_unique<Bridge>(plugin, host, config_.policy);
    library_ = dlopen(config_.plugin.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (library_ == nullptr) {
      throw std::runtime_error("cannot load mosquitto plugin " + config_.plugin + ": " + dlerror());
    }
    auto version = reinterpret_cast<VersionFn>(dlsym(library_, "mosquitto_plugin_version"));
    init_ = reinterpret_cast<InitFn>(dlsym(library_, "mosquitto_plugin_init"));
    cleanup_ = reinterpret_cast<CleanupFn>(dlsym(library_, "mosquitto_plugin_cleanup"));
    if (version == nullptr || init_ == nullptr || cleanup_ == nullptr) {
      throw std::runtime_error(
          "mosquitto plugin " + config_.plugin +
          " is not a version 5 plugin (it lacks mosquitto_plugin_version, _init or _cleanup)");
    }
    const int offered[] = {5};
    const int chosen = bridge_->CallPlugin([&] { return version(1, offered); });
    if (chosen != 5) {
      throw std::runtime_error("mosquitto plugin " + config_.plugin + " wants plugin API version " +
                               std::to_string(chosen) + "; only version 5 is supported");
    }
    const int rc = bridge_->CallPlugin([&] {
      return init_(bridge_->identifier(), &user_data_, options_.data(), options_.size());
    });
    if (rc != MOSQ_ERR_SUCCESS) {
      bridge_->Clear();
      throw std::runtime_error("mosquitto plugin " + config_.plugin +
                               " failed to initialize: " + mosquitto_strerror(rc));
    }
    initialized_ = true;
    if (HasTimers(host)) {
      timer_ = host->add_timer(plugin, 1000, 1000, &Compat::Tick, this);
    }
    bridge_->Log(PLAZA_LOG_INFO, "running mosquitto plugin " + config_.plugin);
  }

  ~Compat() {
    if (timer_ != 0) host_->cancel_timer(plugin_, timer_);
    if (initialized_) {
      bridge_->CallPlugin([&] { return cleanup_(user_data_, options_.data(), options_.size()); });
    }
    if (bridge_) bridge_->Clear();
    // The mosquitto plugin stays mapped: it may have left threads or atexit
    // handlers behind, and mosquitto never unloads plugins before exit
    // either.
  }
  Compat(const Compat&) = delete;
  Compat& operator=(const Compat&) = delete;

  Bridge& bridge() { return *bridge_; }
  void LogWarning(const std::string& line) const {
    if (host_->log != nullptr) host_->log(plugin_, PLAZA_LOG_WARNING, {line.data(), line.size()});
  }

  void Reload(const std::string& yaml) {
    Config config = ParseConfig(yaml);
    if (config.plugin != config_.plugin) {
      bridge_->Log(PLAZA_LOG_WARNING, "a reload cannot change `plugin:`; restart the broker");
    }
    auto options = std::make_unique<Options>(config.options);
    bridge_->OnReload(options->data(), options->size());
    reloaded_options_ = std::move(options);
  }

 private:
  static void Tick(void* self) noexcept {
    try {
      static_cast<Compat*>(self)->bridge_->OnTick();
    } catch (...) {
    }
  }
  static bool HasTimers(const plaza_host_api* host) {
    return host->struct_size >=
               offsetof(plaza_host_api, cancel_timer) + sizeof(host->cancel_timer) &&
           host->add_timer != nullptr && host->cancel_timer != nullptr;
  }

  plaza_plugin* plugin_;
  const plaza_host_api* host_;
  Config config_;
  Options options_;
  std::unique_ptr<Options> reloaded_options_;
  std::unique_ptr<Bridge> bridge_;
  void* library_ = nullptr;
  InitFn init_ = nullptr;
  CleanupFn cleanup_ = nullptr;
  void* user_data_ = nullptr;
  bool initialized_ = false;
  uint64_t timer_ = 0;
};

void LogError(plaza_plugin* plugin, const plaza_host_api* host, const std::string& line) {
  if (host != nullptr && host->log != nullptr) {
    host->log(plugin, PLAZA_LOG_ERROR, plaza_str{line.data(), line.size()});
  } else {
    std::fprintf(stderr, "mosquitto_compat: %s\n", line.c_str());
  }
}

plaza_verdict Hook(plaza_hook hook, void* event, void* user_data) noexcept {
  auto* compat = static_cast<Compat*>(user_data);
  try {
    Bridge& bridge = compat->bridge();
    switch (hook) {
      case PLAZA_HOOK_CONNECT:
        return bridge.OnConnect(static_cast<plaza_connect_event*>(event));
      case PLAZA_HOOK_SUBSCRIBE:
        return bridge.OnSubscribe(static_cast<plaza_subscribe_event*>(event));
      case PLAZA_HOOK_PUBLISH:
        return bridge.OnPublish(static_cast<plaza_publish_event*>(event));
      case PLAZA_HOOK_DELIVER:
        return bridge.OnDeliver(static_cast<plaza_deliver_event*>(event));
      case PLAZA_HOOK_DISCONNECT:
        bridge.OnDisconnect(static_cast<const plaza_disconnect_event*>(event));
        return PLAZA_VERDICT_PASS;
      case PLAZA_HOOK_RELOAD: {
        const auto* reload = static_cast<const plaza_reload_event*>(event);
        compat->Reload(
            std::string(reload->config_yaml.data != nullptr ? reload->config_yaml.data : "",
                        reload->config_yaml.size));
        return PLAZA_VERDICT_PASS;
      }
      default:
        return PLAZA_VERDICT_PASS;
    }
  } catch (const std::exception& e) {
    compat->bridge().Log(PLAZA_LOG_ERROR, std::string("exception in a hook: ") + e.what());
  } catch (...) {
    compat->bridge().Log(PLAZA_LOG_ERROR, "exception in a hook");
  }
  // Fail closed where a verdict matters.
  switch (hook) {
    case PLAZA_HOOK_CONNECT:
    case PLAZA_HOOK_SUBSCRIBE:
    case PLAZA_HOOK_PUBLISH: {
      return PLAZA_VERDICT_DENY;
    }
    case PLAZA_HOOK_DELIVER:
      return PLAZA_VERDICT_DROP;
    default:
      return PLAZA_VERDICT_PASS;
  }
}

}  // namespace
}  // namespace plaza::mosquitto_compat

extern "C" {

PLAZA_PLUGIN_EXPORT uint32_t plaza_plugin_negotiate(const uint32_t*, size_t) {
  return PLAZA_PLUGIN_ABI_VERSION;
}

PLAZA_PLUGIN_EXPORT int plaza_plugin_init(plaza_plugin* plugin, const plaza_host_api* host,
                                          const plaza_init_args* args, void** user_data) {
  using plaza::mosquitto_compat::Compat;
  using plaza::mosquitto_compat::Hook;
  using plaza::mosquitto_compat::LogError;
  if (host == nullptr || args == nullptr || user_data == nullptr) return 1;
  try {
    const std::string yaml(args->config_yaml.data != nullptr ? args->config_yaml.data : "",
                           args->config_yaml.size);
    auto compat = std::make_unique<Compat>(plugin, host, yaml);
    // The deliver hook (MOSQ_ACL_READ) may be missing in this broker: the
    // plugin works without it, only unchecked reads are possible then.
    const plaza_hook hooks[] = {PLAZA_HOOK_CONNECT, PLAZA_HOOK_SUBSCRIBE,  PLAZA_HOOK_PUBLISH,
                                PLAZA_HOOK_DELIVER, PLAZA_HOOK_DISCONNECT, PLAZA_HOOK_RELOAD};
    for (plaza_hook hook : hooks) {
      const plaza_status status = host->register_hook(plugin, hook, &Hook, compat.get());
      if (status != PLAZA_OK && hook != PLAZA_HOOK_DELIVER) {
        LogError(plugin, host, "cannot register hook " + std::to_string(hook));
        return 1;
      }
    }
    *user_data = compat.release();
    return 0;
  } catch (const std::exception& e) {
    LogError(plugin, host, e.what());
  } catch (...) {
    LogError(plugin, host, "unknown exception during init");
  }
  return 1;
}

PLAZA_PLUGIN_EXPORT void plaza_plugin_cleanup(void* user_data) {
  try {
    delete static_cast<plaza::mosquitto_compat::Compat*>(user_data);
  } catch (...) {
  }
}

}  // extern "C"
