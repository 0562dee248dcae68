// The connection lifecycle of a shard: decoding the byte stream, CONNECT and
// its refusals, session creation, takeover and resumption, keep-alive, and
// closing (with or without the will). MQTT 5 adds: CONNACK reason codes and
// capability properties, Server Keep Alive, Session Expiry Interval, Will
// Delay Interval, and a DISCONNECT with a reason code before the server
// closes a connection. Publishing lives in shard_publish.cc, subscriptions in
// shard_subscribe.cc, shared subscriptions in shard_shared.cc.
#include "core/shard.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <type_traits>
#include <variant>

#include "common/log.h"
#include "mqtt/codec.h"
#include "mqtt/topic.h"

namespace plaza::broker {

uint8_t ConnectReturnCodeFor(uint8_t reason_code) {
  using mqtt::ConnectReturnCode;
  ConnectReturnCode code;
  switch (reason_code) {
    case 0x00:
      code = ConnectReturnCode::kAccepted;
      break;
    case 0x84:  // unsupported protocol version
      code = ConnectReturnCode::kUnacceptableProtocolVersion;
      break;
    case 0x85:  // client identifier not valid
      code = ConnectReturnCode::kIdentifierRejected;
      break;
    case 0x86:  // bad user name or password
      code = ConnectReturnCode::kBadUsernameOrPassword;
      break;
    case 0x88:  // server unavailable
    case 0x89:  // server busy
    case 0x97:  // quota exceeded
    case 0x9F:  // connection rate exceeded
      code = ConnectReturnCode::kServerUnavailable;
      break;
    default:  // not authorized, banned, and anything else
      code = ConnectReturnCode::kNotAuthorized;
      break;
  }
  return static_cast<uint8_t>(code);
}

const char* CloseReasonName(CloseReason reason) {
  switch (reason) {
    case CloseReason::kClientDisconnect:
      return "client disconnected";
    case CloseReason::kNetwork:
      return "connection lost";
    case CloseReason::kKeepAlive:
      return "keep-alive timeout";
    case CloseReason::kTakeover:
      return "session taken over";
    case CloseReason::kProtocolError:
      return "protocol error";
    case CloseReason::kOverflow:
      return "queue overflow";
    case CloseReason::kConnectTimeout:
      return "no CONNECT in time";
    case CloseReason::kRefused:
      return "connection refused";
    case CloseReason::kKicked:
      return "kicked by a plugin";
    case CloseReason::kShutdown:
      return "broker shutting down";
  }
  return "?";
}

Shard::Shard(size_t index, size_t count, const Limits& limits, ShardHost* host, Hooks* hooks)
    : shard_index_(index), shard_count_(count), limits_(limits), host_(host), hooks_(hooks) {}

Shard::~Shard() = default;

size_t Shard::ShardFor(std::string_view client_id, size_t count) {
  // FNV-1a, then a 64-bit finalizer: FNV's low bits depend only on the low
  // bits of the input bytes, and `% count` reads exactly those.
  uint64_t hash = 14695981039346656037ull;
  for (const char c : client_id) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 1099511628211ull;
  }
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdull;
  hash ^= hash >> 33;
  hash *= 0xc4ceb9fe1a85ec53ull;
  hash ^= hash >> 33;
  return static_cast<size_t>(hash % count);
}

Shard::Connection* Shard::Find(ConnId id) {
  auto it = connections_.find(id);
  return it == connections_.end() ? nullptr : it->second.get();
}

ClientFacts Shard::FactsOf(const Connection& conn) const {
  ClientFacts facts;
  facts.id = conn.id;
  if (conn.session) {
    facts.client_id = conn.session->client_id;
    facts.clean_start = conn.session->clean;
  }
  if (conn.has_username) facts.username = conn.username;
  facts.address = conn.peer;
  facts.protocol_level = conn.level;
  facts.keep_alive = conn.keep_alive;
  facts.connected_at_ms = conn.connected_at_ms;
  return facts;
}

OutputQueue* Shard::Output(ConnId id) {
  Connection* conn = Find(id);
  return conn ? &conn->output : nullptr;
}

