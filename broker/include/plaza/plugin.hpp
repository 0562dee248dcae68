// plaza/plugin.hpp -- a header-only C++ wrapper over the C ABI in
// plaza/plugin.h, so a plugin written in C++ (17 or later) is a class with
// virtual hooks instead of C callbacks and casts.
//
//   class Greeter final : public plaza::Plugin {
//    public:
//     explicit Greeter(const plaza::InitArgs& args) : plaza::Plugin(args) {}
//     void OnDisconnect(const plaza::DisconnectEvent& event) override {
//       host().Info("bye " + std::string(event.client().client_id()));
//     }
//   };
//   PLAZA_PLUGIN(Greeter)
//
// What it adds to the C ABI, and nothing more:
//   - only the hooks a class overrides are registered, so a plugin pays the
//     broker no call per message for the hooks it does not use;
//   - events are views with std::string_view accessors that respect each
//     struct's `struct_size`, and setters whose storage lives in the view,
//     i.e. until the hook returns, as the ABI requires;
//   - Host wraps every service: a service the broker does not offer (beyond
//     its table's `struct_size`, or NULL) answers Status::kUnsupported
//     instead of crashing;
//   - no exception ever crosses the ABI: PLAZA_PLUGIN's entry points and
//     every hook trampoline catch it, log it, and answer safely (init fails;
//     connect, auth, subscribe and publish are denied; anything else passes).
//
// The threading contract and ownership rules of plaza/plugin.h apply
// unchanged: hooks about different clients run concurrently on different
// workers, so state shared between clients needs a lock.
#ifndef PLAZA_PLUGIN_HPP_
#define PLAZA_PLUGIN_HPP_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "plaza/plugin.h"

// True if the struct behind `ptr` (of type `type`, which starts with
// `struct_size`) is large enough to hold `field`: the ABI's rule for reading
// anything appended after version 1. Internal to this header.
#define PLAZA_DETAIL_HAS(ptr, type, field) \
  ((ptr) != nullptr && (ptr)->struct_size >= offsetof(type, field) + sizeof((ptr)->field))

namespace plaza {

// What a hook says about its event (see plaza_verdict in plugin.h).
enum class Verdict : int {
  kPass = PLAZA_VERDICT_PASS,          // no opinion: the next plugin decides
  kAllow = PLAZA_VERDICT_ALLOW,        // allowed; later plugins are not asked
  kDeny = PLAZA_VERDICT_DENY,          // refused with the event's reason code
  kDrop = PLAZA_VERDICT_DROP,          // publish/deliver: silently dropped
  kPending = PLAZA_VERDICT_PENDING,    // answered later with Host::Complete
  kContinue = PLAZA_VERDICT_CONTINUE,  // connect/auth: MQTT 5 AUTH continue
};

// The result of a host service (see plaza_status in plugin.h).
enum class Status : int {
  kOk = PLAZA_OK,
  kInvalid = PLAZA_ERR_INVALID,
  kNoClient = PLAZA_ERR_NO_CLIENT,
  kNotFound = PLAZA_ERR_NOT_FOUND,
  kTooLarge = PLAZA_ERR_TOO_LARGE,
  kUnsupported = PLAZA_ERR_UNSUPPORTED,  // also: this broker lacks the service
};

// A readable name for `status`, for log lines.
inline const char* StatusName(Status status) {
  switch (status) {
    case Status::kOk:
      return "ok";
    case Status::kInvalid:
      return "invalid argument";
    case Status::kNoClient:
      return "no such client";
    case Status::kNotFound:
      return "not found";
    case Status::kTooLarge:
      return "too large";
    case Status::kUnsupported:
      return "unsupported";
  }
  return "unknown status";
}

enum class LogLevel : int {
  kDebug = PLAZA_LOG_DEBUG,
  kInfo = PLAZA_LOG_INFO,
  kWarning = PLAZA_LOG_WARNING,
  kError = PLAZA_LOG_ERROR,
};

// Why a connection ended (see plaza_disconnect_cause in plugin.h).
enum class DisconnectCause : int {
  kNormal = PLAZA_DISCONNECT_NORMAL,
  kNetwork = PLAZA_DISCONNECT_NETWORK,
  kKeepAlive = PLAZA_DISCONNECT_KEEP_ALIVE,
  kTakeover = PLAZA_DISCONNECT_TAKEOVER,
  kKicked = PLAZA_DISCONNECT_KICKED,
  kProtocolError = PLAZA_DISCONNECT_PROTOCOL_ERROR,
  kOverflow = PLAZA_DISCONNECT_OVERFLOW,
  kShutdown = PLAZA_DISCONNECT_SHUTDOWN,
};

// A connected client's handle (0 is never a client). It may outlive the
// connection; services then answer Status::kNoClient.
using ClientHandle = plaza_client;

namespace detail {

inline std::string_view View(plaza_str s) {
  return s.data != nullptr ? std::string_view(s.data, s.size) : std::string_view();
}
inline std::optional<std::string_view> OptionalView(plaza_str s) {
  if (s.data == nullptr) return std::nullopt;
  return std::string_view(s.data, s.size);
}
// A view for the host. Never {NULL, n}: an empty view is {"", 0}.
inline plaza_str Str(std::string_view s) {
  return plaza_str{s.data() != nullptr ? s.data() : "", s.size()};
}
// An optional value for the host: absent when empty.
inline plaza_str StrOrAbsent(std::string_view s) {
  return s.empty() ? plaza_str{nullptr, 0} : Str(s);
}

}  // namespace detail

// ---------------------------------------------------------------------------
// Views of what the host shows: borrowed, valid until the hook returns.
// ---------------------------------------------------------------------------

// A view of plaza_client_info. Fields the broker's struct does not have
// read as empty or 0.
class ClientView {
#define PLAZA_DETAIL_CLIENT_HAS(field) PLAZA_DETAIL_HAS(info_, plaza_client_info, field)
 public:
  explicit ClientView(const plaza_client_info* info) : info_(info) {}

  // The handle to pass to Host services about this client.
  ClientHandle handle() const { return PLAZA_DETAIL_CLIENT_HAS(client) ? info_->client : 0; }
  std::string_view client_id() const {
    return PLAZA_DETAIL_CLIENT_HAS(client_id) ? detail::View(info_->client_id) : "";
  }
  // nullopt when the client sent no user name.
  std::optional<std::string_view> username() const {
    if (!PLAZA_DETAIL_CLIENT_HAS(username)) return std::nullopt;
    return detail::OptionalView(info_->username);
  }
  // The peer, "1.2.3.4:5678" or "[::1]:5678".
  std::string_view address() const {
    return PLAZA_DETAIL_CLIENT_HAS(address) ? detail::View(info_->address) : "";
  }
  // 4 = MQTT 3.1.1, 5 = MQTT 5.0.
  int protocol_version() const {
    return PLAZA_DETAIL_CLIENT_HAS(protocol_version) ? info_->protocol_version : 0;
  }
  bool clean_start() const {
    return PLAZA_DETAIL_CLIENT_HAS(clean_start) && info_->clean_start != 0;
  }
  // Seconds, as agreed.
  uint16_t keep_alive() const {
    return PLAZA_DETAIL_CLIENT_HAS(keep_alive) ? info_->keep_alive : 0;
  }
  // Unix time in milliseconds.
  int64_t connected_at_ms() const {
    return PLAZA_DETAIL_CLIENT_HAS(connected_at_ms) ? info_->connected_at_ms : 0;
  }
  // The C struct, for fields this wrapper does not know yet (may be NULL).
  const plaza_client_info* raw() const { return info_; }

