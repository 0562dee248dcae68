// libplaza_mosquitto_broker.so: the mosquitto_* broker functions of
// mosquitto_broker.h, and the Bridge that maps Plaza's hooks to mosquitto's
// v5 events. See broker_shim.h for why this is a library of its own.
//
// Event mapping (mosquitto's rule "the first callback that does not defer
// decides" is kept; MOSQ_ERR_SUCCESS becomes ALLOW, so later Plaza plugins
// are not asked, as later mosquitto plugins would not be):
//   connect    -> MOSQ_EVT_BASIC_AUTH (MOSQ_ERR_AUTH: 0x86, other errors 0x87)
//   subscribe  -> MOSQ_EVT_ACL_CHECK, MOSQ_ACL_SUBSCRIBE (denied: 0x87)
//   publish    -> MOSQ_EVT_CONTROL for a registered $CONTROL topic (after a
//                 MOSQ_ACL_WRITE check; never routed), else
//                 MOSQ_EVT_ACL_CHECK MOSQ_ACL_WRITE, then MOSQ_EVT_MESSAGE
//                 (which may rewrite topic, payload, qos and retain)
//   deliver    -> MOSQ_EVT_ACL_CHECK, MOSQ_ACL_READ (denied: dropped)
//   disconnect -> MOSQ_EVT_DISCONNECT; reload -> MOSQ_EVT_RELOAD;
//   a 1 s timer -> MOSQ_EVT_TICK.
// MOSQ_EVT_PSK_KEY and MOSQ_EVT_EXT_AUTH_* cannot be registered
// (MOSQ_ERR_NOT_SUPPORTED): Plaza has no TLS-PSK, and no AUTH packets yet.
#include "broker_shim.h"

#include <time.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>