void Shard::OnOpen(ConnId id, std::string_view peer) {
  auto conn = std::make_unique<Connection>();
  conn->id = id;
  conn->peer = std::string(peer);
  conn->opened_ms = conn->last_seen_ms = host_->NowMs();
  connections_[id] = std::move(conn);
  ++stats_.connections_opened;
}

void Shard::OnBytes(ConnId id, std::string_view data) {
  Connection* conn = Find(id);
  if (!conn || conn->state == Connection::State::kClosing) return;
  conn->last_seen_ms = host_->NowMs();
  if (conn->pending) {
    // A hook's answer is pending: keep the bytes for later, within bounds.
    conn->input.append(data);
    if (conn->input.size() > 2 * limits_.max_packet_size + (64 << 10)) {
      ++stats_.protocol_errors;
      PLAZA_LOG(kWarning) << "closing " << conn->peer
                          << ": too much input while waiting for a plugin's answer";
      CloseConnection(*conn, CloseReason::kProtocolError);
    }
    FlushCloses();
    return;
  }
  if (!conn->input.empty()) {
    conn->input.append(data);
    DecodeBuffered(*conn);
  } else {
    // Decode straight from the caller's buffer, so the common case copies
    // nothing; keep only what is left over.
    const size_t used = DecodeFrom(*conn, data);
    if (used != kGone) conn->input.assign(data.substr(used));
  }
  FlushCloses();
}

void Shard::DecodeBuffered(Connection& conn) {
  // The packets borrow from `input` while they are handled.
  std::string input = std::move(conn.input);
  conn.input.clear();
  const size_t used = DecodeFrom(conn, input);
  if (used != kGone) conn.input.assign(input, used);
}

// Decodes and handles the packets at the start of `input` until it runs out,
// a hook's answer is pending, or the connection ends. Returns the bytes
// used, or kGone when the connection is closing or was handed over (then
// `conn` must not be touched again).
size_t Shard::DecodeFrom(Connection& conn, std::string_view input) {
  size_t offset = 0;
  while (offset < input.size() && !conn.pending) {
    mqtt::DecodeResult result =
        mqtt::Decode(input.substr(offset), limits_.max_packet_size, conn.level);
    if (result.status == mqtt::DecodeStatus::kIncomplete) break;
    if (result.status != mqtt::DecodeStatus::kOk) {
      // A v5 CONNECT that fails is refused with a v5 CONNACK.
      if (conn.state == Connection::State::kAwaitConnect &&
          result.connect_protocol_level == mqtt::kProtocolLevel5) {
        conn.level = mqtt::kProtocolLevel5;
      }
      ProtocolError(conn, result.reason, result.error);
      return kGone;
    }
    if (conn.state == Connection::State::kAwaitConnect) {
      const auto* connect = std::get_if<mqtt::Connect>(&result.packet);
      if (connect &&
          (connect->protocol_level == mqtt::kProtocolLevel311 ||
           connect->protocol_level == mqtt::kProtocolLevel5) &&
          !connect->client_id.empty()) {
        const size_t target = ShardFor(connect->client_id, shard_count_);
        if (target != shard_index_) {
          const ConnId id = conn.id;
          std::string rest(input.substr(offset));
          std::string peer = std::move(conn.peer);
          connections_.erase(id);
          host_->Handoff(id, target, std::move(peer), std::move(rest));
          return kGone;
        }
      }
    }
    offset += result.consumed;
    HandlePacket(conn, result.packet);
    if (conn.state == Connection::State::kClosing) return kGone;
  }
  return offset;
}