 private:
  const plaza_client_info* info_;
#undef PLAZA_DETAIL_CLIENT_HAS
};

// One MQTT 5 user property, borrowed.
struct UserPropertyView {
  std::string_view key;
  std::string_view value;
};

// A view of plaza_message. MQTT 5 properties a message lacks read as
// empty or nullopt.
class MessageView {
 public:
  explicit MessageView(const plaza_message* message) : message_(message) {}

  std::string_view topic() const {
    return PLAZA_DETAIL_HAS(message_, plaza_message, topic) ? detail::View(message_->topic) : "";
  }
  std::string_view payload() const {
    return PLAZA_DETAIL_HAS(message_, plaza_message, payload) ? detail::View(message_->payload)
                                                              : "";
  }
  int qos() const { return PLAZA_DETAIL_HAS(message_, plaza_message, qos) ? message_->qos : 0; }
  bool retain() const {
    return PLAZA_DETAIL_HAS(message_, plaza_message, retain) && message_->retain != 0;
  }
  // 0 bytes, 1 UTF-8.
  int payload_format() const {
    return PLAZA_DETAIL_HAS(message_, plaza_message, payload_format) ? message_->payload_format : 0;
  }
  std::optional<uint32_t> message_expiry_s() const {
    if (!PLAZA_DETAIL_HAS(message_, plaza_message, message_expiry_s) ||
        !message_->has_message_expiry) {
      return std::nullopt;
    }
    return message_->message_expiry_s;
  }
  std::string_view content_type() const {
    return PLAZA_DETAIL_HAS(message_, plaza_message, content_type)
               ? detail::View(message_->content_type)
               : "";
  }
  std::string_view response_topic() const {
    return PLAZA_DETAIL_HAS(message_, plaza_message, response_topic)
               ? detail::View(message_->response_topic)
               : "";
  }
  std::string_view correlation_data() const {
    return PLAZA_DETAIL_HAS(message_, plaza_message, correlation_data)
               ? detail::View(message_->correlation_data)
               : "";
  }
  size_t user_property_count() const {
    return PLAZA_DETAIL_HAS(message_, plaza_message, user_property_count) &&
                   message_->user_properties != nullptr
               ? message_->user_property_count
               : 0;
  }
  // The i-th user property, in the order the client sent them; i must be
  // below user_property_count().
  UserPropertyView user_property(size_t i) const {
    const plaza_user_property& p = message_->user_properties[i];
    return {detail::View(p.key), detail::View(p.value)};
  }
  // The C struct (may be NULL).
  const plaza_message* raw() const { return message_; }

 private:
  const plaza_message* message_;
};

// An application message the plugin owns: to publish, or to route instead
// of the one a hook was shown. Empty MQTT 5 strings are sent as absent.
struct Message {
  std::string topic;
  std::string payload;
  uint8_t qos = 0;
  bool retain = false;
  uint8_t payload_format = 0;
  std::optional<uint32_t> message_expiry_s;
  std::string content_type;
  std::string response_topic;
  std::string correlation_data;
  std::vector<std::pair<std::string, std::string>> user_properties;

  // A copy of what `view` shows, e.g. to rewrite one field of it.
  static Message CopyOf(const MessageView& view) {
    Message m;
    m.topic = std::string(view.topic());
    m.payload = std::string(view.payload());
    m.qos = static_cast<uint8_t>(view.qos());
    m.retain = view.retain();
    m.payload_format = static_cast<uint8_t>(view.payload_format());
    m.message_expiry_s = view.message_expiry_s();
    m.content_type = std::string(view.content_type());
    m.response_topic = std::string(view.response_topic());
    m.correlation_data = std::string(view.correlation_data());
    for (size_t i = 0; i < view.user_property_count(); ++i) {
      const UserPropertyView p = view.user_property(i);
      m.user_properties.emplace_back(std::string(p.key), std::string(p.value));
    }
    return m;
  }
};

namespace detail {

// The C form of a Message; points into `message`, which must outlive it and
// stay unchanged.
class CMessage {
 public:
  explicit CMessage(const Message& message) {
    properties_.reserve(message.user_properties.size());
    for (const auto& [key, value] : message.user_properties) {
      properties_.push_back(plaza_user_property{Str(key), Str(value)});
    }
    c_.struct_size = sizeof(c_);
    c_.topic = Str(message.topic);
    c_.payload = Str(message.payload);
    c_.qos = message.qos;
    c_.retain = message.retain ? 1 : 0;
    c_.payload_format = message.payload_format;
    c_.has_message_expiry = message.message_expiry_s ? 1 : 0;
    c_.message_expiry_s = message.message_expiry_s.value_or(0);
    c_.content_type = StrOrAbsent(message.content_type);
    c_.response_topic = StrOrAbsent(message.response_topic);
    c_.correlation_data = StrOrAbsent(message.correlation_data);
    c_.user_properties = properties_.empty() ? nullptr : properties_.data();
    c_.user_property_count = properties_.size();
  }
  CMessage(const CMessage&) = delete;
  CMessage& operator=(const CMessage&) = delete;
  const plaza_message* get() const { return &c_; }

 private:
  std::vector<plaza_user_property> properties_;
  plaza_message c_{};
};

// A rewrite set by a hook: the message and its C form, kept alive by the
// event view until the hook returns.
struct Rewrite {
  explicit Rewrite(Message m) : message(std::move(m)), c(message) {}
  Message message;
  CMessage c;
};

}  // namespace detail

// ---------------------------------------------------------------------------
// Events: one class per hook. A view is handed to the hook by reference and
// dies when the hook returns; setters copy their argument into it, so
// whatever a setter is given may be a temporary.
// ---------------------------------------------------------------------------

// PLAZA_HOOK_CONNECT and PLAZA_HOOK_AUTH.
class ConnectEvent {
 public:
  explicit ConnectEvent(plaza_connect_event* event) : event_(event) {}
  ConnectEvent(const ConnectEvent&) = delete;
  ConnectEvent& operator=(const ConnectEvent&) = delete;

