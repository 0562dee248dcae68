// The broker side of mosquitto's plugin API version 5, for Plaza.
//
// This header is shared by the two libraries of plugins/mosquitto_compat:
//   - libplaza_mosquitto_broker.so (broker_shim.cc) defines the mosquitto_*
//     functions a mosquitto plugin calls (mosquitto_broker.h), and a Bridge
//     per loaded mosquitto plugin that turns Plaza events into mosquitto
//     events. It is loaded RTLD_GLOBAL so that a mosquitto plugin dlopen()ed
//     after it resolves those symbols as it would inside mosquitto.
//   - libplaza_mosquitto_compat.so (mosquitto_compat.cc) is the Plaza plugin:
//     it reads its configuration, loads the mosquitto plugin and forwards
//     every Plaza hook to its Bridge.
//
// THREADING: mosquitto plugins are written for a single-threaded broker, so
// every call into any mosquitto plugin happens under one process-wide
// recursive mutex (PluginMutex()). Plaza's workers therefore wait for each
// other whenever they run a hook of a mosquitto plugin; that is the price of
// running such plugins unmodified. The getters on `struct mosquitto` are
// valid only during a callback, as in mosquitto.
#ifndef PLAZA_PLUGINS_MOSQUITTO_COMPAT_BROKER_SHIM_H_
#define PLAZA_PLUGINS_MOSQUITTO_COMPAT_BROKER_SHIM_H_

// clang-format off
#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>
// clang-format on

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "plaza/plugin.h"

#define PLAZA_SHIM_EXPORT __attribute__((visibility("default")))

namespace plaza::mosquitto_compat {
class Bridge;
}  // namespace plaza::mosquitto_compat

// A connected client as a mosquitto plugin sees it: the facts Plaza gave
// about it, copied when it connected.
struct mosquitto {
  plaza_client handle = 0;
  std::string client_id;
  std::string username;
  bool has_username = false;
  std::string address;  // without the port, as mosquitto_client_address()
  int protocol_version = 4;
  bool clean_session = true;
  int keepalive = 0;
};

// What mosquitto_plugin_init() is given to identify itself later.
struct mosquitto_plugin_id_t {
  plaza::mosquitto_compat::Bridge* bridge = nullptr;
};

namespace plaza::mosquitto_compat {

// The lock every call into a mosquitto plugin holds.
PLAZA_SHIM_EXPORT std::recursive_mutex& PluginMutex();

// What a check is worth when every callback of the mosquitto plugin defers
// (MOSQ_ERR_PLUGIN_DEFER) -- dynsec, for one, defers instead of denying when
// no ACL matches and for unknown user names.
struct DeferPolicy {
  // false (mosquitto's behaviour): refused -- a CONNECT with 0x86, a
  // SUBSCRIBE or PUBLISH with 0x87, a delivery dropped -- except a CONNECT
  // without user name when allow_anonymous is set. true: no opinion, the
  // next Plaza plugin decides (and allows if none objects).
  bool pass_on_defer = false;
  bool allow_anonymous = false;
};

// One loaded mosquitto plugin, seen from the broker side. Every public
// method takes PluginMutex().
class PLAZA_SHIM_EXPORT Bridge {
 public:
  Bridge(plaza_plugin* plugin, const plaza_host_api* host, DeferPolicy policy);
  ~Bridge();
  Bridge(const Bridge&) = delete;
  Bridge& operator=(const Bridge&) = delete;

  mosquitto_plugin_id_t* identifier() { return &identifier_; }

  // Calls `fn` (an entry point of the mosquitto plugin) with this bridge as
  // the one mosquitto_* functions without an identifier act for.
  template <typename Fn>
  auto CallPlugin(Fn fn) {
    std::lock_guard<std::recursive_mutex> lock(PluginMutex());
    CurrentScope scope(this);
    return fn();
  }

  // Plaza hooks. Each returns the verdict for the host.
  plaza_verdict OnConnect(plaza_connect_event* event);
  plaza_verdict OnSubscribe(plaza_subscribe_event* event);
  plaza_verdict OnPublish(plaza_publish_event* event);
  plaza_verdict OnDeliver(plaza_deliver_event* event);
  void OnDisconnect(const plaza_disconnect_event* event);
  void OnReload(mosquitto_opt* options, int option_count);
  // Runs every second: MOSQ_EVT_TICK, and forgets clients whose connection
  // ended without a disconnect hook (refused by a later plugin).
  void OnTick();
  // Drops every callback; the mosquitto plugin has been cleaned up.
  void Clear();

  // Services for the mosquitto_* functions (called with the lock held).
  int RegisterCallback(int event, MOSQ_FUNC_generic_callback fn, const void* event_data,
                       void* userdata);
  int UnregisterCallback(int event, MOSQ_FUNC_generic_callback fn, const void* event_data);
  int Publish(const char* clientid, const char* topic, int payloadlen, const void* payload, int qos,
              bool retain);
  int Kick(bool by_username, const char* name, bool with_will);
  void Log(plaza_log_level level, const std::string& line) const;

  // The bridge a mosquitto_* function without an identifier acts for: the
  // one whose plugin is being called on this thread, else the first loaded.
  static Bridge* Current();

 private:
  struct Callback {
    MOSQ_FUNC_generic_callback fn;
    std::string topic;  // MOSQ_EVT_CONTROL only
    void* userdata;
  };
  class CurrentScope {
   public:
    explicit CurrentScope(Bridge* bridge);
    ~CurrentScope();
    CurrentScope(const CurrentScope&) = delete;
    CurrentScope& operator=(const CurrentScope&) = delete;

   private:
    Bridge* previous_;
  };

  // The client behind a Plaza client_info: the one recorded at connect, or a
  // temporary one (kept in `scratch`) for a client this bridge never saw.
  mosquitto* ClientFor(const plaza_client_info* info, std::unique_ptr<mosquitto>& scratch);
  // MOSQ_EVT_ACL_CHECK through every callback: the first that does not
  // defer decides. MOSQ_ERR_PLUGIN_DEFER if all defer (or none exist).
  int AclCheck(mosquitto* client, int access, const std::string& topic, const plaza_str& payload,
               uint8_t qos, bool retain);
  bool HasCallbacks(int event) const;
  std::vector<Callback> CallbacksOf(int event) const {
    return callbacks_.count(event) != 0 ? callbacks_.at(event) : std::vector<Callback>{};
  }

  plaza_plugin* plugin_;
  const plaza_host_api* host_;
  DeferPolicy policy_;
  mosquitto_plugin_id_t identifier_;
  std::map<int, std::vector<Callback>> callbacks_;
  std::map<plaza_client, std::unique_ptr<mosquitto>> clients_;
  unsigned ticks_ = 0;
};

}  // namespace plaza::mosquitto_compat

#endif  // PLAZA_PLUGINS_MOSQUITTO_COMPAT_BROKER_SHIM_H_