void Shard::HandlePacket(Connection& conn, mqtt::Packet& packet) {
  if (conn.state == Connection::State::kAwaitConnect) {
    if (conn.auth && conn.auth->op) {
      // The CONNECT waits for the client's next AUTH.
      if (const auto* auth = std::get_if<mqtt::Auth>(&packet)) {
        HandleAuth(conn, *auth);
      } else if (const auto* disconnect = std::get_if<mqtt::Disconnect>(&packet)) {
        static_cast<void>(disconnect);
        CloseConnection(conn, CloseReason::kClientDisconnect);
      } else {
        ProtocolError(conn, mqtt::ReasonCode::kProtocolError,
                      std::string(mqtt::PacketTypeName(mqtt::TypeOf(packet))) +
                          " during authentication, which only AUTH may continue");
      }
      return;
    }
    const auto* connect = std::get_if<mqtt::Connect>(&packet);
    if (!connect) {
      ProtocolError(conn, mqtt::ReasonCode::kProtocolError,
                    std::string("first packet is ") + mqtt::PacketTypeName(mqtt::TypeOf(packet)) +
                        ", not CONNECT [MQTT-3.1.0-1]");
      return;
    }
    HandleConnect(conn, *connect);
    return;
  }
  std::visit(
      [&](auto& p) {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, mqtt::Publish>) {
          HandlePublish(conn, p);
        } else if constexpr (std::is_same_v<T, mqtt::Puback>) {
          HandlePuback(conn, p.packet_id);
        } else if constexpr (std::is_same_v<T, mqtt::Pubrec>) {
          HandlePubrec(conn, p.packet_id, p.reason_code);
        } else if constexpr (std::is_same_v<T, mqtt::Pubrel>) {
          HandlePubrel(conn, p.packet_id);
        } else if constexpr (std::is_same_v<T, mqtt::Pubcomp>) {
          HandlePubcomp(conn, p.packet_id);
        } else if constexpr (std::is_same_v<T, mqtt::Subscribe>) {
          HandleSubscribe(conn, p);
        } else if constexpr (std::is_same_v<T, mqtt::Unsubscribe>) {
          HandleUnsubscribe(conn, p);
        } else if constexpr (std::is_same_v<T, mqtt::Pingreq>) {
          SendControl(conn, mqtt::Pingresp{});
        } else if constexpr (std::is_same_v<T, mqtt::Disconnect>) {
          HandleDisconnect(conn, p);
        } else if constexpr (std::is_same_v<T, mqtt::Auth>) {
          HandleAuth(conn, p);
        } else {
          // A second CONNECT [MQTT-3.1.0-2], or a packet only a server sends.
          ProtocolError(conn, mqtt::ReasonCode::kProtocolError,
                        std::string("unexpected ") + mqtt::PacketTypeName(mqtt::TypeOf(packet)));
        }
      },
      packet);
}