  ClientView client() const { return ClientView(event_->client); }
  // nullopt when the client sent no password.
  std::optional<std::string_view> password() const {
    if (!PLAZA_DETAIL_HAS(event_, plaza_connect_event, password)) return std::nullopt;
    return detail::OptionalView(event_->password);
  }
  // MQTT 5 enhanced authentication.
  std::string_view auth_method() const {
    return PLAZA_DETAIL_HAS(event_, plaza_connect_event, auth_method)
               ? detail::View(event_->auth_method)
               : "";
  }
  std::string_view auth_data() const {
    return PLAZA_DETAIL_HAS(event_, plaza_connect_event, auth_data)
               ? detail::View(event_->auth_data)
               : "";
  }
  // Auth hook: the client is connected and re-authenticating.
  bool reauthenticate() const {
    return PLAZA_DETAIL_HAS(event_, plaza_connect_event, reauthenticate) &&
           event_->reauthenticate != 0;
  }
  // The token for Host::Complete after returning Verdict::kPending.
  plaza_pending pending() const {
    return PLAZA_DETAIL_HAS(event_, plaza_connect_event, pending) ? event_->pending : 0;
  }

  // With kDeny: the MQTT 5 reason code, e.g. 0x86 bad user name or password.
  void set_reason_code(uint8_t code) {
    if (PLAZA_DETAIL_HAS(event_, plaza_connect_event, reason_code)) event_->reason_code = code;
  }
  // Sent to MQTT 5 clients in CONNACK.
  void set_reason_string(std::string_view text) {
    if (!PLAZA_DETAIL_HAS(event_, plaza_connect_event, reason_string)) return;
    reason_string_.assign(text);
    event_->reason_string = detail::Str(reason_string_);
  }
  // With kContinue or kAllow: the data for the MQTT 5 AUTH or CONNACK.
  void set_auth_data_out(std::string_view data) {
    if (!PLAZA_DETAIL_HAS(event_, plaza_connect_event, auth_data_out)) return;
    auth_data_out_.assign(data);
    event_->auth_data_out = detail::Str(auth_data_out_);
  }
  plaza_connect_event* raw() const { return event_; }
  // Internal (PLAZA_PLUGIN's per-thread view): shows the next event.
  void Rebind(plaza_connect_event* event) {
    event_ = event;
    reason_string_.clear();
    auth_data_out_.clear();
  }

 private:
  plaza_connect_event* event_;
  std::string reason_string_;
  std::string auth_data_out_;
};

// PLAZA_HOOK_SUBSCRIBE: one topic filter of a SUBSCRIBE.
class SubscribeEvent {
 public:
  explicit SubscribeEvent(plaza_subscribe_event* event) : event_(event) {}
  SubscribeEvent(const SubscribeEvent&) = delete;
  SubscribeEvent& operator=(const SubscribeEvent&) = delete;

  ClientView client() const { return ClientView(event_->client); }
  // For a shared subscription, without "$share/<group>/".
  std::string_view filter() const { return detail::View(event_->filter); }
  // nullopt unless the subscription is shared.
  std::optional<std::string_view> share_group() const {
    if (!PLAZA_DETAIL_HAS(event_, plaza_subscribe_event, share_group)) return std::nullopt;
    return detail::OptionalView(event_->share_group);
  }
  int requested_qos() const { return event_->requested_qos; }
  // The MQTT 5 subscription options byte.
  uint8_t options() const {
    return PLAZA_DETAIL_HAS(event_, plaza_subscribe_event, options) ? event_->options : 0;
  }
  plaza_pending pending() const {
    return PLAZA_DETAIL_HAS(event_, plaza_subscribe_event, pending) ? event_->pending : 0;
  }
  // The QoS granted so far (starts as requested_qos()).
  int granted_qos() const { return event_->granted_qos; }

  // Lowers the granted QoS (the broker ignores a raise).
  void set_granted_qos(uint8_t qos) { event_->granted_qos = qos; }
  // With kDeny, e.g. 0x87 not authorized.
  void set_reason_code(uint8_t code) { event_->reason_code = code; }
  plaza_subscribe_event* raw() const { return event_; }

 private:
  plaza_subscribe_event* event_;
};

// PLAZA_HOOK_PUBLISH: a PUBLISH from a client, before it is routed.
class PublishEvent {
 public:
  explicit PublishEvent(plaza_publish_event* event) : event_(event) {}
  PublishEvent(const PublishEvent&) = delete;
  PublishEvent& operator=(const PublishEvent&) = delete;

  ClientView client() const { return ClientView(event_->client); }
  MessageView message() const { return MessageView(event_->message); }
  plaza_pending pending() const {
    return PLAZA_DETAIL_HAS(event_, plaza_publish_event, pending) ? event_->pending : 0;
  }

  // With kAllow or kPass: route `message` instead of the one shown.
  void set_rewrite(Message message) {
    if (!PLAZA_DETAIL_HAS(event_, plaza_publish_event, rewrite)) return;
    rewrite_ = std::make_unique<detail::Rewrite>(std::move(message));
    event_->rewrite = rewrite_->c.get();
  }
  // With kDeny: sent in PUBACK/PUBREC to MQTT 5 clients.
  void set_reason_code(uint8_t code) {
    if (PLAZA_DETAIL_HAS(event_, plaza_publish_event, reason_code)) event_->reason_code = code;
  }
  plaza_publish_event* raw() const { return event_; }
  // Internal (PLAZA_PLUGIN's per-thread view): shows the next event.
  void Rebind(plaza_publish_event* event) {
    event_ = event;
    rewrite_.reset();
  }

 private:
  plaza_publish_event* event_;
  std::unique_ptr<detail::Rewrite> rewrite_;
};

// PLAZA_HOOK_DELIVER: a message about to be queued for one subscriber. Runs
// for every delivery: keep it cheap.
class DeliverEvent {
 public:
  explicit DeliverEvent(plaza_deliver_event* event) : event_(event) {}
  DeliverEvent(const DeliverEvent&) = delete;
  DeliverEvent& operator=(const DeliverEvent&) = delete;

  ClientView subscriber() const { return ClientView(event_->subscriber); }
  MessageView message() const { return MessageView(event_->message); }
  // nullopt for messages the server published.
  std::optional<std::string_view> publisher_client_id() const {
    if (!PLAZA_DETAIL_HAS(event_, plaza_deliver_event, publisher_client_id)) return std::nullopt;
    return detail::OptionalView(event_->publisher_client_id);
  }

  // With kAllow or kPass: deliver `message` instead.
  void set_rewrite(Message message) {
    if (!PLAZA_DETAIL_HAS(event_, plaza_deliver_event, rewrite)) return;
    rewrite_ = std::make_unique<detail::Rewrite>(std::move(message));
    event_->rewrite = rewrite_->c.get();
  }
  plaza_deliver_event* raw() const { return event_; }
  // Internal (PLAZA_PLUGIN's per-thread view): shows the next event.
  void Rebind(plaza_deliver_event* event) {
    event_ = event;
    rewrite_.reset();
  }

