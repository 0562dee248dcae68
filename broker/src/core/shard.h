// One worker's share of the broker, as pure protocol logic: bytes and timer
// ticks in, output frames and requests to its host out. It owns the
// connections of its worker thread, the sessions whose client identifiers
// hash to it, a subscription index of those sessions and a copy of the
// retained messages. It does no I/O and takes no locks, so every MQTT rule
// it implements is unit-tested without a socket.
//
// Sharding: a client identifier always lives on shard Hash(id) % count. A
// connection accepted by another worker is handed over right after its
// CONNECT is decoded, so session takeover and resumption are local. A
// message published on one shard is routed to that shard's subscribers and
// handed to the host to broadcast to every other shard, which routes it to
// its own subscribers and updates its retained copy. Shared subscriptions
// ("$share/<group>/<filter>") are kept by each group's home shard, which
// hands every matching message to one member (core/shared_subscriptions.h).
#ifndef PLAZA_BROKER_CORE_SHARD_H_
#define PLAZA_BROKER_CORE_SHARD_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/hooks.h"
#include "core/limits.h"
#include "core/message.h"
#include "core/output_queue.h"
#include "core/retained_store.h"
#include "core/session.h"
#include "core/shared_subscriptions.h"
#include "core/subscription_index.h"
#include "core/subscription_summary.h"
#include "core/topic_aliases.h"
#include "mqtt/packet.h"

namespace plaza::broker {

// What a shard needs from the worker that runs it.
class ShardHost {
 public:
  virtual ~ShardHost() = default;
  // The connection has new bytes in its OutputQueue.
  virtual void WantWrite(ConnId id) = 0;
  // Write what can still be written, then close the socket and call
  // Shard::OnClosed(id). The shard has already done its protocol cleanup.
  virtual void Close(ConnId id) = 0;
  // Move the socket to shard `target`, which must be fed `input` (the bytes
  // read so far and not consumed, CONNECT first); `peer` is its address as
  // OnOpen() was given it. The shard has forgotten id.
  virtual void Handoff(ConnId id, size_t target, std::string peer, std::string input) = 0;
  // Deliver a message published on this shard to every other shard.
  virtual void Broadcast(const MessagePtr& message) = 0;
  // Hand `work` to Shard::OnSharedWork of shard `target` (never this one),
  // after the messages broadcast so far and before those broadcast later.
  virtual void PostShared(size_t target, SharedWork work) = 0;
  // What every shard subscribes to, for the "no matching subscribers"
  // answer; null when unknown (then the answer is never given on a shard
  // of several).
  virtual SubscriptionSummary* Summary() { return nullptr; }
  // Milliseconds of a monotonic clock.
  virtual int64_t NowMs() = 0;
};

// Counters a shard keeps; read by the worker for logs and metrics.
struct ShardStats {
  uint64_t connections_opened = 0;
  uint64_t messages_received = 0;  // PUBLISH from clients
  uint64_t messages_sent = 0;      // PUBLISH to clients
  uint64_t qos0_dropped = 0;       // slow subscriber, output queue full
  uint64_t queued_dropped = 0;     // offline session queue full
  uint64_t overflow_disconnects = 0;
  uint64_t protocol_errors = 0;
  uint64_t expired_dropped = 0;   // MQTT 5 Message Expiry Interval passed
  uint64_t oversize_dropped = 0;  // larger than the client's Maximum Packet Size
  uint64_t sessions_expired = 0;  // MQTT 5 Session Expiry Interval passed
  uint64_t conflated = 0;         // queued state replaced by a newer message
};

// Topic aliases a client may use toward the broker (CONNACK Topic Alias
// Maximum). Those the broker uses toward a client are limits.max_outbound_topic_aliases.
inline constexpr uint16_t kTopicAliasMaximum = 32;

class Shard {
 public:
  // `hooks` (may be null) is shared by every shard and outlives them.
  Shard(size_t index, size_t count, const Limits& limits, ShardHost* host, Hooks* hooks = nullptr);
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // The shard that owns a client identifier.
  static size_t ShardFor(std::string_view client_id, size_t count);

  // A new network connection (accepted here or handed over from another
  // shard; then OnBytes follows with its input).
  void OnOpen(ConnId id, std::string_view peer);
  // Bytes read from the connection.
  void OnBytes(ConnId id, std::string_view data);
  // The socket is gone: either the peer closed it or the host completed a
  // Close() the shard asked for.
  void OnClosed(ConnId id);
  // A message published on another shard.
  void OnRemoteMessage(const MessagePtr& message);
  // Shared-subscription work posted by another shard (shard_shared.cc).
  void OnSharedWork(SharedWork work);
  // Periodic: keep-alive and CONNECT deadlines, MQTT 5 session expiry and
  // delayed wills. Call a few times a second.
  void OnTick();
  // Closes every connection without wills, for shutdown.
  void CloseAll();