void Shard::HandleConnect(Connection& conn, const mqtt::Connect& connect) {
  if (connect.protocol_level != mqtt::kProtocolLevel311 &&
      connect.protocol_level != mqtt::kProtocolLevel5) {
    PLAZA_LOG(kInfo) << "refusing " << conn.peer << ": protocol level "
                     << static_cast<int>(connect.protocol_level) << " is not supported";
    // An older client reads a 3.1.1 CONNACK [MQTT-3.1.2-2]; a newer one the
    // MQTT 5 form, which it is more likely to understand.
    if (connect.protocol_level > mqtt::kProtocolLevel5) {
      conn.level = mqtt::kProtocolLevel5;
      Refuse5(conn, mqtt::ReasonCode::kUnsupportedProtocolVersion);
    } else {
      Refuse(conn, mqtt::ConnectReturnCode::kUnacceptableProtocolVersion);
    }
    return;
  }
  conn.level = connect.protocol_level;
  const bool v5 = conn.level == mqtt::kProtocolLevel5;
  const mqtt::Properties& props = connect.properties;
  if (v5 && props.authentication_method) {
    if (!hooks_) {
      // No plugin, so no enhanced authentication method [MQTT-4.12.0-1].
      PLAZA_LOG(kInfo) << "refusing " << conn.peer << ": authentication method '"
                       << *props.authentication_method << "' is not supported";
      Refuse5(conn, mqtt::ReasonCode::kBadAuthenticationMethod,
              "no authentication method is configured");
      return;
    }
    conn.auth = std::make_unique<Connection::Auth>();
    conn.auth->method = std::string(*props.authentication_method);
  }
  auto op = std::make_unique<PendingOp>();
  op->kind = PendingOp::Kind::kConnect;
  op->client_id = std::string(connect.client_id);
  op->clean = connect.clean_session;
  if (op->client_id.empty()) {
    if (!v5 && !connect.clean_session) {
      // [MQTT-3.1.3-8]: a persistent session needs an identifier to find it by.
      PLAZA_LOG(kInfo) << "refusing " << conn.peer
                       << ": empty client id with clean session 0 [MQTT-3.1.3-8]";
      Refuse(conn, mqtt::ConnectReturnCode::kIdentifierRejected);
      return;
    }
    // MQTT 5 tells the client the identifier (Assigned Client Identifier),
    // so even a lasting session can be resumed with it.
    op->client_id = AssignClientId();
    op->assigned_id = true;
  }
  // limits.max_keep_alive: an MQTT 5 client asking for more, or for none,
  // is told the cap (Server Keep Alive) and held to it [MQTT-3.2.2-21]; a
  // 3.1.1 client cannot be told, so it is refused (as mosquitto does).
  const uint16_t max_keep_alive = limits_.max_keep_alive;
  conn.keep_alive = connect.keep_alive;
  if (max_keep_alive != 0 && (connect.keep_alive == 0 || connect.keep_alive > max_keep_alive)) {
    if (!v5) {
      PLAZA_LOG(kInfo) << "refusing " << conn.peer << ": keep-alive " << connect.keep_alive
                       << " s exceeds limits.max_keep_alive (" << max_keep_alive
                       << " s), which an MQTT 3.1.1 client cannot be told";
      Refuse(conn, mqtt::ConnectReturnCode::kIdentifierRejected);
      return;
    }
    conn.keep_alive = max_keep_alive;
    op->server_keep_alive = max_keep_alive;
  }
  if (v5) {
    op->session_expiry = props.session_expiry_interval.value_or(0);
    if (props.receive_maximum) conn.receive_maximum = *props.receive_maximum;
    if (props.maximum_packet_size) conn.maximum_packet_size = *props.maximum_packet_size;
    conn.problem_information = props.request_problem_information.value_or(true);
    const uint16_t aliases =
        std::min(props.topic_alias_maximum.value_or(0), limits_.max_outbound_topic_aliases);
    if (aliases > 0) conn.outbound_aliases = std::make_unique<TopicAliases>(aliases);
  } else {
    op->session_expiry = connect.clean_session ? 0 : kSessionNeverExpires;
  }
  if (connect.will && !TopicWithinLimits(connect.will->topic)) {
    ProtocolError(conn, mqtt::ReasonCode::kTopicNameInvalid, "will topic exceeds the topic limits");
    return;
  }

  if (connect.username) {
    conn.username = std::string(*connect.username);
    conn.has_username = true;
  }
  conn.connected_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  if (connect.will) {
    auto stored = std::make_unique<StoredWill>();
    StoredWill& will = *stored;
    will.topic = std::string(connect.will->topic);
    will.payload = std::string(connect.will->payload);
    will.qos = connect.will->qos;
    will.retain = connect.will->retain;
    if (v5) {
      const mqtt::Properties& wp = connect.will->properties;
      mqtt::Properties forwarded;
      forwarded.payload_format_indicator = wp.payload_format_indicator;
      forwarded.content_type = wp.content_type;
      forwarded.response_topic = wp.response_topic;
      forwarded.correlation_data = wp.correlation_data;
      forwarded.user_properties = wp.user_properties;
      mqtt::AppendPropertyList(forwarded, &will.properties);
      will.expiry_interval = wp.message_expiry_interval.value_or(0);
      will.delay = wp.will_delay_interval.value_or(0);
    }
    op->will = std::move(stored);
  }
  if (!hooks_) {
    FinishConnect(conn, *op);
    return;
  }
  if (conn.auth) {
    StartAuthConnect(conn, std::move(op), connect.password, props.authentication_data);
    return;
  }
  ClientFacts facts = FactsOf(conn);
  facts.client_id = op->client_id;
  facts.clean_start = connect.clean_session;
  const ConnectDecision decision = hooks_->OnConnect(facts, connect.password);
  ApplyConnectDecision(conn, std::move(op), decision);
}