 private:
  plaza_deliver_event* event_;
  std::unique_ptr<detail::Rewrite> rewrite_;
};

// PLAZA_HOOK_UNSUBSCRIBE: one topic filter of an UNSUBSCRIBE.
class UnsubscribeEvent {
 public:
  explicit UnsubscribeEvent(const plaza_unsubscribe_event* event) : event_(event) {}
  ClientView client() const { return ClientView(event_->client); }
  std::string_view filter() const { return detail::View(event_->filter); }
  const plaza_unsubscribe_event* raw() const { return event_; }

 private:
  const plaza_unsubscribe_event* event_;
};

// PLAZA_HOOK_DISCONNECT: a client that had connected is gone.
class DisconnectEvent {
 public:
  explicit DisconnectEvent(const plaza_disconnect_event* event) : event_(event) {}
  ClientView client() const { return ClientView(event_->client); }
  DisconnectCause cause() const { return static_cast<DisconnectCause>(event_->cause); }
  bool will_published() const {
    return PLAZA_DETAIL_HAS(event_, plaza_disconnect_event, will_published) &&
           event_->will_published != 0;
  }
  const plaza_disconnect_event* raw() const { return event_; }

 private:
  const plaza_disconnect_event* event_;
};

// PLAZA_HOOK_RELOAD: the broker re-read its configuration (SIGHUP).
class ReloadEvent {
 public:
  explicit ReloadEvent(const plaza_reload_event* event) : event_(event) {}
  // This plugin's new `config:` subtree, as YAML.
  std::string_view config_yaml() const { return detail::View(event_->config_yaml); }
  const plaza_reload_event* raw() const { return event_; }

 private:
  const plaza_reload_event* event_;
};

// PLAZA_HOOK_CONTROL: a client published to "$CONTROL/<plugin name>/...".
class ControlEvent {
 public:
  explicit ControlEvent(const plaza_control_event* event) : event_(event) {}
  ClientView client() const { return ClientView(event_->client); }
  // What follows "$CONTROL/<plugin name>/".
  std::string_view subtopic() const { return detail::View(event_->subtopic); }
  MessageView message() const { return MessageView(event_->message); }
  const plaza_control_event* raw() const { return event_; }

 private:
  const plaza_control_event* event_;
};

// PLAZA_HOOK_ATTRIBUTE: an attribute of a client was set or deleted.
class AttributeEvent {
 public:
  explicit AttributeEvent(const plaza_attribute_event* event) : event_(event) {}
  ClientView client() const { return ClientView(event_->client); }
  std::string_view key() const { return detail::View(event_->key); }
  // The new value ("" when deleted).
  std::string_view value() const { return detail::View(event_->value); }
  bool deleted() const { return event_->deleted != 0; }
  const plaza_attribute_event* raw() const { return event_; }

 private:
  const plaza_attribute_event* event_;
};

// A metric label, name and value.
using Label = std::pair<std::string_view, std::string_view>;

// ---------------------------------------------------------------------------
// The host's services.
// ---------------------------------------------------------------------------

// How a hook that returned Verdict::kPending ends (Host::Complete).
struct Completion {
  Verdict verdict = Verdict::kAllow;  // kAllow, kDeny, kDrop, kPass or kContinue
  uint8_t reason_code = 0;
  uint8_t granted_qos = 0;  // subscribe
  std::string reason_string;
  std::string auth_data_out;
  std::optional<Message> rewrite;  // publish
};

// The facts about a client, copied (Host::GetClientInfo).
struct ClientInfo {
  ClientHandle handle = 0;
  std::string client_id;
  std::optional<std::string> username;
  std::string address;
  int protocol_version = 0;
  bool clean_start = false;
  uint16_t keep_alive = 0;
  int64_t connected_at_ms = 0;
};

// A timer added with Host::AddTimer, to cancel it.
struct TimerHandle {
  uint64_t id = 0;      // the broker's timer id; 0 if adding failed
  uint64_t cookie = 0;  // this wrapper's key for the callback
  explicit operator bool() const { return id != 0; }
};

// Every service of plaza_host_api with C++ types. Every method may be called
// from any thread (the ABI's rule) and never throws: a service missing from
// the broker answers Status::kUnsupported (or nullopt).
class Host {
 public:
  Host(plaza_plugin* plugin, const plaza_host_api* api) : plugin_(plugin), api_(api) {}
  ~Host() {
    // Cleanup runs after the last timer returned: drop the callbacks left.
    std::lock_guard<std::mutex> lock(Timers().mutex);
    for (auto it = Timers().callbacks.begin(); it != Timers().callbacks.end();) {
      it = it->second.host == this ? Timers().callbacks.erase(it) : std::next(it);
    }
  }
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  // --- Logging: a line in the broker's log, prefixed with the plugin name.
  void Log(LogLevel level, std::string_view message) const noexcept {
    if (auto log = PLAZA_DETAIL_HAS(api_, plaza_host_api, log) ? api_->log : nullptr) {
      log(plugin_, static_cast<plaza_log_level>(level), detail::Str(message));
    } else {
      std::fprintf(stderr, "plugin: %.*s\n", static_cast<int>(message.size()), message.data());
    }
  }
  void Debug(std::string_view message) const noexcept { Log(LogLevel::kDebug, message); }
  void Info(std::string_view message) const noexcept { Log(LogLevel::kInfo, message); }
  void Warning(std::string_view message) const noexcept { Log(LogLevel::kWarning, message); }
  void Error(std::string_view message) const noexcept { Log(LogLevel::kError, message); }

  // --- Ends a hook that returned Verdict::kPending; once per token.
  Status Complete(plaza_pending pending, const Completion& completion) const noexcept {
    auto fn = PLAZA_DETAIL_HAS(api_, plaza_host_api, complete) ? api_->complete : nullptr;
    if (fn == nullptr) return Status::kUnsupported;
    return Guard([&] {
      std::optional<detail::CMessage> rewrite;
      if (completion.rewrite) rewrite.emplace(*completion.rewrite);
      plaza_completion c{};
      c.struct_size = sizeof(c);
      c.verdict = static_cast<plaza_verdict>(completion.verdict);
      c.reason_code = completion.reason_code;
      c.granted_qos = completion.granted_qos;
      c.reason_string = detail::StrOrAbsent(completion.reason_string);
      c.auth_data_out = detail::StrOrAbsent(completion.auth_data_out);
      c.rewrite = rewrite ? rewrite->get() : nullptr;
      return Wrap(fn(plugin_, pending, &c));
    });
  }