  // The answers to hooks that returned kPending (shard_pending.cc). A token
  // that does not match what the connection waits for is ignored (the
  // connection is gone, or the answer came after its deadline).
  void ResumeConnect(ConnId id, uint64_t token, const ConnectDecision& decision);
  void ResumeSubscribe(ConnId id, uint64_t token, const SubscribeDecision& decision);
  void ResumePublish(ConnId id, uint64_t token, const PublishDecision& decision);
  void ResumeReauth(ConnId id, uint64_t token, const ConnectDecision& decision);

  // Services for plugins, run on this shard's thread (shard_services.cc).
  // Each returns false when the connection is not (or no longer) here.
  void ServerPublish(const MessagePtr& message);
  bool SendTo(ConnId id, const MessagePtr& message);
  bool ServerSubscribe(ConnId id, std::string_view filter, uint8_t qos);
  bool ServerUnsubscribe(ConnId id, std::string_view filter);
  // `reason_code` (0x80 or above, valid in DISCONNECT; else 0x98) and
  // `server_reference` reach an MQTT 5 client in the DISCONNECT.
  bool Kick(ConnId id, bool with_will, uint8_t reason_code = 0x98,
            std::string_view server_reference = {});

  // The bytes waiting for a connection, or null if it is unknown.
  OutputQueue* Output(ConnId id);

  void SetLimits(const Limits& limits) { limits_ = limits; }
  const Limits& limits() const { return limits_; }
  const ShardStats& stats() const { return stats_; }
  size_t connection_count() const { return connections_.size(); }
  size_t session_count() const { return sessions_.size(); }
  size_t subscription_count() const { return subscriptions_.size() + shared_memberships_; }
  // Shared-subscription groups this shard is home to.
  size_t shared_group_count() const { return shared_groups_.size(); }
  size_t retained_count() const { return retained_.size(); }

 private:
  struct FilterRequest {
    std::string filter;
    uint8_t qos = 0;
    bool no_local = false;
    bool retain_as_published = false;
    uint8_t retain_handling = 0;
  };

  // What a connection waits for while a hook's answer is pending, and how
  // to go on when it comes.
  struct PendingOp {
    enum class Kind { kConnect, kSubscribe, kPublish, kReauth };
    Kind kind;
    uint64_t token = 0;
    // kConnect
    std::string client_id;
    bool clean = true;
    bool assigned_id = false;
    uint32_t session_expiry = 0;
    WillPtr will;
    std::optional<uint16_t> server_keep_alive;  // MQTT 5: the cap it is held to
    // kSubscribe: every filter, the answers so far, the one asked about
    std::vector<FilterRequest> filters;
    std::vector<uint8_t> codes;
    size_t next = 0;
    uint32_t subscription_id = 0;
    // kSubscribe and kPublish
    uint16_t packet_id = 0;
    // kPublish
    MessagePtr message;
    uint8_t qos = 0;
  };

  // One per socket. Idle connections are most of a room server's memory,
  // so what few of them need (a will, a close note, enhanced
  // authentication, aliases toward the client) hangs off pointers, and the
  // small fields are packed together.
  struct Connection {
    enum class State : uint8_t { kAwaitConnect, kOpen, kClosing };
    // What a server DISCONNECT (or a refusing CONNACK) says besides its code.
    struct CloseNote {
      std::string reason;
      std::string server_reference;  // sent in the DISCONNECT of a kick
    };
    // MQTT 5 enhanced authentication, only for a client that asked for it.
    struct Auth {
      std::string method;             // from CONNECT; AUTH must repeat it
      std::unique_ptr<PendingOp> op;  // the CONNECT waiting for its AUTH
      bool reauthenticating = false;  // after AUTH 0x19, until it ends
    };