namespace plaza::mosquitto_compat {
namespace {

#define PLAZA_SHIM_HAS(ptr, type, field) \
  ((ptr) != nullptr && (ptr)->struct_size >= offsetof(type, field) + sizeof((ptr)->field))

constexpr uint8_t kBadUserNameOrPassword = 0x86;
constexpr uint8_t kNotAuthorized = 0x87;
constexpr uint8_t kAdministrativeAction = 0x98;

std::string Copy(plaza_str s) { return s.data != nullptr ? std::string(s.data, s.size) : ""; }
plaza_str View(const std::string& s) { return plaza_str{s.data(), s.size()}; }

// "1.2.3.4:5678" -> "1.2.3.4", "[::1]:5678" -> "::1".
std::string HostOf(std::string address) {
  if (!address.empty() && address.front() == '[') {
    const size_t close = address.find(']');
    return close == std::string::npos ? address : address.substr(1, close - 1);
  }
  const size_t colon = address.rfind(':');
  return colon == std::string::npos ? address : address.substr(0, colon);
}

std::unique_ptr<mosquitto> NewClient(const plaza_client_info* info) {
  auto client = std::make_unique<mosquitto>();
  if (info == nullptr) return client;
  if (PLAZA_SHIM_HAS(info, plaza_client_info, client)) client->handle = info->client;
  if (PLAZA_SHIM_HAS(info, plaza_client_info, client_id)) client->client_id = Copy(info->client_id);
  if (PLAZA_SHIM_HAS(info, plaza_client_info, username) && info->username.data != nullptr) {
    client->username = Copy(info->username);
    client->has_username = true;
  }
  if (PLAZA_SHIM_HAS(info, plaza_client_info, address)) {
    client->address = HostOf(Copy(info->address));
  }
  if (PLAZA_SHIM_HAS(info, plaza_client_info, protocol_version)) {
    client->protocol_version = info->protocol_version;
  }
  if (PLAZA_SHIM_HAS(info, plaza_client_info, clean_start)) {
    client->clean_session = info->clean_start != 0;
  }
  if (PLAZA_SHIM_HAS(info, plaza_client_info, keep_alive)) client->keepalive = info->keep_alive;
  return client;
}

int DisconnectReason(plaza_disconnect_cause cause) {
  switch (cause) {
    case PLAZA_DISCONNECT_NORMAL:
      return MOSQ_ERR_SUCCESS;
    case PLAZA_DISCONNECT_NETWORK:
      return MOSQ_ERR_CONN_LOST;
    case PLAZA_DISCONNECT_KEEP_ALIVE:
      return MOSQ_ERR_KEEPALIVE;
    case PLAZA_DISCONNECT_TAKEOVER:
    case PLAZA_DISCONNECT_KICKED:
    case PLAZA_DISCONNECT_SHUTDOWN:
      return MOSQ_ERR_ADMINISTRATIVE_ACTION;
    case PLAZA_DISCONNECT_PROTOCOL_ERROR:
      return MOSQ_ERR_PROTOCOL;
    case PLAZA_DISCONNECT_OVERFLOW:
      return MOSQ_ERR_NOMEM;
  }
  return MOSQ_ERR_UNKNOWN;
}

// Bridges in load order, and the one being called on this thread.
std::vector<Bridge*>& Bridges() {
  static std::vector<Bridge*> bridges;
  return bridges;
}
thread_local Bridge* current_bridge = nullptr;

// A rewrite chosen by MOSQ_EVT_MESSAGE, read by the host after the hook
// returns (per thread, as the ABI asks of out-fields).
struct RewriteStorage {
  std::string topic;
  std::string payload;
  plaza_message message;
};
thread_local RewriteStorage rewrite_storage;

}  // namespace

std::recursive_mutex& PluginMutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

Bridge::Bridge(plaza_plugin* plugin, const plaza_host_api* host, DeferPolicy policy)
    : plugin_(plugin), host_(host), policy_(policy) {
  identifier_.bridge = this;
  std::lock_guard<std::recursive_mutex> lock(PluginMutex());
  Bridges().push_back(this);
}

Bridge::~Bridge() {
  std::lock_guard<std::recursive_mutex> lock(PluginMutex());
  std::erase(Bridges(), this);
}

Bridge::CurrentScope::CurrentScope(Bridge* bridge) : previous_(current_bridge) {
  current_bridge = bridge;
}
Bridge::CurrentScope::~CurrentScope() { current_bridge = previous_; }

Bridge* Bridge::Current() {
  if (current_bridge != nullptr) return current_bridge;
  std::lock_guard<std::recursive_mutex> lock(PluginMutex());
  return Bridges().empty() ? nullptr : Bridges().front();
}

void Bridge::Log(plaza_log_level level, const std::string& line) const {
  if (PLAZA_SHIM_HAS(host_, plaza_host_api, log) && host_->log != nullptr) {
    host_->log(plugin_, level, View(line));
  } else {
    std::fprintf(stderr, "mosquitto_compat: %s\n", line.c_str());
  }
}

bool Bridge::HasCallbacks(int event) const {
  auto it = callbacks_.find(event);
  return it != callbacks_.end() && !it->second.empty();
}

int Bridge::RegisterCallback(int event, MOSQ_FUNC_generic_callback fn, const void* event_data,
                             void* userdata) {
  if (fn == nullptr) return MOSQ_ERR_INVAL;
  switch (event) {
    case MOSQ_EVT_RELOAD:
    case MOSQ_EVT_ACL_CHECK:
    case MOSQ_EVT_BASIC_AUTH:
    case MOSQ_EVT_CONTROL:
    case MOSQ_EVT_MESSAGE:
    case MOSQ_EVT_TICK:
    case MOSQ_EVT_DISCONNECT:
      break;
    case MOSQ_EVT_PSK_KEY:
    case MOSQ_EVT_EXT_AUTH_START:
    case MOSQ_EVT_EXT_AUTH_CONTINUE:
      Log(PLAZA_LOG_WARNING, "mosquitto event " + std::to_string(event) +
                                 " (TLS-PSK or extended authentication) is not supported");
      return MOSQ_ERR_NOT_SUPPORTED;
    default:
      return MOSQ_ERR_INVAL;
  }
  std::string topic;
  if (event == MOSQ_EVT_CONTROL) {
    if (event_data == nullptr) return MOSQ_ERR_INVAL;
    topic = static_cast<const char*>(event_data);
    if (topic.rfind("$CONTROL/", 0) != 0) return MOSQ_ERR_INVAL;
    for (const Bridge* bridge : Bridges()) {
      for (const Callback& c : bridge->CallbacksOf(MOSQ_EVT_CONTROL)) {
        if (c.topic == topic) return MOSQ_ERR_ALREADY_EXISTS;
      }
    }
  } else {
    for (const Callback& c : CallbacksOf(event)) {
      if (c.fn == fn) return MOSQ_ERR_ALREADY_EXISTS;
    }
  }
  callbacks_[event].push_back(Callback{fn, std::move(topic), userdata});
  return MOSQ_ERR_SUCCESS;
}

int Bridge::UnregisterCallback(int event, MOSQ_FUNC_generic_callback fn, const void* event_data) {
  auto it = callbacks_.find(event);
  if (it == callbacks_.end()) return MOSQ_ERR_NOT_FOUND;
  const std::string topic = event == MOSQ_EVT_CONTROL && event_data != nullptr
                                ? static_cast<const char*>(event_data)
                                : "";
  for (auto c = it->second.begin(); c != it->second.end(); ++c) {
    if (c->fn == fn && (event != MOSQ_EVT_CONTROL || c->topic == topic)) {
      it->second.erase(c);
      return MOSQ_ERR_SUCCESS;
    }
  }
  return MOSQ_ERR_NOT_FOUND;
}

void Bridge::Clear() {
  std::lock_guard<std::recursive_mutex> lock(PluginMutex());
  callbacks_.clear();
  clients_.clear();
}

mosquitto* Bridge::ClientFor(const plaza_client_info* info, std::unique_ptr<mosquitto>& scratch) {
  if (info != nullptr && PLAZA_SHIM_HAS(info, plaza_client_info, client) && info->client != 0) {
    auto it = clients_.find(info->client);
    if (it != clients_.end()) return it->second.get();
  }
  scratch = NewClient(info);
  return scratch.get();
}

int Bridge::AclCheck(mosquitto* client, int access, const std::string& topic,
                     const plaza_str& payload, uint8_t qos, bool retain) {
  for (const Callback& c : CallbacksOf(MOSQ_EVT_ACL_CHECK)) {
    mosquitto_evt_acl_check event{};
    event.client = client;
    event.topic = topic.c_str();
    event.payload = payload.data;
    event.payloadlen = static_cast<uint32_t>(payload.size);
    event.access = access;
    event.qos = qos;
    event.retain = retain;
    const int rc = c.fn(MOSQ_EVT_ACL_CHECK, &event, c.userdata);
    if (rc != MOSQ_ERR_PLUGIN_DEFER) return rc;
  }
  return MOSQ_ERR_PLUGIN_DEFER;
}

plaza_verdict Bridge::OnConnect(plaza_connect_event* event) {
  std::lock_guard<std::recursive_mutex> lock(PluginMutex());
  CurrentScope scope(this);
  std::unique_ptr<mosquitto> fresh = NewClient(event->client);
  mosquitto* client = fresh.get();
  // Recorded before the plugin decides: it may look the client up (kick).
  clients_[client->handle] = std::move(fresh);
  if (!HasCallbacks(MOSQ_EVT_BASIC_AUTH)) return PLAZA_VERDICT_PASS;

  std::optional<std::string> username;
  if (client->has_username) username = client->username;
  std::optional<std::string> password;
  if (PLAZA_SHIM_HAS(event, plaza_connect_event, password) && event->password.data != nullptr) {
    password = Copy(event->password);
  }
  int rc = MOSQ_ERR_PLUGIN_DEFER;
  for (const Callback& c : CallbacksOf(MOSQ_EVT_BASIC_AUTH)) {
    mosquitto_evt_basic_auth auth{};
    auth.client = client;
    auth.username = username ? username->data() : nullptr;
    auth.password = password ? password->data() : nullptr;
    rc = c.fn(MOSQ_EVT_BASIC_AUTH, &auth, c.userdata);
    if (rc != MOSQ_ERR_PLUGIN_DEFER) break;
  }
  plaza_verdict verdict = PLAZA_VERDICT_DENY;
  if (rc == MOSQ_ERR_SUCCESS) {
    verdict = PLAZA_VERDICT_ALLOW;
  } else if (rc == MOSQ_ERR_PLUGIN_DEFER) {
    if (policy_.pass_on_defer) {
      verdict = PLAZA_VERDICT_PASS;
    } else if (!client->has_username && policy_.allow_anonymous) {
      verdict = PLAZA_VERDICT_ALLOW;
    }
    rc = MOSQ_ERR_AUTH;
  }
  if (verdict == PLAZA_VERDICT_DENY) {
    if (PLAZA_SHIM_HAS(event, plaza_connect_event, reason_code)) {
      event->reason_code = rc == MOSQ_ERR_AUTH ? kBadUserNameOrPassword : kNotAuthorized;
    }
    // Refused: no disconnect hook will follow.
    clients_.erase(client->handle);
  }
  return verdict;
}

plaza_verdict Bridge::OnSubscribe(plaza_subscribe_event* event) {
  std::lock_guard<std::recursive_mutex> lock(PluginMutex());
  CurrentScope scope(this);
  if (!HasCallbacks(MOSQ_EVT_ACL_CHECK)) return PLAZA_VERDICT_PASS;
  std::unique_ptr<mosquitto> scratch;
  mosquitto* client = ClientFor(event->client, scratch);
  std::string filter = Copy(event->filter);
  if (PLAZA_SHIM_HAS(event, plaza_subscribe_event, share_group) &&
      event->share_group.data != nullptr) {
    filter = "$share/" + Copy(event->share_group) + "/" + filter;  // as mosquitto checks it
  }
  const int rc = AclCheck(client, MOSQ_ACL_SUBSCRIBE, filter, plaza_str{nullptr, 0},
                          event->requested_qos, false);
  if (rc == MOSQ_ERR_PLUGIN_DEFER && policy_.pass_on_defer) return PLAZA_VERDICT_PASS;
  if (rc == MOSQ_ERR_SUCCESS) return PLAZA_VERDICT_ALLOW;
  event->reason_code = kNotAuthorized;
  return PLAZA_VERDICT_DENY;
}

plaza_verdict Bridge::OnPublish(plaza_publish_event* event) {
  std::lock_guard<std::recursive_mutex> lock(PluginMutex());
  CurrentScope scope(this);
  const plaza_message* message = event->message;
  if (message == nullptr) return PLAZA_VERDICT_PASS;
  std::unique_ptr<mosquitto> scratch;
  mosquitto* client = ClientFor(event->client, scratch);
  const std::string topic = Copy(message->topic);
  // Without ACL callbacks everything may be published, as in mosquitto.
  const bool acl_registered = HasCallbacks(MOSQ_EVT_ACL_CHECK);

  if (topic.rfind("$CONTROL/", 0) == 0) {
    for (const Callback& c : CallbacksOf(MOSQ_EVT_CONTROL)) {
      if (c.topic != topic) continue;
      // Only clients allowed to publish there may send commands.
      const int acl = AclCheck(client, MOSQ_ACL_WRITE, topic, message->payload, message->qos,
                               message->retain != 0);
      if (acl != MOSQ_ERR_SUCCESS &&
          !(acl == MOSQ_ERR_PLUGIN_DEFER && (policy_.pass_on_defer || !acl_registered))) {
        Log(PLAZA_LOG_WARNING, "denied " + client->client_id + " sending to " + topic);
        return PLAZA_VERDICT_DROP;
      }
      mosquitto_evt_control control{};
      control.client = client;
      control.topic = topic.c_str();
      control.payload = message->payload.data;
      control.payloadlen = static_cast<uint32_t>(message->payload.size);
      control.qos = message->qos;
      control.retain = message->retain != 0;
      c.fn(MOSQ_EVT_CONTROL, &control, c.userdata);
      return PLAZA_VERDICT_DROP;
    }
  }

  const int acl =
      AclCheck(client, MOSQ_ACL_WRITE, topic, message->payload, message->qos, message->retain != 0);
  if (acl != MOSQ_ERR_SUCCESS &&
      !(acl == MOSQ_ERR_PLUGIN_DEFER && (policy_.pass_on_defer || !acl_registered))) {
    event->reason_code = kNotAuthorized;
    return PLAZA_VERDICT_DENY;
  }
  const plaza_verdict allowed = acl == MOSQ_ERR_SUCCESS ? PLAZA_VERDICT_ALLOW : PLAZA_VERDICT_PASS;
  if (!HasCallbacks(MOSQ_EVT_MESSAGE)) return allowed;

  // The plugin may replace topic and payload with memory of its own
  // (mosquitto_malloc/strdup); like mosquitto, the bridge then frees the
  // originals and takes ownership of the replacements.
  mosquitto_evt_message msg{};
  msg.client = client;
  msg.topic = mosquitto_strdup(topic.c_str());
  msg.payloadlen = static_cast<uint32_t>(message->payload.size);
  msg.payload = mosquitto_malloc(msg.payloadlen + 1);
  if (msg.topic == nullptr || msg.payload == nullptr) {
    mosquitto_free(msg.topic);
    mosquitto_free(msg.payload);
    event->reason_code = 0x80;
    return PLAZA_VERDICT_DENY;
  }
  if (msg.payloadlen != 0) std::memcpy(msg.payload, message->payload.data, msg.payloadlen);
  msg.qos = message->qos;
  msg.retain = message->retain != 0;
  int rc = MOSQ_ERR_SUCCESS;
  for (const Callback& c : CallbacksOf(MOSQ_EVT_MESSAGE)) {
    rc = c.fn(MOSQ_EVT_MESSAGE, &msg, c.userdata);
    if (rc != MOSQ_ERR_SUCCESS) break;
  }
  std::string new_topic = msg.topic != nullptr ? msg.topic : topic;
  std::string new_payload(static_cast<const char*>(msg.payload),
                          msg.payload != nullptr ? msg.payloadlen : 0);
  const uint8_t reason = msg.reason_code;
  mosquitto_free(msg.topic);
  mosquitto_free(msg.payload);
  mosquitto_free(msg.reason_string);
  if (rc != MOSQ_ERR_SUCCESS) {
    event->reason_code = reason >= 0x80 ? reason : kNotAuthorized;
    return PLAZA_VERDICT_DENY;
  }
  const bool changed = new_topic != topic || new_payload != Copy(message->payload) ||
                       msg.qos != message->qos || msg.retain != (message->retain != 0);
  if (changed) {
    RewriteStorage& out = rewrite_storage;
    out.topic = std::move(new_topic);
    out.payload = std::move(new_payload);
    out.message = *message;
    out.message.topic = View(out.topic);
    out.message.payload = View(out.payload);
    out.message.qos = msg.qos > 2 ? 2 : msg.qos;
    out.message.retain = msg.retain ? 1 : 0;
    event->rewrite = &out.message;
  }
  return allowed;
}

plaza_verdict Bridge::OnDeliver(plaza_deliver_event* event) {
  std::lock_guard<std::recursive_mutex> lock(PluginMutex());
  CurrentScope scope(this);
  if (!HasCallbacks(MOSQ_EVT_ACL_CHECK) || event->message == nullptr) return PLAZA_VERDICT_PASS;
  std::unique_ptr<mosquitto> scratch;
  mosquitto* client = ClientFor(event->subscriber, scratch);
  const int rc =
      AclCheck(client, MOSQ_ACL_READ, Copy(event->message->topic), event->message->payload,
               event->message->qos, event->message->retain != 0);
  if (rc == MOSQ_ERR_PLUGIN_DEFER && policy_.pass_on_defer) return PLAZA_VERDICT_PASS;
  return rc == MOSQ_ERR_SUCCESS ? PLAZA_VERDICT_ALLOW : PLAZA_VERDICT_DROP;
}

void Bridge::OnDisconnect(const plaza_disconnect_event* event) {
  std::lock_guard<std::recursive_mutex> lock(PluginMutex());
  CurrentScope scope(this);
  std::unique_ptr<mosquitto> scratch;
  mosquitto* client = ClientFor(event->client, scratch);
  for (const Callback& c : CallbacksOf(MOSQ_EVT_DISCONNECT)) {
    mosquitto_evt_disconnect disconnect{};
    disconnect.client = client;
    disconnect.reason = DisconnectReason(event->cause);
    c.fn(MOSQ_EVT_DISCONNECT, &disconnect, c.userdata);
  }
  clients_.erase(client->handle);
}

void Bridge::OnReload(mosquitto_opt* options, int option_count) {
  std::lock_guard<std::recursive_mutex> lock(PluginMutex());
  CurrentScope scope(this);
  for (const Callback& c : CallbacksOf(MOSQ_EVT_RELOAD)) {
    mosquitto_evt_reload reload{};
    reload.options = options;
    reload.option_count = option_count;
    c.fn(MOSQ_EVT_RELOAD, &reload, c.userdata);
  }
}

void Bridge::OnTick() {
  std::lock_guard<std::recursive_mutex> lock(PluginMutex());
  CurrentScope scope(this);
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  for (const Callback& c : CallbacksOf(MOSQ_EVT_TICK)) {
    mosquitto_evt_tick tick{};
    tick.now_s = now.tv_sec;
    tick.now_ns = now.tv_nsec;
    tick.next_s = now.tv_sec + 1;
    tick.next_ns = now.tv_nsec;
    c.fn(MOSQ_EVT_TICK, &tick, c.userdata);
  }
  if (++ticks_ % 10 != 0 || !PLAZA_SHIM_HAS(host_, plaza_host_api, client_info) ||
      host_->client_info == nullptr) {
    return;
  }
  for (auto it = clients_.begin(); it != clients_.end();) {
    plaza_client_info info{};
    info.struct_size = sizeof(info);
    char buffer[512];
    const plaza_status status =
        host_->client_info(plugin_, it->first, &info, buffer, sizeof(buffer));
    it = status == PLAZA_ERR_NO_CLIENT ? clients_.erase(it) : std::next(it);
  }
}

int Bridge::Publish(const char* clientid, const char* topic, int payloadlen, const void* payload,
                    int qos, bool retain) {
  plaza_message message{};
  message.struct_size = sizeof(message);
  message.topic = plaza_str{topic, std::strlen(topic)};
  message.payload = plaza_str{payloadlen > 0 ? static_cast<const char*>(payload) : "",
                              static_cast<size_t>(payloadlen)};
  message.qos = static_cast<uint8_t>(qos);
  message.retain = retain ? 1 : 0;
  plaza_status status = PLAZA_ERR_UNSUPPORTED;
  if (clientid == nullptr) {
    if (PLAZA_SHIM_HAS(host_, plaza_host_api, publish) && host_->publish != nullptr) {
      status = host_->publish(plugin_, &message);
    }
  } else {
    status = PLAZA_OK;  // like mosquitto: a message for an absent client is lost
    for (const auto& [handle, client] : clients_) {
      if (client->client_id != clientid) continue;
      status = PLAZA_SHIM_HAS(host_, plaza_host_api, publish_to) && host_->publish_to != nullptr
                   ? host_->publish_to(plugin_, handle, &message)
                   : PLAZA_ERR_UNSUPPORTED;
    }
  }
  switch (status) {
    case PLAZA_OK:
    case PLAZA_ERR_NO_CLIENT:
      return MOSQ_ERR_SUCCESS;
    case PLAZA_ERR_TOO_LARGE:
      return MOSQ_ERR_PAYLOAD_SIZE;
    case PLAZA_ERR_UNSUPPORTED:
      return MOSQ_ERR_NOT_SUPPORTED;
    default:
      return MOSQ_ERR_INVAL;
  }
}

int Bridge::Kick(bool by_username, const char* name, bool with_will) {
  if (!PLAZA_SHIM_HAS(host_, plaza_host_api, kick) || host_->kick == nullptr) {
    Log(PLAZA_LOG_WARNING, "this broker cannot kick clients");
    return MOSQ_ERR_NOT_SUPPORTED;
  }
  for (const auto& [handle, client] : clients_) {
    bool match;
    if (by_username) {
      match = name == nullptr ? !client->has_username
                              : client->has_username && client->username == name;
    } else {
      match = name != nullptr && client->client_id == name;
    }
    if (match) host_->kick(plugin_, handle, kAdministrativeAction, with_will ? 1 : 0, {nullptr, 0});
  }
  return MOSQ_ERR_SUCCESS;
}

// The arguments mosquitto_broker_publish refuses before taking ownership.
bool ValidPublish(const char* topic, int payloadlen, const void* payload, int qos) {
  return topic != nullptr && payloadlen >= 0 && (payloadlen == 0 || payload != nullptr) &&
         qos >= 0 && qos <= 2 &&
         mosquitto_validate_utf8(topic, static_cast<int>(std::strlen(topic))) == MOSQ_ERR_SUCCESS &&
         mosquitto_pub_topic_check(topic) == MOSQ_ERR_SUCCESS;
}

}  // namespace plaza::mosquitto_compat

