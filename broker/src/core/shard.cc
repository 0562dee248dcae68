// The connection lifecycle of a shard: decoding the byte stream, CONNECT and
// its refusals, session creation, takeover and resumption, keep-alive, and
// closing (with or without the will). Publishing lives in shard_publish.cc,
// subscriptions in shard_subscribe.cc.
#include "core/shard.h"

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
  if (conn.username) facts.username = *conn.username;
  facts.address = conn.peer;
  facts.protocol_level = mqtt::kProtocolLevel311;
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
    mqtt::DecodeResult result = mqtt::Decode(input.substr(offset), limits_.max_packet_size);
    if (result.status == mqtt::DecodeStatus::kIncomplete) break;
    if (result.status != mqtt::DecodeStatus::kOk) {
      ++stats_.protocol_errors;
      PLAZA_LOG(kWarning) << "closing " << conn.peer << ": " << result.error;
      CloseConnection(conn, CloseReason::kProtocolError);
      return kGone;
    }
    if (conn.state == Connection::State::kAwaitConnect) {
      const auto* connect = std::get_if<mqtt::Connect>(&result.packet);
      if (connect && connect->protocol_level == mqtt::kProtocolLevel311 &&
          !connect->client_id.empty()) {
        const size_t target = ShardFor(connect->client_id, shard_count_);
        if (target != shard_index_) {
          const ConnId id = conn.id;
          std::string rest(input.substr(offset));
          connections_.erase(id);
          host_->Handoff(id, target, std::move(rest));
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
    const auto* connect = std::get_if<mqtt::Connect>(&packet);
    if (!connect) {
      ++stats_.protocol_errors;
      PLAZA_LOG(kWarning) << "closing " << conn.peer << ": first packet is "
                          << mqtt::PacketTypeName(mqtt::TypeOf(packet))
                          << ", not CONNECT [MQTT-3.1.0-1]";
      CloseConnection(conn, CloseReason::kProtocolError);
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
          HandlePubrec(conn, p.packet_id);
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
          CloseConnection(conn, CloseReason::kClientDisconnect);
        } else {
          // A second CONNECT [MQTT-3.1.0-2], or a packet only a server sends.
          ++stats_.protocol_errors;
          PLAZA_LOG(kWarning) << "closing " << conn.peer << " ("
                              << (conn.session ? conn.session->client_id : "") << "): unexpected "
                              << mqtt::PacketTypeName(mqtt::TypeOf(packet));
          CloseConnection(conn, CloseReason::kProtocolError);
        }
      },
      packet);
}

void Shard::HandleConnect(Connection& conn, const mqtt::Connect& connect) {
  if (connect.protocol_level != mqtt::kProtocolLevel311) {
    PLAZA_LOG(kInfo) << "refusing " << conn.peer << ": protocol level "
                     << static_cast<int>(connect.protocol_level) << " is not supported";
    Refuse(conn, mqtt::ConnectReturnCode::kUnacceptableProtocolVersion);
    return;
  }
  std::string client_id(connect.client_id);
  if (client_id.empty()) {
    if (!connect.clean_session) {
      // [MQTT-3.1.3-8]: a persistent session needs an identifier to find it by.
      PLAZA_LOG(kInfo) << "refusing " << conn.peer
                       << ": empty client id with clean session 0 [MQTT-3.1.3-8]";
      Refuse(conn, mqtt::ConnectReturnCode::kIdentifierRejected);
      return;
    }
    client_id = AssignClientId();
  }
  if (connect.will && !TopicWithinLimits(connect.will->topic)) {
    ++stats_.protocol_errors;
    PLAZA_LOG(kWarning) << "closing " << conn.peer << ": will topic exceeds the topic limits";
    CloseConnection(conn, CloseReason::kProtocolError);
    return;
  }

  conn.keep_alive = connect.keep_alive;
  if (connect.username) conn.username = std::string(*connect.username);
  conn.connected_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  std::optional<StoredWill> will;
  if (connect.will) {
    will = StoredWill{std::string(connect.will->topic), std::string(connect.will->payload),
                      connect.will->qos, connect.will->retain};
  }
  if (!hooks_) {
    FinishConnect(conn, client_id, connect.clean_session, std::move(will));
    return;
  }
  ClientFacts facts = FactsOf(conn);
  facts.client_id = client_id;
  facts.clean_start = connect.clean_session;
  const ConnectDecision decision = hooks_->OnConnect(facts, connect.password);
  auto op = std::make_unique<PendingOp>();
  op->kind = PendingOp::Kind::kConnect;
  op->client_id = std::move(client_id);
  op->clean = connect.clean_session;
  op->will = std::move(will);
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
      FinishConnect(conn, op->client_id, op->clean, std::move(op->will));
      return;
    default:
      PLAZA_LOG(kInfo) << "refusing " << conn.peer << " (" << op->client_id
                       << "): a plugin denied the connection (reason 0x" << std::hex
                       << static_cast<int>(decision.reason_code) << ")";
      Refuse(conn, static_cast<mqtt::ConnectReturnCode>(
                       ConnectReturnCodeFor(decision.reason_code ? decision.reason_code : 0x87)));
      return;
  }
}