    ConnId id;
    std::string peer;
    std::string input;  // bytes read but not yet decoded
    OutputQueue output;
    Session* session = nullptr;
    WillPtr will;
    std::string username;         // see has_username
    int64_t connected_at_ms = 0;  // Unix time, for plugins
    int64_t opened_ms = 0;
    int64_t last_seen_ms = 0;
    // Set while a hook's answer is pending: input is buffered, not decoded.
    std::unique_ptr<PendingOp> pending;
    // Client to server topic aliases, by alias - 1: made on the first one.
    std::unique_ptr<std::vector<std::string>> topic_aliases;
    std::unique_ptr<TopicAliases> outbound_aliases;  // server to client, if it takes any
    std::unique_ptr<CloseNote> close_note;           // made by the first that sets one
    std::unique_ptr<Auth> auth;
    // MQTT 5, from its CONNECT.
    uint32_t maximum_packet_size = 0;  // 0 for no limit
    uint16_t receive_maximum = 65535;  // QoS 1/2 it takes unacknowledged
    uint16_t keep_alive = 0;
    State state = State::kAwaitConnect;
    // The protocol level of its CONNECT: 4 (3.1.1) until a v5 one arrives.
    uint8_t level = mqtt::kProtocolLevel311;
    bool problem_information = true;  // reason strings on acknowledgements
    bool will_on_disconnect = false;  // DISCONNECT 0x04
    bool has_username = false;        // an empty user name is still one
    // What a server DISCONNECT (or a refusing CONNACK) says when it closes.
    mqtt::ReasonCode close_code = mqtt::ReasonCode::kSuccess;

    CloseNote& note() {
      if (!close_note) close_note = std::make_unique<CloseNote>();
      return *close_note;
    }
  };

  // Lifecycle (shard.cc).
  static constexpr size_t kGone = static_cast<size_t>(-1);
  size_t DecodeFrom(Connection& conn, std::string_view input);
  void DecodeBuffered(Connection& conn);
  void HandlePacket(Connection& conn, mqtt::Packet& packet);
  void HandleConnect(Connection& conn, const mqtt::Connect& connect);
  void ApplyConnectDecision(Connection& conn, std::unique_ptr<PendingOp> op,
                            const ConnectDecision& decision);
  void FinishConnect(Connection& conn, PendingOp& op,
                     const std::optional<std::string>& auth_data = std::nullopt);
  // Enhanced authentication (shard_auth.cc).
  void StartAuthConnect(Connection& conn, std::unique_ptr<PendingOp> op,
                        std::optional<std::string_view> password,
                        std::optional<std::string_view> auth_data);
  void HandleAuth(Connection& conn, const mqtt::Auth& auth);
  void ApplyReauthDecision(Connection& conn, const ConnectDecision& decision);
  void SendAuth(Connection& conn, mqtt::ReasonCode code, const std::optional<std::string>& data);
  void Refuse(Connection& conn, mqtt::ConnectReturnCode code);
  void Refuse5(Connection& conn, mqtt::ReasonCode code, std::string_view reason = {});
  // Counts and logs a protocol violation, then closes the connection; an
  // MQTT 5 client is told `code` and `why` first.
  void ProtocolError(Connection& conn, mqtt::ReasonCode code, std::string_view why);
  void HandleDisconnect(Connection& conn, const mqtt::Disconnect& disconnect);
  void PublishWill(const StoredWill& will, const std::string& client_id);
  void ExpireSessions(int64_t now);
  void CloseConnection(Connection& conn, CloseReason reason, bool kick_with_will = false);
  void DetachSession(Connection& conn);
  void ResumeSession(Connection& conn, Session& session);
  void DestroySession(Session& session);
  std::string AssignClientId();
  void SendControl(Connection& conn, const mqtt::Packet& packet);
  void FlushCloses();

  // Publishing and delivery (shard_publish.cc).
  bool HandlePublish(Connection& conn, const mqtt::Publish& publish);
  MessagePtr MessageFrom(Connection& conn, std::string_view topic, const mqtt::Publish& publish);
  void FinishPublish(Connection& conn, MessagePtr message, uint8_t qos, uint16_t packet_id,
                     const PublishDecision& decision);
  void HandlePuback(Connection& conn, uint16_t packet_id);
  void HandlePubrec(Connection& conn, uint16_t packet_id, mqtt::ReasonCode code);
  void HandlePubrel(Connection& conn, uint16_t packet_id);
  void HandlePubcomp(Connection& conn, uint16_t packet_id);
  // Both return whether anyone here took the message (for 0x10).
  bool Publish(const MessagePtr& message);
  bool Route(const MessagePtr& message);
  // Whether a subscription on another shard, or a shared one on this shard
  // (its group's home may be elsewhere), may match `topic`.
  bool MayMatchElsewhere(std::string_view topic);
  void Deliver(Session& session, const MessagePtr& message, uint8_t qos, bool retain,
               std::string_view subscription_ids = {});
  void SendInflight(Connection& conn, Session::Outbound& outbound, bool dup);
  // Queues one PUBLISH in the connection's protocol version.
  // True when a conflated message replaced a waiting one (see OutputQueue).
  bool PushPublish(Connection& conn, const MessagePtr& message, uint8_t qos, bool retain, bool dup,
                   uint16_t packet_id, std::string_view subscription_ids);
  // The MQTT 5 part of PushPublish, out of line to keep the 3.1.1 path short.
  [[gnu::noinline]] bool PushPublish5(Connection& conn, const MessagePtr& message, uint8_t qos,
                                      bool retain, bool dup, uint16_t packet_id,
                                      std::string_view subscription_ids);
  // False (and counted) when an MQTT 5 client's Maximum Packet Size is too
  // small for this delivery [MQTT-3.1.2-25].
  bool FitsClient(const Connection& conn, const Message& message, uint8_t qos,
                  std::string_view subscription_ids);
  uint32_t InflightWindow(const Connection& conn) const;
  void FillInflight(Session& session);
  uint16_t NextPacketId(Session& session);
  bool TopicWithinLimits(std::string_view topic) const;