  // --- Messages.
  // Publishes as the server to every matching subscriber.
  Status Publish(const Message& message) const noexcept {
    auto fn = PLAZA_DETAIL_HAS(api_, plaza_host_api, publish) ? api_->publish : nullptr;
    if (fn == nullptr) return Status::kUnsupported;
    return Guard([&] { return Wrap(fn(plugin_, detail::CMessage(message).get())); });
  }
  // Sends `message` to `client` only, whatever its subscriptions.
  Status PublishTo(ClientHandle client, const Message& message) const noexcept {
    auto fn = PLAZA_DETAIL_HAS(api_, plaza_host_api, publish_to) ? api_->publish_to : nullptr;
    if (fn == nullptr) return Status::kUnsupported;
    return Guard([&] { return Wrap(fn(plugin_, client, detail::CMessage(message).get())); });
  }

  // --- Server-side subscriptions, as if the client had sent the packet.
  Status Subscribe(ClientHandle client, std::string_view filter, uint8_t qos) const noexcept {
    auto fn = PLAZA_DETAIL_HAS(api_, plaza_host_api, subscribe) ? api_->subscribe : nullptr;
    if (fn == nullptr) return Status::kUnsupported;
    return Wrap(fn(plugin_, client, detail::Str(filter), qos));
  }
  Status Unsubscribe(ClientHandle client, std::string_view filter) const noexcept {
    auto fn = PLAZA_DETAIL_HAS(api_, plaza_host_api, unsubscribe) ? api_->unsubscribe : nullptr;
    if (fn == nullptr) return Status::kUnsupported;
    return Wrap(fn(plugin_, client, detail::Str(filter)));
  }

  // --- Disconnects `client`; reason code and server reference go into an
  // MQTT 5 DISCONNECT (0x98 administrative action by default).
  Status Kick(ClientHandle client, uint8_t reason_code = 0x98, bool with_will = false,
              std::string_view server_reference = {}) const noexcept {
    auto fn = PLAZA_DETAIL_HAS(api_, plaza_host_api, kick) ? api_->kick : nullptr;
    if (fn == nullptr) return Status::kUnsupported;
    return Wrap(
        fn(plugin_, client, reason_code, with_will ? 1 : 0, detail::StrOrAbsent(server_reference)));
  }

  // --- The facts about `client`, copied; nullopt if it is gone or the
  // service is missing.
  std::optional<ClientInfo> GetClientInfo(ClientHandle client) const noexcept {
    auto fn = PLAZA_DETAIL_HAS(api_, plaza_host_api, client_info) ? api_->client_info : nullptr;
    if (fn == nullptr) return std::nullopt;
    try {
      std::vector<char> buffer(512);
      for (int attempt = 0; attempt < 8; ++attempt) {
        plaza_client_info info{};
        info.struct_size = sizeof(info);
        const plaza_status status = fn(plugin_, client, &info, buffer.data(), buffer.size());
        if (status == PLAZA_ERR_TOO_LARGE) {
          buffer.resize(buffer.size() * 4);
          continue;
        }
        if (status != PLAZA_OK) return std::nullopt;
        const ClientView view(&info);
        ClientInfo out;
        out.handle = view.handle();
        out.client_id = std::string(view.client_id());
        if (auto username = view.username()) out.username = std::string(*username);
        out.address = std::string(view.address());
        out.protocol_version = view.protocol_version();
        out.clean_start = view.clean_start();
        out.keep_alive = view.keep_alive();
        out.connected_at_ms = view.connected_at_ms();
        return out;
      }
    } catch (...) {
      Error("GetClientInfo: out of memory");
    }
    return std::nullopt;
  }

  // --- Client attributes: string key/values shared by all plugins, gone
  // with the connection.
  Status SetAttribute(ClientHandle client, std::string_view key,
                      std::string_view value) const noexcept {
    auto fn = PLAZA_DETAIL_HAS(api_, plaza_host_api, set_attribute) ? api_->set_attribute : nullptr;
    if (fn == nullptr) return Status::kUnsupported;
    return Wrap(fn(plugin_, client, detail::Str(key), detail::Str(value)));
  }
  // The value, or nullopt if it is not set, the client is gone, or the
  // service is missing.
  std::optional<std::string> GetAttribute(ClientHandle client,
                                          std::string_view key) const noexcept {
    auto fn = PLAZA_DETAIL_HAS(api_, plaza_host_api, get_attribute) ? api_->get_attribute : nullptr;
    if (fn == nullptr) return std::nullopt;
    try {
      std::string value(256, '\0');
      for (int attempt = 0; attempt < 4; ++attempt) {
        size_t size = 0;
        const plaza_status status =
            fn(plugin_, client, detail::Str(key), value.data(), value.size(), &size);
        if (status == PLAZA_OK) {
          value.resize(size);
          return value;
        }
        // Another thread may have grown the value between two calls: retry.
        if (status != PLAZA_ERR_TOO_LARGE || size <= value.size()) return std::nullopt;
        value.resize(size);
      }
    } catch (...) {
      Error("GetAttribute: out of memory");
    }
    return std::nullopt;
  }
  Status DeleteAttribute(ClientHandle client, std::string_view key) const noexcept {
    auto fn =
        PLAZA_DETAIL_HAS(api_, plaza_host_api, delete_attribute) ? api_->delete_attribute : nullptr;
    if (fn == nullptr) return Status::kUnsupported;
    return Wrap(fn(plugin_, client, detail::Str(key)));
  }

  // --- Timers: `callback` runs on a worker thread after `delay_ms`, then
  // every `interval_ms` if it is not 0. An exception it throws is logged.
  // The handle is false if the broker refused or lacks timers.
  TimerHandle AddTimer(uint32_t delay_ms, uint32_t interval_ms,
                       std::function<void()> callback) noexcept {
    auto fn = PLAZA_DETAIL_HAS(api_, plaza_host_api, add_timer) ? api_->add_timer : nullptr;
    if (fn == nullptr || !callback) return {};
    TimerHandle handle;
    {
      std::lock_guard<std::mutex> lock(Timers().mutex);
      handle.cookie = ++Timers().last_cookie;
      try {
        Timers().callbacks.emplace(
            handle.cookie,
            TimerEntry{this, interval_ms == 0,
                       std::make_shared<std::function<void()>>(std::move(callback))});
      } catch (...) {
        return {};
      }
    }
    // The cookie, not a pointer, is the user data: a cancelled timer's
    // callback can then be freed at once, even if the broker calls it late.
    handle.id = fn(plugin_, delay_ms, interval_ms, &Host::RunTimer,
                   reinterpret_cast<void*>(static_cast<uintptr_t>(handle.cookie)));
    if (handle.id == 0) Forget(handle.cookie);
    return handle;
  }
  Status CancelTimer(const TimerHandle& timer) noexcept {
    auto fn = PLAZA_DETAIL_HAS(api_, plaza_host_api, cancel_timer) ? api_->cancel_timer : nullptr;
    if (fn == nullptr) return Status::kUnsupported;
    const Status status = Wrap(fn(plugin_, timer.id));
    Forget(timer.cookie);
    return status;
  }