void Shard::ApplyConnectDecision(Connection& conn, std::unique_ptr<PendingOp> op,
                                 const ConnectDecision& decision) {
  switch (decision.verdict) {
    case HookVerdict::kPending:
      op->token = decision.pending;
      conn.pending = std::move(op);
      return;
    case HookVerdict::kAllow:
      FinishConnect(conn, *op, decision.auth_data);
      return;
    case HookVerdict::kContinue:
      if (conn.auth) {
        SendAuth(conn, mqtt::ReasonCode::kContinueAuthentication, decision.auth_data);
        conn.auth->op = std::move(op);
        return;
      }
      // Without an authentication method there is nothing to continue.
      PLAZA_LOG(kWarning) << "a plugin asked to continue authenticating " << conn.peer
                          << ", which named no authentication method: refused";
      [[fallthrough]];
    default: {
      const uint8_t code = decision.reason_code ? decision.reason_code : 0x87;
      PLAZA_LOG(kInfo) << "refusing " << conn.peer << " (" << op->client_id
                       << "): a plugin denied the connection (reason 0x" << std::hex
                       << static_cast<int>(code) << ")";
      if (conn.level == mqtt::kProtocolLevel5) {
        // The plugin's own reason code, when CONNACK may carry it.
        const bool valid =
            code >= 0x80 && mqtt::IsValidReasonCode(mqtt::PacketType::kConnack, code);
        Refuse5(conn,
                valid ? static_cast<mqtt::ReasonCode>(code) : mqtt::ReasonCode::kNotAuthorized,
                decision.reason_string);
      } else {
        Refuse(conn, static_cast<mqtt::ConnectReturnCode>(ConnectReturnCodeFor(code)));
      }
      return;
    }
  }
}

void Shard::FinishConnect(Connection& conn, PendingOp& op,
                          const std::optional<std::string>& auth_data) {
  const std::string& client_id = op.client_id;
  auto it = sessions_.find(client_id);
  if (it != sessions_.end() && it->second->conn != 0) {
    if (Connection* old = Find(it->second->conn)) {
      PLAZA_LOG(kInfo) << "client " << client_id << " reconnected from " << conn.peer
                       << ": closing its connection from " << old->peer;
      CloseConnection(*old, CloseReason::kTakeover);
    }
    it = sessions_.find(client_id);  // a clean session died with its connection
  }

  Session* session;
  bool present = false;
  if (it != sessions_.end() && !op.clean) {
    session = it->second.get();
    present = true;
    // Back before its will's delay passed: the will is not sent [MQTT-3.1.3-9].
    session->delayed_will.reset();
    session->expires_at_ms = 0;
    timed_sessions_.erase(session);
  } else {
    if (it != sessions_.end()) DestroySession(*it->second);
    auto created = std::make_unique<Session>();
    created->client_id = client_id;
    session = created.get();
    sessions_.emplace(session->client_id, std::move(created));
  }
  session->clean = op.clean;
  session->expiry_interval = op.session_expiry;
  session->conn = conn.id;
  conn.session = session;
  conn.state = Connection::State::kOpen;
  conn.will = std::move(op.will);
  PLAZA_LOG(kDebug) << "client " << client_id << " connected from " << conn.peer
                    << (present ? " (session resumed)" : "");
  mqtt::Connack connack{present, mqtt::ConnectReturnCode::kAccepted};
  if (conn.level == mqtt::kProtocolLevel5) {
    // What this broker supports, as configured (section 3.2.2.3).
    mqtt::Properties& p = connack.properties;
    p.receive_maximum = static_cast<uint16_t>(std::clamp<uint32_t>(limits_.max_inflight, 1, 65535));
    p.maximum_packet_size = static_cast<uint32_t>(
        std::min<size_t>(limits_.max_packet_size, mqtt::kMaxRemainingLength + 5));
    p.retain_available = true;
    p.topic_alias_maximum = kTopicAliasMaximum;
    p.wildcard_subscription_available = true;
    p.subscription_identifier_available = true;
    p.shared_subscription_available = true;
    if (op.assigned_id) p.assigned_client_identifier = client_id;
    if (conn.auth) {
      p.authentication_method = conn.auth->method;
      if (auth_data) p.authentication_data = *auth_data;
    }
    p.server_keep_alive = op.server_keep_alive;
  }
  SendControl(conn, connack);
  if (present) {
    // Members of shared subscriptions again.
    if (session->shared_subscriptions > 0) NotifyShared(*session, SharedWork::Kind::kOnline);
    ResumeSession(conn, *session);
  }
}