// ---------------------------------------------------------------------------
// mosquitto_broker.h
// ---------------------------------------------------------------------------

using plaza::mosquitto_compat::Bridge;
using plaza::mosquitto_compat::PluginMutex;

extern "C" {

PLAZA_SHIM_EXPORT int mosquitto_callback_register(mosquitto_plugin_id_t* identifier, int event,
                                                  MOSQ_FUNC_generic_callback cb_func,
                                                  const void* event_data, void* userdata) {
  if (identifier == nullptr || identifier->bridge == nullptr) return MOSQ_ERR_INVAL;
  std::lock_guard<std::recursive_mutex> lock(PluginMutex());
  return identifier->bridge->RegisterCallback(event, cb_func, event_data, userdata);
}

PLAZA_SHIM_EXPORT int mosquitto_callback_unregister(mosquitto_plugin_id_t* identifier, int event,
                                                    MOSQ_FUNC_generic_callback cb_func,
                                                    const void* event_data) {
  if (identifier == nullptr || identifier->bridge == nullptr) return MOSQ_ERR_INVAL;
  std::lock_guard<std::recursive_mutex> lock(PluginMutex());
  return identifier->bridge->UnregisterCallback(event, cb_func, event_data);
}

PLAZA_SHIM_EXPORT void* mosquitto_calloc(size_t nmemb, size_t size) {
  return std::calloc(nmemb, size);
}
PLAZA_SHIM_EXPORT void mosquitto_free(void* mem) { std::free(mem); }
PLAZA_SHIM_EXPORT void* mosquitto_malloc(size_t size) { return std::malloc(size); }
PLAZA_SHIM_EXPORT void* mosquitto_realloc(void* ptr, size_t size) {
  return std::realloc(ptr, size);
}
PLAZA_SHIM_EXPORT char* mosquitto_strdup(const char* s) {
  return s != nullptr ? strdup(s) : nullptr;
}

PLAZA_SHIM_EXPORT void mosquitto_log_printf(int level, const char* fmt, ...) {
  char buffer[1024];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buffer, sizeof(buffer), fmt, args);
  va_end(args);
  plaza_log_level plaza_level = PLAZA_LOG_DEBUG;
  if (level & MOSQ_LOG_ERR) {
    plaza_level = PLAZA_LOG_ERROR;
  } else if (level & MOSQ_LOG_WARNING) {
    plaza_level = PLAZA_LOG_WARNING;
  } else if (level & (MOSQ_LOG_INFO | MOSQ_LOG_NOTICE)) {
    plaza_level = PLAZA_LOG_INFO;
  }
  if (Bridge* bridge = Bridge::Current()) {
    bridge->Log(plaza_level, buffer);
  } else {
    std::fprintf(stderr, "mosquitto plugin: %s\n", buffer);
  }
}

