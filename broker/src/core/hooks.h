// The points where plugins take part in the protocol, as the core sees
// them: an abstract C++ interface the shard calls, implemented by the plugin
// host (src/plugin/) over the C ABI of plaza/plugin.h. The core knows
// nothing of shared objects, and its tests can stand in any Hooks they like.
//
// Every call happens on the worker thread that owns the client, one at a
// time per client; different workers call concurrently.
#ifndef PLAZA_BROKER_CORE_HOOKS_H_
#define PLAZA_BROKER_CORE_HOOKS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/message.h"

namespace plaza::broker {

using ConnId = uint64_t;

// Why a connection ended; decides whether its will is published.
enum class CloseReason {
  kClientDisconnect,  // DISCONNECT received: no will
  kNetwork,           // the peer closed or the socket failed
  kKeepAlive,         // nothing heard for 1.5 x keep-alive
  kTakeover,          // another connection took its client id
  kProtocolError,     // malformed or forbidden packet
  kOverflow,          // could not keep up with its QoS 1/2 queue
  kConnectTimeout,    // no CONNECT in time
  kRefused,           // CONNACK with an error code was sent
  kKicked,            // a plugin asked (will only if it said so)
  kShutdown,          // the broker is stopping: no will
};
const char* CloseReasonName(CloseReason reason);

// What hooks are told about a client.
struct ClientFacts {
  ConnId id = 0;
  std::string_view client_id;
  std::optional<std::string_view> username;
  std::string_view address;
  uint8_t protocol_level = 4;
  bool clean_start = true;
  uint16_t keep_alive = 0;
  int64_t connected_at_ms = 0;  // Unix time
};

enum class HookVerdict {
  kAllow,
  kDeny,      // refuse, with an MQTT 5 reason code
  kDrop,      // publish only: acknowledge, but route nothing
  kPending,   // answered later through the shard's Resume* with `pending`
  kContinue,  // connect and auth only: send AUTH "continue authentication"
};

// With kPending, `pending` is the token the answer will carry; the client's
// packets wait until it comes (Shard::ResumeConnect and friends).
struct ConnectDecision {
  HookVerdict verdict = HookVerdict::kAllow;
  uint8_t reason_code = 0;
  uint64_t pending = 0;
  std::string reason_string;  // for an MQTT 5 refusal
  // MQTT 5 enhanced authentication: the Authentication Data for the client
  // (in CONNACK with kAllow, in AUTH with kContinue), when set.
  std::optional<std::string> auth_data;
};

// One step of MQTT 5 enhanced authentication: the method the client named
// in CONNECT and the data of its CONNECT or AUTH packet.
struct AuthStep {
  std::string_view method;
  std::optional<std::string_view> data;
  bool reauthenticate = false;  // an AUTH 0x19 after CONNACK
};

struct SubscribeDecision {
  HookVerdict verdict = HookVerdict::kAllow;
  uint8_t granted_qos = 2;  // at most this
  uint8_t reason_code = 0;
  uint64_t pending = 0;
};

struct PublishDecision {
  HookVerdict verdict = HookVerdict::kAllow;
  uint8_t reason_code = 0;
  MessagePtr rewrite;  // route this instead, when set
  uint64_t pending = 0;
};

struct DeliverDecision {
  HookVerdict verdict = HookVerdict::kAllow;  // kAllow or kDrop
  MessagePtr rewrite;                         // deliver this instead, when set
};

class Hooks {
 public:
  virtual ~Hooks() = default;
  // A CONNECT to accept or refuse. When it is accepted, OnDisconnect
  // follows when the connection ends.
  virtual ConnectDecision OnConnect(const ClientFacts& client,
                                    std::optional<std::string_view> password) = 0;
  // A CONNECT naming an MQTT 5 Authentication Method, then each AUTH of the
  // exchange (and of a re-authentication). Unless overridden, no method is
  // known: refused with 0x8C (bad authentication method).
  virtual ConnectDecision OnConnectAuth(const ClientFacts& /*client*/,
                                        std::optional<std::string_view> /*password*/,
                                        const AuthStep& /*auth*/) {
    return ConnectDecision{HookVerdict::kDeny, 0x8C, 0, {}, {}};
  }
  virtual ConnectDecision OnAuth(const ClientFacts& /*client*/, const AuthStep& /*auth*/) {
    return ConnectDecision{HookVerdict::kDeny, 0x8C, 0, {}, {}};
  }
  virtual SubscribeDecision OnSubscribe(const ClientFacts& client, std::string_view filter,
                                        uint8_t requested_qos) = 0;
  // The same for a shared subscription "$share/<group>/<filter>", given as
  // its group and the filter without the prefix. By default, OnSubscribe
  // of the bare filter.
  virtual SubscribeDecision OnSharedSubscribe(const ClientFacts& client, std::string_view group,
                                              std::string_view filter, uint8_t requested_qos) {
    (void)group;
    return OnSubscribe(client, filter, requested_qos);
  }
  virtual PublishDecision OnPublish(const ClientFacts& client, const MessagePtr& message) = 0;
  // Whether OnPublish looks at messages at all. A plugin that does may act
  // on a message nobody subscribes to (a command to a room, say), so the
  // broker then never tells an MQTT 5 publisher "No matching subscribers".
  virtual bool WantsPublish() const { return true; }
  // Whether OnDeliver should be called at all: it runs once per delivery,
  // so the core skips it when nobody listens.
  virtual bool WantsDeliver() const = 0;
  // A message about to be queued for one subscriber. For an offline
  // session, `subscriber.id` is 0.
  virtual DeliverDecision OnDeliver(const ClientFacts& subscriber, const MessagePtr& message) = 0;
  // A PUBLISH to "$CONTROL/<name>/...": true if a plugin named <name> took
  // it (it is then not routed).
  virtual bool OnControl(const ClientFacts& client, const MessagePtr& message) = 0;
  virtual void OnUnsubscribe(const ClientFacts& client, std::string_view filter) = 0;
  virtual void OnDisconnect(const ClientFacts& client, CloseReason reason, bool will_published) = 0;
  // Whether messages on `topic` are conflated state (see Message::conflated);
  // asked once per message, by the shard where it is published.
  virtual bool Conflates(std::string_view /*topic*/) const { return false; }
};

// The MQTT 3.1.1 CONNACK return code closest to an MQTT 5 reason code.
uint8_t ConnectReturnCodeFor(uint8_t reason_code);

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_CORE_HOOKS_H_