void Shard::Refuse(Connection& conn, mqtt::ConnectReturnCode code) {
  SendControl(conn, mqtt::Connack{false, code});
  CloseConnection(conn, CloseReason::kRefused);
}

void Shard::Refuse5(Connection& conn, mqtt::ReasonCode code, std::string_view reason) {
  mqtt::Connack connack;
  connack.reason_code = code;
  if (!reason.empty()) connack.properties.reason_string = reason;
  SendControl(conn, connack);
  CloseConnection(conn, CloseReason::kRefused);
}

void Shard::ProtocolError(Connection& conn, mqtt::ReasonCode code, std::string_view why) {
  ++stats_.protocol_errors;
  PLAZA_LOG(kWarning) << "closing " << conn.peer << " ("
                      << (conn.session ? conn.session->client_id : "") << "): " << why;
  if (conn.level == mqtt::kProtocolLevel5 && conn.state == Connection::State::kAwaitConnect) {
    // Before CONNACK the refusal is the CONNACK itself [MQTT-4.13.1-1].
    const auto value = static_cast<uint8_t>(code);
    const bool valid = value >= 0x80 && mqtt::IsValidReasonCode(mqtt::PacketType::kConnack, value);
    Refuse5(conn, valid ? code : mqtt::ReasonCode::kUnspecifiedError, why);
    return;
  }
  conn.close_code = code;
  conn.note().reason = std::string(why);
  CloseConnection(conn, CloseReason::kProtocolError);
}

void Shard::HandleDisconnect(Connection& conn, const mqtt::Disconnect& disconnect) {
  if (conn.level == mqtt::kProtocolLevel5) {
    Session& session = *conn.session;
    if (const auto& expiry = disconnect.properties.session_expiry_interval) {
      if (session.expiry_interval == 0 && *expiry != 0) {
        ProtocolError(conn, mqtt::ReasonCode::kProtocolError,
                      "DISCONNECT sets a session expiry after CONNECT set 0 [MQTT-3.14.2-2]");
        return;
      }
      session.expiry_interval = *expiry;
    }
    conn.will_on_disconnect =
        disconnect.reason_code == mqtt::ReasonCode::kDisconnectWithWillMessage;
  }
  CloseConnection(conn, CloseReason::kClientDisconnect);
}

void Shard::ResumeSession(Connection& conn, Session& session) {
  // [MQTT-4.4.0-1]: re-send unacknowledged PUBLISH (with DUP) and PUBREL
  // packets with their original packet ids, in their original order. One
  // too large for the new connection's Maximum Packet Size is dropped as if
  // it had been sent [MQTT-3.1.2-25].
  auto& inflight = session.inflight;
  for (auto it = inflight.begin(); it != inflight.end();) {
    if (it->stage == Session::Outbound::Stage::kPublished && conn.level == mqtt::kProtocolLevel5 &&
        !FitsClient(conn, *it->message, it->qos, it->subscription_ids)) {
      it = inflight.erase(it);
      continue;
    }
    SendInflight(conn, *it, true);
    ++it;
  }
  FillInflight(session);
}

std::string Shard::AssignClientId() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  while (true) {
    std::string id = "plaza-";
    uint64_t bits = random();
    for (int i = 0; i < 16; ++i, bits >>= 4) id.push_back(kHex[bits & 15]);
    if (ShardFor(id, shard_count_) == shard_index_ && !sessions_.contains(id)) return id;
  }
}

void Shard::SendControl(Connection& conn, const mqtt::Packet& packet) {
  std::string bytes;
  mqtt::Encode(packet, &bytes, conn.level);
  conn.output.PushControl(std::move(bytes));
  host_->WantWrite(conn.id);
}