PLAZA_SHIM_EXPORT const char* mosquitto_client_address(const struct mosquitto* client) {
  return client != nullptr ? client->address.c_str() : nullptr;
}
PLAZA_SHIM_EXPORT bool mosquitto_client_clean_session(const struct mosquitto* client) {
  return client != nullptr && client->clean_session;
}
PLAZA_SHIM_EXPORT const char* mosquitto_client_id(const struct mosquitto* client) {
  return client != nullptr ? client->client_id.c_str() : nullptr;
}
PLAZA_SHIM_EXPORT int mosquitto_client_keepalive(const struct mosquitto* client) {
  return client != nullptr ? client->keepalive : -1;
}
// Plaza shows plugins no TLS certificates (yet).
PLAZA_SHIM_EXPORT void* mosquitto_client_certificate(const struct mosquitto*) { return nullptr; }
PLAZA_SHIM_EXPORT int mosquitto_client_protocol(const struct mosquitto*) { return mp_mqtt; }
PLAZA_SHIM_EXPORT int mosquitto_client_protocol_version(const struct mosquitto* client) {
  return client != nullptr ? client->protocol_version : 0;
}
// Plaza does not count a client's subscriptions for plugins.
PLAZA_SHIM_EXPORT int mosquitto_client_sub_count(const struct mosquitto*) { return 0; }
PLAZA_SHIM_EXPORT const char* mosquitto_client_username(const struct mosquitto* client) {
  return client != nullptr && client->has_username ? client->username.c_str() : nullptr;
}
// Changes the user name later callbacks see for this client; Plaza's own
// view of the client (and other plugins') keeps the one it connected with.
PLAZA_SHIM_EXPORT int mosquitto_set_username(struct mosquitto* client, const char* username) {
  if (client == nullptr) return MOSQ_ERR_INVAL;
  if (username != nullptr &&
      mosquitto_validate_utf8(username, static_cast<int>(std::strlen(username))) !=
          MOSQ_ERR_SUCCESS) {
    return MOSQ_ERR_MALFORMED_UTF8;
  }
  client->has_username = username != nullptr;
  client->username = username != nullptr ? username : "";
  return MOSQ_ERR_SUCCESS;
}