  // --- Metrics, named "plaza_plugin_<plugin>_<name>". A counter only grows;
  // a gauge is set. nullopt if the broker lacks metrics.
  std::optional<uint64_t> Counter(std::string_view name, std::string_view help) const noexcept {
    auto fn = PLAZA_DETAIL_HAS(api_, plaza_host_api, counter) ? api_->counter : nullptr;
    if (fn == nullptr) return std::nullopt;
    const uint64_t id = fn(plugin_, detail::Str(name), detail::Str(help));
    return id != 0 ? std::optional<uint64_t>(id) : std::nullopt;
  }
  Status CounterAdd(uint64_t counter, uint64_t amount = 1) const noexcept {
    auto fn = PLAZA_DETAIL_HAS(api_, plaza_host_api, counter_add) ? api_->counter_add : nullptr;
    if (fn == nullptr) return Status::kUnsupported;
    fn(plugin_, counter, amount);
    return Status::kOk;
  }
  std::optional<uint64_t> Gauge(std::string_view name, std::string_view help) const noexcept {
    auto fn = PLAZA_DETAIL_HAS(api_, plaza_host_api, gauge) ? api_->gauge : nullptr;
    if (fn == nullptr) return std::nullopt;
    const uint64_t id = fn(plugin_, detail::Str(name), detail::Str(help));
    return id != 0 ? std::optional<uint64_t>(id) : std::nullopt;
  }
  // A series of a labeled family (plaza_host_api.counter_labeled).
  std::optional<uint64_t> Counter(std::string_view name, std::string_view help,
                                  const std::vector<Label>& labels) const noexcept {
    return Labeled(
        PLAZA_DETAIL_HAS(api_, plaza_host_api, counter_labeled) ? api_->counter_labeled : nullptr,
        name, help, labels);
  }
  std::optional<uint64_t> Gauge(std::string_view name, std::string_view help,
                                const std::vector<Label>& labels) const noexcept {
    return Labeled(
        PLAZA_DETAIL_HAS(api_, plaza_host_api, gauge_labeled) ? api_->gauge_labeled : nullptr, name,
        help, labels);
  }
  Status GaugeSet(uint64_t gauge, double value) const noexcept {
    auto fn = PLAZA_DETAIL_HAS(api_, plaza_host_api, gauge_set) ? api_->gauge_set : nullptr;
    if (fn == nullptr) return Status::kUnsupported;
    fn(plugin_, gauge, value);
    return Status::kOk;
  }

  // --- Conflation: QoS 0 messages on topics matching `filter` replace an
  // older one on the same topic still waiting in a slow subscriber's queue.
  // From the plugin's constructor only.
  Status Conflate(std::string_view filter) const noexcept {
    auto fn = PLAZA_DETAIL_HAS(api_, plaza_host_api, conflate) ? api_->conflate : nullptr;
    if (fn == nullptr) return Status::kUnsupported;
    return Wrap(fn(plugin_, detail::Str(filter)));
  }

  // --- The C handles, for services this wrapper does not know yet.
  plaza_plugin* plugin() const { return plugin_; }
  const plaza_host_api* api() const { return api_; }

 private:
  struct TimerEntry {
    Host* host;
    bool one_shot;
    std::shared_ptr<std::function<void()>> callback;
  };
  struct TimerTable {
    std::mutex mutex;
    uint64_t last_cookie = 0;                            // guarded by mutex
    std::unordered_map<uint64_t, TimerEntry> callbacks;  // guarded by mutex
  };
  // One table per plugin library (the broker loads each with RTLD_LOCAL).
  static TimerTable& Timers() {
    static TimerTable table;
    return table;
  }
  static void RunTimer(void* user_data) noexcept {
    const auto cookie = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(user_data));
    TimerEntry entry;
    {
      std::lock_guard<std::mutex> lock(Timers().mutex);
      auto it = Timers().callbacks.find(cookie);
      if (it == Timers().callbacks.end()) return;  // cancelled
      entry = it->second;
      if (entry.one_shot) Timers().callbacks.erase(it);
    }
    try {
      (*entry.callback)();
    } catch (const std::exception& e) {
      entry.host->Error(std::string("exception in a timer callback: ") + e.what());
    } catch (...) {
      entry.host->Error("unknown exception in a timer callback");
    }
  }
  static void Forget(uint64_t cookie) noexcept {
    std::lock_guard<std::mutex> lock(Timers().mutex);
    Timers().callbacks.erase(cookie);
  }
  static Status Wrap(plaza_status status) { return static_cast<Status>(status); }
  using LabeledFn = uint64_t (*)(plaza_plugin*, plaza_str, plaza_str, const plaza_label*, size_t);
  std::optional<uint64_t> Labeled(LabeledFn fn, std::string_view name, std::string_view help,
                                  const std::vector<Label>& labels) const noexcept {
    if (fn == nullptr) return std::nullopt;
    try {
      std::vector<plaza_label> c_labels;
      c_labels.reserve(labels.size());
      for (const auto& [label, value] : labels) {
        c_labels.push_back({detail::Str(label), detail::Str(value)});
      }
      const uint64_t id =
          fn(plugin_, detail::Str(name), detail::Str(help), c_labels.data(), c_labels.size());
      return id != 0 ? std::optional<uint64_t>(id) : std::nullopt;
    } catch (...) {
      return std::nullopt;
    }
  }
  // Runs `body`, turning an allocation failure into kTooLarge.
  template <typename Body>
  Status Guard(Body body) const noexcept {
    try {
      return body();
    } catch (...) {
      return Status::kTooLarge;
    }
  }

  plaza_plugin* plugin_;
  const plaza_host_api* api_;
};

// ---------------------------------------------------------------------------
// The plugin.
// ---------------------------------------------------------------------------

// What a plugin's constructor is given.
struct InitArgs {
  Host& host;
  std::string_view name;         // the plugin's `name:` (or its file stem)
  std::string_view config_yaml;  // its `config:` subtree as YAML, "" if none
};