namespace {

// The DISCONNECT reason code an MQTT 5 client is told when the server
// closes its connection for `reason` (section 3.14.2.1).
mqtt::ReasonCode DisconnectCodeFor(CloseReason reason) {
  switch (reason) {
    case CloseReason::kKeepAlive:
      return mqtt::ReasonCode::kKeepAliveTimeout;
    case CloseReason::kTakeover:
      return mqtt::ReasonCode::kSessionTakenOver;
    case CloseReason::kOverflow:
      return mqtt::ReasonCode::kQuotaExceeded;
    case CloseReason::kKicked:
      return mqtt::ReasonCode::kAdministrativeAction;
    case CloseReason::kShutdown:
      return mqtt::ReasonCode::kServerShuttingDown;
    default:
      return mqtt::ReasonCode::kProtocolError;
  }
}

}  // namespace

void Shard::CloseConnection(Connection& conn, CloseReason reason, bool kick_with_will) {
  if (conn.state == Connection::State::kClosing) return;
  const bool was_open = conn.state == Connection::State::kOpen;
  if (was_open && conn.level == mqtt::kProtocolLevel5 && reason != CloseReason::kNetwork &&
      reason != CloseReason::kClientDisconnect) {
    // The server tells an MQTT 5 client why before it closes [MQTT-4.13.2-1].
    mqtt::Disconnect disconnect;
    // A protocol error or a kick may have named its own code.
    const bool own_code =
        (reason == CloseReason::kProtocolError || reason == CloseReason::kKicked) &&
        conn.close_code != mqtt::ReasonCode::kSuccess;
    disconnect.reason_code = own_code ? conn.close_code : DisconnectCodeFor(reason);
    const Connection::CloseNote* note = conn.close_note.get();
    if (note && !note->server_reference.empty()) {
      disconnect.properties.server_reference = note->server_reference;
    }
    std::string text =
        note && !note->reason.empty() ? note->reason : std::string(CloseReasonName(reason));
    disconnect.properties.reason_string = text;
    if (conn.maximum_packet_size != 0 &&
        mqtt::EncodedSize(disconnect, conn.level) > conn.maximum_packet_size) {
      disconnect.properties.reason_string.reset();  // [MQTT-3.14.2-3]
    }
    SendControl(conn, disconnect);
  }
  conn.state = Connection::State::kClosing;
  WillPtr will = std::move(conn.will);
  const std::string client_id = conn.session ? conn.session->client_id : std::string();
  const bool publish_will =
      was_open && will && (reason != CloseReason::kClientDisconnect || conn.will_on_disconnect) &&
      reason != CloseReason::kShutdown && (reason != CloseReason::kKicked || kick_with_will);
  if (hooks_ && was_open) hooks_->OnDisconnect(FactsOf(conn), reason, publish_will);
  Session* session = conn.session;
  if (publish_will && will->delay > 0 && session && session->expiry_interval > 0) {
    // MQTT 5 Will Delay Interval: the will waits in the session and goes
    // out when the delay or the session ends, unless the client is back
    // first [MQTT-3.1.3-9].
    session->will_at_ms = host_->NowMs() + int64_t{will->delay} * 1000;
    session->delayed_will = std::move(will);
  }
  DetachSession(conn);
  // kNetwork means the socket is already gone.
  if (reason != CloseReason::kNetwork) host_->Close(conn.id);
  if (reason != CloseReason::kClientDisconnect && reason != CloseReason::kRefused) {
    PLAZA_LOG(kDebug) << "closing " << conn.peer << " (" << client_id
                      << "): " << CloseReasonName(reason);
  }
  if (publish_will && will) PublishWill(*will, client_id);
}

void Shard::PublishWill(const StoredWill& will, const std::string& client_id) {
  const int64_t expires_at =
      will.expiry_interval ? host_->NowMs() + int64_t{will.expiry_interval} * 1000 : 0;
  Publish(MakeMessage(will.topic, will.payload, will.qos, will.retain, client_id, will.properties,
                      expires_at));
}