PLAZA_SHIM_EXPORT int mosquitto_kick_client_by_clientid(const char* clientid, bool with_will) {
  std::lock_guard<std::recursive_mutex> lock(PluginMutex());
  Bridge* bridge = Bridge::Current();
  return bridge != nullptr ? bridge->Kick(false, clientid, with_will) : MOSQ_ERR_NOT_SUPPORTED;
}
PLAZA_SHIM_EXPORT int mosquitto_kick_client_by_username(const char* username, bool with_will) {
  std::lock_guard<std::recursive_mutex> lock(PluginMutex());
  Bridge* bridge = Bridge::Current();
  return bridge != nullptr ? bridge->Kick(true, username, with_will) : MOSQ_ERR_NOT_SUPPORTED;
}

// Takes ownership of `payload` (and `properties`), as mosquitto does, once
// the arguments are valid. MQTT 5 properties are not forwarded.
PLAZA_SHIM_EXPORT int mosquitto_broker_publish(const char* clientid, const char* topic,
                                               int payloadlen, void* payload, int qos, bool retain,
                                               mosquitto_property* properties) {
  if (!plaza::mosquitto_compat::ValidPublish(topic, payloadlen, payload, qos)) {
    return MOSQ_ERR_INVAL;
  }
  const int rc =
      mosquitto_broker_publish_copy(clientid, topic, payloadlen, payload, qos, retain, properties);
  std::free(payload);
  return rc;
}

PLAZA_SHIM_EXPORT int mosquitto_broker_publish_copy(const char* clientid, const char* topic,
                                                    int payloadlen, const void* payload, int qos,
                                                    bool retain, mosquitto_property* properties) {
  if (!plaza::mosquitto_compat::ValidPublish(topic, payloadlen, payload, qos)) {
    return MOSQ_ERR_INVAL;
  }
  mosquitto_property_free_all(&properties);
  std::lock_guard<std::recursive_mutex> lock(PluginMutex());
  Bridge* bridge = Bridge::Current();
  if (bridge == nullptr) return MOSQ_ERR_NOT_SUPPORTED;
  return bridge->Publish(clientid, topic, payloadlen, payload, qos, retain);
}

}  // extern "C"