  // Subscriptions (shard_subscribe.cc).
  void HandleSubscribe(Connection& conn, const mqtt::Subscribe& subscribe);
  void ContinueSubscribe(Connection& conn, std::unique_ptr<PendingOp> op);
  // Returns false when it replaced an existing subscription.
  bool AddSubscription(Session& session, std::string_view filter, uint8_t qos, uint8_t options = 0,
                       uint32_t id = 0);
  void RemoveSubscription(Session& session, std::string_view filter);
  uint8_t SubscribeOptions(const FilterRequest& request) const;
  uint8_t DeniedSubackCode(const Connection& conn, uint8_t reason_code) const;
  // Adds op.filters[op.next] with `granted` and moves on to the next.
  void GrantSubscription(Session& session, PendingOp& op, uint8_t granted);
  void SendSuback(Connection& conn, const PendingOp& op);
  void SendRetained(Session& session, std::string_view filter, uint8_t granted,
                    std::string_view subscription_ids = {});
  void HandleUnsubscribe(Connection& conn, const mqtt::Unsubscribe& unsubscribe);

  // Shared subscriptions (shard_shared.cc).
  size_t HomeOf(std::string_view key) const { return ShardFor(key, shard_count_); }
  void SendShared(size_t target, SharedWork work);
  void HandleShared(SharedWork work);
  // Tells the home of `key` that `client_id` joined, left, ... (`kind`).
  void TellHome(SharedWork::Kind kind, std::string_view key, const std::string& client_id);
  // Tells the homes of `session`'s shared subscriptions `kind` (kOnline,
  // kOffline or kLeave).
  void NotifyShared(const Session& session, SharedWork::Kind kind);
  // At the home: one member of each group matching the message gets it.
  bool RouteShared(const MessagePtr& message);
  void DispatchShared(SharedGroups::Group& group, SharedWork work);
  void DeliverShared(SharedWork work);
  // The shared messages `session` holds that another member should take
  // over: its unsent ones, and when `session_ends` its QoS 1 in flight
  // [MQTT-4.8.2-5 keeps QoS 2]. Taken out of the session.
  std::vector<SharedWork> TakeOverShared(Session& session, bool session_ends);
  void SendRetries(std::vector<SharedWork> retries);

  Connection* Find(ConnId id);
  ClientFacts FactsOf(const Connection& conn) const;

  const size_t shard_index_;
  const size_t shard_count_;
  Limits limits_;
  ShardHost* const host_;
  Hooks* const hooks_;
  std::unordered_map<ConnId, std::unique_ptr<Connection>> connections_;
  // Keyed by a view of the session's own client_id: one copy of each id.
  std::unordered_map<std::string_view, std::unique_ptr<Session>> sessions_;
  SubscriptionIndex subscriptions_;
  SharedGroups shared_groups_;  // the groups this shard is home to
  size_t shared_memberships_ = 0;
  std::vector<SharedGroups::Group*> group_scratch_;
  RetainedStore retained_;
  ShardStats stats_;
  uint64_t route_stamp_ = 0;
  uint64_t next_client_number_ = 0;
  std::vector<SubscriptionIndex::Entry> match_scratch_;
  std::vector<Session*> route_scratch_;
  std::string property_scratch_;
  // Offline sessions with a deadline: a finite Session Expiry Interval or a
  // delayed will.
  std::unordered_set<Session*> timed_sessions_;
  // Connections to close once the current routing pass is over (closing one
  // can destroy a session the pass still points to).
  std::vector<std::pair<ConnId, CloseReason>> pending_closes_;
  int routing_depth_ = 0;
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_CORE_SHARD_H_