void Shard::DetachSession(Connection& conn) {
  Session* session = conn.session;
  if (!session) return;
  conn.session = nullptr;
  session->conn = 0;
  if (session->expiry_interval == 0) {
    DestroySession(*session);
    return;
  }
  if (session->expiry_interval != kSessionNeverExpires) {
    session->expires_at_ms = host_->NowMs() + int64_t{session->expiry_interval} * 1000;
  }
  if (session->expires_at_ms != 0 || session->delayed_will) timed_sessions_.insert(session);
  if (session->shared_subscriptions > 0) {
    // Its shared groups skip it while it is away, and other members take
    // over what it had not been sent yet.
    NotifyShared(*session, SharedWork::Kind::kOffline);
    SendRetries(TakeOverShared(*session, false));
  }
}

void Shard::DestroySession(Session& session) {
  timed_sessions_.erase(&session);
  // A will still waiting for its delay goes out when the session ends.
  WillPtr will = std::move(session.delayed_will);
  const std::string client_id = session.client_id;
  std::vector<SharedWork> retries = TakeOverShared(session, true);
  while (!session.subscriptions.empty()) {
    RemoveSubscription(session, session.subscriptions.begin()->first);
  }
  sessions_.erase(sessions_.find(session.client_id));  // destroys `session`
  SendRetries(std::move(retries));
  if (will) PublishWill(*will, client_id);
}

void Shard::ExpireSessions(int64_t now) {
  std::vector<Session*> due;
  for (Session* session : timed_sessions_) {
    if ((session->delayed_will && now >= session->will_at_ms) ||
        (session->expires_at_ms != 0 && now >= session->expires_at_ms)) {
      due.push_back(session);
    }
  }
  for (Session* session : due) {
    if (session->expires_at_ms != 0 && now >= session->expires_at_ms) {
      PLAZA_LOG(kDebug) << "session " << session->client_id << " expired";
      ++stats_.sessions_expired;
      DestroySession(*session);
      continue;
    }
    WillPtr will = std::move(session->delayed_will);
    if (session->expires_at_ms == 0) timed_sessions_.erase(session);
    PublishWill(*will, session->client_id);
  }
}

void Shard::OnClosed(ConnId id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& conn = *it->second;
  // The peer went away without DISCONNECT: an abnormal close, so the will is
  // published [MQTT-3.1.2-8].
  CloseConnection(conn, CloseReason::kNetwork);
  connections_.erase(id);
  FlushCloses();
}

void Shard::OnTick() {
  const int64_t now = host_->NowMs();
  std::vector<std::pair<ConnId, CloseReason>> expired;
  for (const auto& [id, conn] : connections_) {
    // A queue quiet since the last tick gives its buffer back.
    conn->output.Trim();
    if (conn->state == Connection::State::kAwaitConnect) {
      if (now - conn->opened_ms >= limits_.connect_timeout_ms) {
        expired.emplace_back(id, CloseReason::kConnectTimeout);
      }
    } else if (conn->state == Connection::State::kOpen && conn->keep_alive > 0) {
      // [MQTT-3.1.2-24]: one and a half times the keep-alive period.
      if (now - conn->last_seen_ms > int64_t{conn->keep_alive} * 1500) {
        expired.emplace_back(id, CloseReason::kKeepAlive);
      }
    }
  }
  if (!timed_sessions_.empty()) ExpireSessions(now);
  for (const auto& [id, reason] : expired) {
    if (Connection* conn = Find(id)) {
      PLAZA_LOG(kInfo) << "closing " << conn->peer << " ("
                       << (conn->session ? conn->session->client_id : "")
                       << "): " << CloseReasonName(reason);
      CloseConnection(*conn, reason);
    }
  }
  FlushCloses();
}

void Shard::CloseAll() {
  std::vector<ConnId> ids;
  for (const auto& [id, conn] : connections_) ids.push_back(id);
  for (ConnId id : ids) {
    if (Connection* conn = Find(id)) CloseConnection(*conn, CloseReason::kShutdown);
  }
  pending_closes_.clear();
}

void Shard::FlushCloses() {
  while (!pending_closes_.empty()) {
    auto [id, reason] = pending_closes_.back();
    pending_closes_.pop_back();
    if (Connection* conn = Find(id)) {
      PLAZA_LOG(kWarning) << "closing " << conn->peer << " ("
                          << (conn->session ? conn->session->client_id : "")
                          << "): " << CloseReasonName(reason);
      CloseConnection(*conn, reason);
    }
  }
}

}  // namespace plaza::broker