// The base of every C++ plugin. Derive from it, give the class a
// constructor taking `const plaza::InitArgs&`, override the hooks you need
// (as public members: PLAZA_PLUGIN looks them up), and declare it with
// PLAZA_PLUGIN(ClassName) in one .cc file.
//
// The constructor runs inside plaza_plugin_init on the main thread: read
// the configuration there and throw to refuse the plugin (the broker logs
// what() and does not start). The destructor runs in plaza_plugin_cleanup,
// after the last hook and timer returned.
//
// A hook that throws is logged; the event is then denied (connect, auth,
// subscribe, publish, with reason code 0x83) or passed (the others).
class Plugin {
 public:
  explicit Plugin(const InitArgs& args)
      : host_(args.host), name_(args.name), config_yaml_(args.config_yaml) {}
  virtual ~Plugin() = default;
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  // A CONNECT arrived, before CONNACK.
  virtual Verdict OnConnect(ConnectEvent& /*event*/) { return Verdict::kPass; }
  // An MQTT 5 AUTH packet, during or after connecting.
  virtual Verdict OnAuth(ConnectEvent& /*event*/) { return Verdict::kPass; }
  // One topic filter of a SUBSCRIBE.
  virtual Verdict OnSubscribe(SubscribeEvent& /*event*/) { return Verdict::kPass; }
  // A PUBLISH from a client, before it is routed.
  virtual Verdict OnPublish(PublishEvent& /*event*/) { return Verdict::kPass; }
  // A message about to be queued for one subscriber; runs per delivery.
  virtual Verdict OnDeliver(DeliverEvent& /*event*/) { return Verdict::kPass; }
  // The informative hooks: the broker ignores their verdict, so they have
  // none (their default does nothing, i.e. passes).
  // One topic filter of an UNSUBSCRIBE.
  virtual void OnUnsubscribe(const UnsubscribeEvent& /*event*/) {}
  // A client that had connected is gone.
  virtual void OnDisconnect(const DisconnectEvent& /*event*/) {}
  // SIGHUP: the plugin's new configuration. Runs on the main thread while
  // workers may be running other hooks.
  virtual void OnReload(const ReloadEvent& /*event*/) {}
  // A client published to "$CONTROL/<plugin name>/...".
  virtual void OnControl(const ControlEvent& /*event*/) {}
  // An attribute of a client changed (set or deleted by any plugin); runs on
  // the client's worker.
  virtual void OnAttribute(const AttributeEvent& /*event*/) {}

  // The host's services.
  Host& host() const { return host_; }
  // The plugin's name, as in the broker's log.
  const std::string& name() const { return name_; }
  // The `config:` subtree the plugin was loaded with (not updated by
  // reloads: OnReload is given the new one).
  const std::string& config_yaml() const { return config_yaml_; }

 private:
  Host& host_;
  std::string name_;
  std::string config_yaml_;
};

