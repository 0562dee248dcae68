// Messages through a shard: PUBLISH from a client with its QoS 1/2
// handshakes, routing to the matching sessions, and delivery to each of them
// under the slow-subscriber policy:
//   - QoS 0 to a connection whose unwritten output exceeds
//     limits.max_queued_bytes is dropped and counted (stats.qos0_dropped);
//   - QoS 1/2 goes out while fewer than limits.max_inflight are unacknowledged,
//     waits in the session queue up to limits.max_queued_messages, and past
//     that an online client is disconnected (stats.overflow_disconnects)
//     while an offline session drops the message (stats.queued_dropped).
// MQTT 5 adds: topic aliases from the client and toward it, negative
// acknowledgements and "no matching subscribers" (0x10), the client's
// Receive Maximum and Maximum Packet Size, Message Expiry
// (stats.expired_dropped), No Local, Retain As Published and Subscription
// Identifiers in deliveries.
#include <algorithm>

#include "common/log.h"
#include "core/shard.h"
#include "mqtt/codec.h"
#include "mqtt/topic.h"

namespace plaza::broker {

bool Shard::TopicWithinLimits(std::string_view topic) const {
  return topic.size() <= limits_.max_topic_length &&
         mqtt::TopicLevels(topic) <= limits_.max_topic_levels;
}

bool Shard::HandlePublish(Connection& conn, const mqtt::Publish& publish) {
  std::string_view topic = publish.topic;
  Session& session = *conn.session;
  if (conn.level == mqtt::kProtocolLevel5) {
    const mqtt::Properties& props = publish.properties;
    if (!props.subscription_identifiers.empty()) {
      ProtocolError(conn, mqtt::ReasonCode::kProtocolError,
                    "PUBLISH from a client with a subscription identifier [MQTT-3.3.4-6]");
      return false;
    }
    if (props.topic_alias) {
      // Client to server aliases, 1..kTopicAliasMaximum [MQTT-3.3.2-8].
      const uint16_t alias = *props.topic_alias;
      if (alias == 0 || alias > kTopicAliasMaximum) {
        ProtocolError(conn, mqtt::ReasonCode::kTopicAliasInvalid,
                      "topic alias outside 1.." + std::to_string(kTopicAliasMaximum));
        return false;
      }
      if (!conn.topic_aliases) conn.topic_aliases = std::make_unique<std::vector<std::string>>();
      std::vector<std::string>& aliases = *conn.topic_aliases;
      if (aliases.size() < alias) aliases.resize(alias);
      std::string& mapped = aliases[alias - 1];
      if (!topic.empty()) {
        mapped.assign(topic);
      } else if (mapped.empty()) {
        ProtocolError(conn, mqtt::ReasonCode::kProtocolError,
                      "empty topic with an alias never set [MQTT-3.3.4-7]");
        return false;
      }
      topic = mapped;
    } else if (topic.empty()) {
      ProtocolError(conn, mqtt::ReasonCode::kProtocolError,
                    "empty topic without a topic alias [MQTT-3.3.2-1]");
      return false;
    }
    // Receive Maximum toward the server: QoS 1 is answered at once, so the
    // unreleased QoS 2 packet ids are what the client has outstanding
    // [MQTT-3.3.4-9].
    if (publish.qos == 2 && !session.inbound_qos2.contains(publish.packet_id) &&
        session.inbound_qos2.size() >= std::clamp<uint32_t>(limits_.max_inflight, 1, 65535)) {
      ProtocolError(conn, mqtt::ReasonCode::kReceiveMaximumExceeded,
                    "more unacknowledged QoS 2 PUBLISH than Receive Maximum");
      return false;
    }
  }
  if (!TopicWithinLimits(topic)) {
    ProtocolError(conn, mqtt::ReasonCode::kTopicNameInvalid,
                  "topic exceeds the configured length or level limit");
    return false;
  }
  ++stats_.messages_received;
  // QoS 2 is delivered on PUBLISH ("method B"): the packet id is remembered
  // until PUBREL so a re-sent PUBLISH is neither routed nor shown to plugins
  // twice.
  const bool fresh = publish.qos < 2 || session.inbound_qos2.insert(publish.packet_id);
  if (!fresh) {
    FinishPublish(conn, nullptr, publish.qos, publish.packet_id, {});
    return true;
  }
  // $SYS belongs to the broker: clients may read it but not write it.
  if (topic.starts_with("$SYS")) {
    PublishDecision refused;
    refused.verdict = HookVerdict::kDeny;
    refused.reason_code = static_cast<uint8_t>(mqtt::ReasonCode::kNotAuthorized);
    FinishPublish(conn, nullptr, publish.qos, publish.packet_id, refused);
    return true;
  }
  MessagePtr message = MessageFrom(conn, topic, publish);
  if (hooks_ && topic.starts_with("$CONTROL/") && hooks_->OnControl(FactsOf(conn), message)) {
    FinishPublish(conn, nullptr, publish.qos, publish.packet_id, {});
    return true;
  }
  PublishDecision decision;
  if (hooks_) decision = hooks_->OnPublish(FactsOf(conn), message);
  if (decision.verdict == HookVerdict::kPending) {
    auto op = std::make_unique<PendingOp>();
    op->kind = PendingOp::Kind::kPublish;
    op->token = decision.pending;
    op->message = std::move(message);
    op->qos = publish.qos;
    op->packet_id = publish.packet_id;
    conn.pending = std::move(op);
    return true;
  }
  FinishPublish(conn, std::move(message), publish.qos, publish.packet_id, decision);
  return true;
}

// The Message of a PUBLISH. A 3.1.1 one is just topic and payload; an MQTT 5
// one also keeps the properties forwarded to subscribers, encoded once, and
// its Message Expiry Interval as a deadline (an interval of 0 is taken as
// none).
MessagePtr Shard::MessageFrom(Connection& conn, std::string_view topic,
                              const mqtt::Publish& publish) {
  const std::string& origin = conn.session->client_id;
  if (conn.level != mqtt::kProtocolLevel5) {
    return MakeMessage(topic, publish.payload, publish.qos, publish.retain, origin);
  }
  const mqtt::Properties& in = publish.properties;
  mqtt::Properties forwarded;
  forwarded.payload_format_indicator = in.payload_format_indicator;
  forwarded.content_type = in.content_type;
  forwarded.response_topic = in.response_topic;
  forwarded.correlation_data = in.correlation_data;
  forwarded.user_properties = in.user_properties;
  property_scratch_.clear();
  mqtt::AppendPropertyList(forwarded, &property_scratch_);
  const uint32_t expiry = in.message_expiry_interval.value_or(0);
  const int64_t expires_at = expiry ? host_->NowMs() + int64_t{expiry} * 1000 : 0;
  return MakeMessage(topic, publish.payload, publish.qos, publish.retain, origin, property_scratch_,
                     expires_at);
}

// Routes `message` (unless null or refused) and acknowledges the PUBLISH.
// MQTT 3.1.1 has no negative acknowledgement [MQTT-3.3.5-2]: a refused
// message is acknowledged as usual and not routed. MQTT 5 answers a refusal
// with its reason code (the plugin's, when PUBACK may carry it), and a
// message nobody subscribes to with 0x10 when the broker knows it.
void Shard::FinishPublish(Connection& conn, MessagePtr message, uint8_t qos, uint16_t packet_id,
                          const PublishDecision& decision) {
  bool taken = true;
  const MessagePtr& routed = decision.rewrite ? decision.rewrite : message;
  if (message && decision.verdict == HookVerdict::kAllow) taken = Publish(routed);
  if (qos == 0) return;
  mqtt::ReasonCode code = mqtt::ReasonCode::kSuccess;
  if (conn.level == mqtt::kProtocolLevel5 && decision.verdict == HookVerdict::kDeny) {
    const uint8_t value = decision.reason_code;
    code = value >= 0x80 && mqtt::IsValidReasonCode(mqtt::PacketType::kPuback, value)
               ? static_cast<mqtt::ReasonCode>(value)
               : mqtt::ReasonCode::kNotAuthorized;
  } else if (conn.level == mqtt::kProtocolLevel5 && !taken && !(hooks_ && hooks_->WantsPublish()) &&
             !MayMatchElsewhere(routed->topic())) {
    code = mqtt::ReasonCode::kNoMatchingSubscribers;
  }
  mqtt::Properties props;
  if (static_cast<uint8_t>(code) >= 0x80 && conn.problem_information) {
    props.reason_string = "publish refused";
  }
  if (qos == 1) {
    SendControl(conn, mqtt::Puback{packet_id, code, props});
  } else {
    // A PUBREC with an error code ends the QoS 2 flow, so the packet id is
    // free again (section 4.3.3).
    if (static_cast<uint8_t>(code) >= 0x80) conn.session->inbound_qos2.erase(packet_id);
    SendControl(conn, mqtt::Pubrec{packet_id, code, props});
  }
}

void Shard::HandlePubrel(Connection& conn, uint16_t packet_id) {
  const bool known = conn.session->inbound_qos2.erase(packet_id);
  mqtt::Pubcomp pubcomp{packet_id};
  if (!known && conn.level == mqtt::kProtocolLevel5) {
    pubcomp.reason_code = mqtt::ReasonCode::kPacketIdentifierNotFound;
  }
  SendControl(conn, pubcomp);
}

namespace {

std::vector<Session::Outbound>::iterator FindInflight(Session& session, uint16_t packet_id) {
  // Acknowledgements mostly come in order, so the front is the usual hit.
  return std::find_if(session.inflight.begin(), session.inflight.end(),
                      [packet_id](const Session::Outbound& o) { return o.packet_id == packet_id; });
}

}  // namespace

void Shard::HandlePuback(Connection& conn, uint16_t packet_id) {
  Session& session = *conn.session;
  auto it = FindInflight(session, packet_id);
  if (it == session.inflight.end() || it->qos != 1) {
    PLAZA_LOG(kDebug) << session.client_id << ": PUBACK for unknown packet id " << packet_id;
    return;
  }
  session.inflight.erase(it);
  FillInflight(session);
}

void Shard::HandlePubrec(Connection& conn, uint16_t packet_id, mqtt::ReasonCode code) {
  Session& session = *conn.session;
  auto it = FindInflight(session, packet_id);
  if (it == session.inflight.end() || it->qos != 2) {
    PLAZA_LOG(kDebug) << session.client_id << ": PUBREC for unknown packet id " << packet_id;
    if (conn.level == mqtt::kProtocolLevel5) {
      SendControl(conn, mqtt::Pubrel{packet_id, mqtt::ReasonCode::kPacketIdentifierNotFound});
    }
    return;
  }
  if (static_cast<uint8_t>(code) >= 0x80) {
    // The client refused the message: its flow ends here, no PUBREL.
    session.inflight.erase(it);
    FillInflight(session);
    return;
  }
  it->stage = Session::Outbound::Stage::kReleased;
  it->message.reset();  // the payload is no longer needed [MQTT-4.3.3-1]
  SendControl(conn, mqtt::Pubrel{packet_id});
}

void Shard::HandlePubcomp(Connection& conn, uint16_t packet_id) {
  Session& session = *conn.session;
  auto it = FindInflight(session, packet_id);
  if (it == session.inflight.end() || it->stage != Session::Outbound::Stage::kReleased) {
    PLAZA_LOG(kDebug) << session.client_id << ": PUBCOMP for unknown packet id " << packet_id;
    return;
  }
  session.inflight.erase(it);
  FillInflight(session);
}

bool Shard::Publish(const MessagePtr& message) {
  if (hooks_ && hooks_->Conflates(message->topic())) message->MarkConflated();
  const bool taken = Route(message);
  if (shard_count_ > 1) host_->Broadcast(message);
  return taken;
}

bool Shard::MayMatchElsewhere(std::string_view topic) {
  if (shard_count_ == 1) return false;
  const SubscriptionSummary* summary = host_->Summary();
  if (!summary) return true;
  for (size_t shard = 0; shard < shard_count_; ++shard) {
    // This shard's ordinary subscriptions were just matched exactly; its
    // shared ones belong to groups whose home may be elsewhere.
    if ((shard != shard_index_ || shared_memberships_ > 0) && summary->MayMatch(shard, topic)) {
      return true;
    }
  }
  return false;
}

void Shard::OnRemoteMessage(const MessagePtr& message) {
  Route(message);
  FlushCloses();
}

bool Shard::Route(const MessagePtr& message) {
  if (message->retain()) retained_.Update(message);
  // The groups of shared subscriptions this shard is home to.
  const bool shared = !shared_groups_.empty() && RouteShared(message);
  match_scratch_.clear();
  subscriptions_.Match(message->topic(), &match_scratch_);
  if (match_scratch_.empty()) return shared;
  if (message->expires_at_ms() != 0 && message->ExpiredAt(host_->NowMs())) {
    ++stats_.expired_dropped;
    return true;
  }
  // Overlapping subscriptions of one session deliver once, at the highest
  // QoS among them [MQTT-3.3.5-1], with every Subscription Identifier they
  // carry [MQTT-3.3.4-3].
  ++route_stamp_;
  route_scratch_.clear();
  for (const SubscriptionIndex::Entry& entry : match_scratch_) {
    Session* session = entry.session;
    if (entry.options != 0) {
      // MQTT 5 No Local [MQTT-3.8.3-3].
      if ((entry.options & SubscriptionIndex::kNoLocal) &&
          message->origin() == session->client_id) {
        continue;
      }
    }
    if (session->route_stamp != route_stamp_) {
      session->route_stamp = route_stamp_;
      session->route_qos = entry.qos;
      session->route_retain = false;
      if (!session->route_subscription_ids.empty()) session->route_subscription_ids.clear();
      route_scratch_.push_back(session);
    } else {
      session->route_qos = std::max(session->route_qos, entry.qos);
    }
    // Forwarded messages carry retain 0 [MQTT-3.3.1-9], unless a v5
    // subscription asked for Retain As Published [MQTT-3.3.1-12].
    if (entry.options & SubscriptionIndex::kRetainAsPublished) {
      session->route_retain = session->route_retain || message->retain();
    }
    if (entry.id != 0)
      mqtt::AppendSubscriptionIdentifier(entry.id, &session->route_subscription_ids);
  }
  for (Session* session : route_scratch_) {
    Deliver(*session, message, std::min(session->route_qos, message->qos()), session->route_retain,
            session->route_subscription_ids);
  }
  return shared || !route_scratch_.empty();
}

uint32_t Shard::InflightWindow(const Connection& conn) const {
  // The client's Receive Maximum caps the broker's own limit [MQTT-3.3.4-7].
  return std::min<uint32_t>(limits_.max_inflight, conn.receive_maximum);
}

bool Shard::FitsClient(const Connection& conn, const Message& message, uint8_t qos,
                       std::string_view subscription_ids) {
  if (conn.maximum_packet_size == 0) return true;
  const size_t expiry = message.expires_at_ms() != 0 ? 5 : 0;
  if (OutputQueue::Publish5Size(message, qos, expiry + subscription_ids.size()) <=
      conn.maximum_packet_size) {
    return true;
  }
  ++stats_.oversize_dropped;
  PLAZA_LOG(kDebug) << (conn.session ? conn.session->client_id : "") << ": message on '"
                    << message.topic() << "' exceeds its Maximum Packet Size; not sent";
  return false;
}

bool Shard::PushPublish(Connection& conn, const MessagePtr& message, uint8_t qos, bool retain,
                        bool dup, uint16_t packet_id, std::string_view subscription_ids) {
  const bool conflate = message->conflated();
  if (conn.level != mqtt::kProtocolLevel5) {
    return conn.output.PushPublish(message, qos, retain, dup, packet_id, conflate);
  }
  return PushPublish5(conn, message, qos, retain, dup, packet_id, subscription_ids);
}

// Out of line, so the MQTT 3.1.1 path above stays short.
bool Shard::PushPublish5(Connection& conn, const MessagePtr& message, uint8_t qos, bool retain,
                         bool dup, uint16_t packet_id, std::string_view subscription_ids) {
  const bool conflate = message->conflated();
  // This delivery's own properties: the time left [MQTT-3.3.2-6], the
  // Subscription Identifiers and a topic alias; the forwarded ones are
  // shared by the message.
  char own[64];
  size_t size = 0;
  if (message->expires_at_ms() != 0) {
    const uint32_t left = message->SecondsLeft(host_->NowMs());
    own[size++] = static_cast<char>(mqtt::PropertyId::kMessageExpiryInterval);
    for (int shift = 24; shift >= 0; shift -= 8) own[size++] = static_cast<char>(left >> shift);
  }
  uint16_t alias = 0;
  bool omit_topic = false;
  if (conn.outbound_aliases) {
    // An alias adds 3 bytes, which must still fit the client's Maximum
    // Packet Size (FitsClient checked the PUBLISH without it).
    const bool room =
        conn.maximum_packet_size == 0 ||
        OutputQueue::Publish5Size(*message, qos, size + subscription_ids.size() + 3) <=
            conn.maximum_packet_size;
    if (conflate && qos == 0 && conn.output.Waiting(message->topic())) {
      // It replaces a waiting PUBLISH and takes over its alias, with the
      // topic (OutputQueue::PushPublish5): the alias table is left alone.
      if (!room) {
        ++stats_.oversize_dropped;
        return true;  // the waiting one stays
      }
    } else {
      const TopicAliases::Use use = conn.outbound_aliases->For(message->topic(), room);
      alias = use.alias;
      omit_topic = use.known;
    }
  }
  if (subscription_ids.size() <= sizeof(own) - size) {
    subscription_ids.copy(own + size, subscription_ids.size());
    size += subscription_ids.size();
    return conn.output.PushPublish5(message, qos, retain, dup, packet_id, {own, size}, conflate,
                                    alias, omit_topic);
  }
  std::string long_own(own, size);
  long_own.append(subscription_ids);
  return conn.output.PushPublish5(message, qos, retain, dup, packet_id, long_own, conflate, alias,
                                  omit_topic);
}

void Shard::Deliver(Session& session, const MessagePtr& original, uint8_t qos, bool retain,
                    std::string_view subscription_ids) {
  Connection* conn = session.conn ? Find(session.conn) : nullptr;
  if (conn && conn->state != Connection::State::kOpen) conn = nullptr;
  const MessagePtr* chosen = &original;
  DeliverDecision decision;
  if (hooks_ && hooks_->WantsDeliver()) {
    // Built in place (this runs once per subscriber of every message).
    const ClientFacts facts = conn ? FactsOf(*conn) : [&session] {
      ClientFacts offline;
      offline.client_id = session.client_id;
      offline.clean_start = session.clean;
      return offline;
    }();
    decision = hooks_->OnDeliver(facts, original);
    if (decision.verdict != HookVerdict::kAllow) return;
    if (decision.rewrite) {
      chosen = &decision.rewrite;
      qos = std::min(qos, decision.rewrite->qos());
    }
  }
  const MessagePtr& message = *chosen;
  if (message->expires_at_ms() != 0 && message->ExpiredAt(host_->NowMs())) {
    ++stats_.expired_dropped;  // [MQTT-3.3.2-5]
    return;
  }
  if (conn && conn->level == mqtt::kProtocolLevel5 &&
      !FitsClient(*conn, *message, qos, subscription_ids)) {
    return;
  }
  if (qos == 0) {
    if (!conn) return;  // QoS 0 is not kept for offline sessions
    // A full queue still takes a conflated message that replaces one.
    if (conn->output.bytes() >= limits_.max_queued_bytes &&
        !(message->conflated() && conn->output.Waiting(message->topic()))) {
      ++stats_.qos0_dropped;
      return;
    }
    if (PushPublish(*conn, message, 0, retain, false, 0, subscription_ids)) {
      ++stats_.conflated;
      return;
    }
    ++stats_.messages_sent;
    host_->WantWrite(conn->id);
    return;
  }
  if (conn && session.queue.empty() && session.inflight.size() < InflightWindow(*conn)) {
    session.inflight.push_back({NextPacketId(session), qos, retain,
                                Session::Outbound::Stage::kPublished, false, message,
                                std::string(subscription_ids)});
    SendInflight(*conn, session.inflight.back(), false);
    return;
  }
  if (session.queue.size() < limits_.max_queued_messages) {
    session.queue.push_back({message, qos, retain, false, std::string(subscription_ids)});
    return;
  }
  ++stats_.queued_dropped;
  if (conn) {
    // It cannot keep up: closing it now is kinder to the room than letting
    // it fall ever further behind. Deferred, as routing may still be using
    // this session.
    ++stats_.overflow_disconnects;
    pending_closes_.emplace_back(conn->id, CloseReason::kOverflow);
  }
}

void Shard::SendInflight(Connection& conn, Session::Outbound& outbound, bool dup) {
  if (outbound.stage == Session::Outbound::Stage::kPublished) {
    PushPublish(conn, outbound.message, outbound.qos, outbound.retain, dup, outbound.packet_id,
                outbound.subscription_ids);
    ++stats_.messages_sent;
    host_->WantWrite(conn.id);
  } else {
    SendControl(conn, mqtt::Pubrel{outbound.packet_id});
  }
}

void Shard::FillInflight(Session& session) {
  Connection* conn = session.conn ? Find(session.conn) : nullptr;
  if (!conn || conn->state != Connection::State::kOpen) return;
  const uint32_t window = InflightWindow(*conn);
  int64_t now = 0;
  while (!session.queue.empty() && session.inflight.size() < window) {
    Session::Queued queued = std::move(session.queue.front());
    session.queue.pop_front();
    // Queued past its expiry: never delivered [MQTT-3.3.2-5].
    if (queued.message->expires_at_ms() != 0) {
      if (now == 0) now = host_->NowMs();
      if (queued.message->ExpiredAt(now)) {
        ++stats_.expired_dropped;
        continue;
      }
    }
    if (conn->level == mqtt::kProtocolLevel5 &&
        !FitsClient(*conn, *queued.message, queued.qos, queued.subscription_ids)) {
      continue;
    }
    session.inflight.push_back({NextPacketId(session), queued.qos, queued.retain,
                                Session::Outbound::Stage::kPublished, queued.shared,
                                std::move(queued.message), std::move(queued.subscription_ids)});
    SendInflight(*conn, session.inflight.back(), false);
  }
}

uint16_t Shard::NextPacketId(Session& session) {
  // Ids in use are few (at most max_inflight), so a linear check is cheap.
  while (true) {
    if (++session.last_packet_id == 0) session.last_packet_id = 1;
    if (FindInflight(session, session.last_packet_id) == session.inflight.end()) {
      return session.last_packet_id;
    }
  }
}

}  // namespace plaza::broker