void Shard::FinishConnect(Connection& conn, const std::string& client_id, bool clean,
                          std::optional<StoredWill> will) {
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
  if (it != sessions_.end() && !clean) {
    session = it->second.get();
    present = true;
  } else {
    if (it != sessions_.end()) DestroySession(*it->second);
    auto created = std::make_unique<Session>();
    created->client_id = client_id;
    session = created.get();
    sessions_[client_id] = std::move(created);
  }
  session->clean = clean;
  session->conn = conn.id;
  conn.session = session;
  conn.state = Connection::State::kOpen;
  conn.will = std::move(will);
  PLAZA_LOG(kDebug) << "client " << client_id << " connected from " << conn.peer
                    << (present ? " (session resumed)" : "");
  SendControl(conn, mqtt::Connack{present, mqtt::ConnectReturnCode::kAccepted});
  if (present) ResumeSession(conn, *session);
}

void Shard::Refuse(Connection& conn, mqtt::ConnectReturnCode code) {
  SendControl(conn, mqtt::Connack{false, code});
  CloseConnection(conn, CloseReason::kRefused);
}

void Shard::ResumeSession(Connection& conn, Session& session) {
  // [MQTT-4.4.0-1]: re-send unacknowledged PUBLISH (with DUP) and PUBREL
  // packets with their original packet ids, in their original order.
  for (Session::Outbound& outbound : session.inflight) SendInflight(conn, outbound, true);
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
  mqtt::Encode(packet, &bytes);
  conn.output.PushControl(std::move(bytes));
  host_->WantWrite(conn.id);
}

void Shard::CloseConnection(Connection& conn, CloseReason reason, bool kick_with_will) {
  if (conn.state == Connection::State::kClosing) return;
  const bool was_open = conn.state == Connection::State::kOpen;
  conn.state = Connection::State::kClosing;
  std::optional<StoredWill> will = std::move(conn.will);
  conn.will.reset();
  const std::string client_id = conn.session ? conn.session->client_id : std::string();
  const bool publish_will = was_open && will && reason != CloseReason::kClientDisconnect &&
                            reason != CloseReason::kShutdown &&
                            (reason != CloseReason::kKicked || kick_with_will);
  if (hooks_ && was_open) hooks_->OnDisconnect(FactsOf(conn), reason, publish_will);
  DetachSession(conn);
  // kNetwork means the socket is already gone.
  if (reason != CloseReason::kNetwork) host_->Close(conn.id);
  if (reason != CloseReason::kClientDisconnect && reason != CloseReason::kRefused) {
    PLAZA_LOG(kDebug) << "closing " << conn.peer << " (" << client_id
                      << "): " << CloseReasonName(reason);
  }
  if (publish_will) {
    Publish(MakeMessage(will->topic, will->payload, will->qos, will->retain, client_id));
  }
}

void Shard::DetachSession(Connection& conn) {
  Session* session = conn.session;
  if (!session) return;
  conn.session = nullptr;
  session->conn = 0;
  if (session->clean) DestroySession(*session);
}

void Shard::DestroySession(Session& session) {
  for (const auto& [filter, qos] : session.subscriptions) subscriptions_.Remove(filter, &session);
  sessions_.erase(session.client_id);  // destroys `session`
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