namespace detail {

// True if T (or a base between it and Plugin) declares `member`: the type
// of &T::member then names that class instead of Plugin. A comparison of
// pointers to virtual members would not do: its result is unspecified.
#define PLAZA_DETAIL_OVERRIDES(T, member) \
  (!std::is_same_v<decltype(&T::member), decltype(&::plaza::Plugin::member)>)

// What plaza_plugin_init's user_data points to.
struct Instance {
  Instance(plaza_plugin* handle, const plaza_host_api* api) : host(handle, api) {}
  Host host;
  std::unique_ptr<Plugin> plugin;  // destroyed before host
};

inline const char* HookName(plaza_hook hook) {
  switch (hook) {
    case PLAZA_HOOK_CONNECT:
      return "connect";
    case PLAZA_HOOK_AUTH:
      return "auth";
    case PLAZA_HOOK_SUBSCRIBE:
      return "subscribe";
    case PLAZA_HOOK_PUBLISH:
      return "publish";
    case PLAZA_HOOK_DELIVER:
      return "deliver";
    case PLAZA_HOOK_UNSUBSCRIBE:
      return "unsubscribe";
    case PLAZA_HOOK_DISCONNECT:
      return "disconnect";
    case PLAZA_HOOK_RELOAD:
      return "reload";
    case PLAZA_HOOK_CONTROL:
      return "control";
    case PLAZA_HOOK_ATTRIBUTE:
      return "attribute";
  }
  return "unknown";
}

inline void LogException(const Host& host, const char* where, const char* what) noexcept {
  try {
    host.Error(std::string("exception in ") + where + ": " + what);
  } catch (...) {
    host.Error("exception (and no memory to describe it)");
  }
}

// The answer to an event whose hook threw.
inline plaza_verdict FailSafe(plaza_hook hook, void* event) noexcept {
  switch (hook) {
    case PLAZA_HOOK_CONNECT:
    case PLAZA_HOOK_AUTH: {
      auto* e = static_cast<plaza_connect_event*>(event);
      if (PLAZA_DETAIL_HAS(e, plaza_connect_event, reason_code)) e->reason_code = 0x83;
      if (PLAZA_DETAIL_HAS(e, plaza_connect_event, reason_string)) e->reason_string = {};
      if (PLAZA_DETAIL_HAS(e, plaza_connect_event, auth_data_out)) e->auth_data_out = {};
      return PLAZA_VERDICT_DENY;
    }
    case PLAZA_HOOK_SUBSCRIBE:
      static_cast<plaza_subscribe_event*>(event)->reason_code = 0x83;
      return PLAZA_VERDICT_DENY;
    case PLAZA_HOOK_PUBLISH: {
      auto* e = static_cast<plaza_publish_event*>(event);
      if (PLAZA_DETAIL_HAS(e, plaza_publish_event, rewrite)) e->rewrite = nullptr;
      if (PLAZA_DETAIL_HAS(e, plaza_publish_event, reason_code)) e->reason_code = 0x83;
      return PLAZA_VERDICT_DENY;
    }
    case PLAZA_HOOK_DELIVER: {
      auto* e = static_cast<plaza_deliver_event*>(event);
      if (PLAZA_DETAIL_HAS(e, plaza_deliver_event, rewrite)) e->rewrite = nullptr;
      return PLAZA_VERDICT_PASS;
    }
    default:
      return PLAZA_VERDICT_PASS;
  }
}

// The view of an event whose out-fields point into it. The host reads
// them once the hook has *returned*, so the view cannot live on the
// trampoline's stack: it lives in a slot per thread and event type until the
// next such event on the thread. A worker runs one hook at a time, and the
// host copies the out-fields before it calls the next hook.
template <typename View, typename Event>
View& OutSlot(Event* event) {
  thread_local View slot(nullptr);
  slot.Rebind(event);
  return slot;
}

// Every hook of a C++ plugin enters here: the C signature, the event's
// view, the virtual call, and the catch that keeps exceptions inside.
inline plaza_verdict Dispatch(plaza_hook hook, void* event, void* user_data) noexcept {
  auto* instance = static_cast<Instance*>(user_data);
  Plugin& plugin = *instance->plugin;
  try {
    switch (hook) {
      case PLAZA_HOOK_CONNECT:
        return static_cast<plaza_verdict>(
            plugin.OnConnect(OutSlot<ConnectEvent>(static_cast<plaza_connect_event*>(event))));
      case PLAZA_HOOK_AUTH:
        return static_cast<plaza_verdict>(
            plugin.OnAuth(OutSlot<ConnectEvent>(static_cast<plaza_connect_event*>(event))));
      case PLAZA_HOOK_SUBSCRIBE: {
        SubscribeEvent view(static_cast<plaza_subscribe_event*>(event));
        return static_cast<plaza_verdict>(plugin.OnSubscribe(view));
      }
      case PLAZA_HOOK_PUBLISH:
        return static_cast<plaza_verdict>(
            plugin.OnPublish(OutSlot<PublishEvent>(static_cast<plaza_publish_event*>(event))));
      case PLAZA_HOOK_DELIVER:
        return static_cast<plaza_verdict>(
            plugin.OnDeliver(OutSlot<DeliverEvent>(static_cast<plaza_deliver_event*>(event))));
      case PLAZA_HOOK_UNSUBSCRIBE:
        plugin.OnUnsubscribe(UnsubscribeEvent(static_cast<plaza_unsubscribe_event*>(event)));
        return PLAZA_VERDICT_PASS;
      case PLAZA_HOOK_DISCONNECT:
        plugin.OnDisconnect(DisconnectEvent(static_cast<plaza_disconnect_event*>(event)));
        return PLAZA_VERDICT_PASS;
      case PLAZA_HOOK_RELOAD:
        plugin.OnReload(ReloadEvent(static_cast<plaza_reload_event*>(event)));
        return PLAZA_VERDICT_PASS;
      case PLAZA_HOOK_CONTROL:
        plugin.OnControl(ControlEvent(static_cast<plaza_control_event*>(event)));
        return PLAZA_VERDICT_PASS;
      case PLAZA_HOOK_ATTRIBUTE:
        plugin.OnAttribute(AttributeEvent(static_cast<plaza_attribute_event*>(event)));
        return PLAZA_VERDICT_PASS;
    }
    return PLAZA_VERDICT_PASS;
  } catch (const std::exception& e) {
    LogException(instance->host, HookName(hook), e.what());
  } catch (...) {
    LogException(instance->host, HookName(hook), "not a std::exception");
  }
  return FailSafe(hook, event);
}

// plaza_plugin_init for plugin class T.
template <typename T>
int Init(plaza_plugin* plugin, const plaza_host_api* api, const plaza_init_args* args,
         void** user_data) noexcept {
  static_assert(std::is_base_of_v<Plugin, T>, "PLAZA_PLUGIN needs a class derived from Plugin");
  static_assert(std::is_constructible_v<T, const InitArgs&>,
                "a plugin class needs a constructor taking const plaza::InitArgs&");
  if (api == nullptr || args == nullptr || user_data == nullptr) return 1;
  std::unique_ptr<Instance> instance(new (std::nothrow) Instance(plugin, api));
  if (!instance) return 1;
  try {
    const InitArgs init_args{
        instance->host,
        PLAZA_DETAIL_HAS(args, plaza_init_args, name) ? View(args->name) : std::string_view(),
        PLAZA_DETAIL_HAS(args, plaza_init_args, config_yaml) ? View(args->config_yaml)
                                                             : std::string_view()};
    instance->plugin = std::make_unique<T>(init_args);
  } catch (const std::exception& e) {
    LogException(instance->host, "the plugin's constructor", e.what());
    return 1;
  } catch (...) {
    LogException(instance->host, "the plugin's constructor", "not a std::exception");
    return 1;
  }
  const std::pair<plaza_hook, bool> hooks[] = {
      {PLAZA_HOOK_CONNECT, PLAZA_DETAIL_OVERRIDES(T, OnConnect)},
      {PLAZA_HOOK_AUTH, PLAZA_DETAIL_OVERRIDES(T, OnAuth)},
      {PLAZA_HOOK_SUBSCRIBE, PLAZA_DETAIL_OVERRIDES(T, OnSubscribe)},
      {PLAZA_HOOK_PUBLISH, PLAZA_DETAIL_OVERRIDES(T, OnPublish)},
      {PLAZA_HOOK_DELIVER, PLAZA_DETAIL_OVERRIDES(T, OnDeliver)},
      {PLAZA_HOOK_UNSUBSCRIBE, PLAZA_DETAIL_OVERRIDES(T, OnUnsubscribe)},
      {PLAZA_HOOK_DISCONNECT, PLAZA_DETAIL_OVERRIDES(T, OnDisconnect)},
      {PLAZA_HOOK_RELOAD, PLAZA_DETAIL_OVERRIDES(T, OnReload)},
      {PLAZA_HOOK_CONTROL, PLAZA_DETAIL_OVERRIDES(T, OnControl)},
      {PLAZA_HOOK_ATTRIBUTE, PLAZA_DETAIL_OVERRIDES(T, OnAttribute)},
  };
  auto register_hook =
      PLAZA_DETAIL_HAS(api, plaza_host_api, register_hook) ? api->register_hook : nullptr;
  for (const auto& [hook, wanted] : hooks) {
    if (!wanted) continue;
    const plaza_status status = register_hook == nullptr
                                    ? PLAZA_ERR_UNSUPPORTED
                                    : register_hook(plugin, hook, &Dispatch, instance.get());
    if (status != PLAZA_OK) {
      instance->host.Error(std::string("cannot register the ") + HookName(hook) +
                           " hook: " + StatusName(static_cast<Status>(status)));
      // The host forgets the registrations of a plugin whose init failed.
      return 1;
    }
  }
  *user_data = instance.release();
  return 0;
}

// plaza_plugin_cleanup: destroys the plugin, then its Host.
inline void Cleanup(void* user_data) noexcept { delete static_cast<Instance*>(user_data); }

#undef PLAZA_DETAIL_OVERRIDES

}  // namespace detail
}  // namespace plaza

// Emits the three entry points of plaza/plugin.h for `ClassName`, a class
// derived from plaza::Plugin with a constructor taking
// `const plaza::InitArgs&`. Use it once per plugin, at namespace scope, in
// one .cc file, without a semicolon after it.
#define PLAZA_PLUGIN(ClassName)                                                           \
  extern "C" PLAZA_PLUGIN_EXPORT uint32_t plaza_plugin_negotiate(const uint32_t* offered, \
                                                                 size_t count) {          \
    static_cast<void>(offered);                                                           \
    static_cast<void>(count);                                                             \
    return PLAZA_PLUGIN_ABI_VERSION;                                                      \
  }                                                                                       \
  extern "C" PLAZA_PLUGIN_EXPORT int plaza_plugin_init(                                   \
      plaza_plugin* plugin, const plaza_host_api* host, const plaza_init_args* args,      \
      void** user_data) {                                                                 \
    return ::plaza::detail::Init<ClassName>(plugin, host, args, user_data);               \
  }                                                                                       \
  extern "C" PLAZA_PLUGIN_EXPORT void plaza_plugin_cleanup(void* user_data) {             \
    ::plaza::detail::Cleanup(user_data);                                                  \
  }

#endif  // PLAZA_PLUGIN_HPP_
