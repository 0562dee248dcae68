// Messages through a shard: PUBLISH from a client with its QoS 1/2
// handshakes, routing to the matching sessions, and delivery to each of them
// under the slow-subscriber policy:
//   - QoS 0 to a connection whose unwritten output exceeds
//     limits.max_queued_bytes is dropped and counted (stats.qos0_dropped);
//   - QoS 1/2 goes out while fewer than limits.max_inflight are unacknowledged,
//     waits in the session queue up to limits.max_queued_messages, and past
//     that an online client is disconnected (stats.overflow_disconnects)
//     while an offline session drops the message (stats.queued_dropped).
#include <algorithm>

#include "common/log.h"
#include "core/shard.h"
#include "mqtt/topic.h"

namespace plaza::broker {

bool Shard::TopicWithinLimits(std::string_view topic) const {
  return topic.size() <= limits_.max_topic_length &&
         mqtt::TopicLevels(topic) <= limits_.max_topic_levels;
}

bool Shard::HandlePublish(Connection& conn, const mqtt::Publish& publish) {
  if (!TopicWithinLimits(publish.topic)) {
    ++stats_.protocol_errors;
    PLAZA_LOG(kWarning) << "closing " << conn.peer << " (" << conn.session->client_id
                        << "): topic exceeds the configured length or level limit";
    CloseConnection(conn, CloseReason::kProtocolError);
    return false;
  }
  ++stats_.messages_received;
  Session& session = *conn.session;
  // QoS 2 is delivered on PUBLISH ("method B"): the packet id is remembered
  // until PUBREL so a re-sent PUBLISH is neither routed nor shown to plugins
  // twice.
  const bool fresh = publish.qos < 2 || session.inbound_qos2.insert(publish.packet_id).second;
  // $SYS belongs to the broker: clients may read it but not write it.
  const bool accepted = fresh && !publish.topic.starts_with("$SYS");
  if (!accepted) {
    FinishPublish(conn, nullptr, publish.qos, publish.packet_id, {});
    return true;
  }
  MessagePtr message =
      MakeMessage(publish.topic, publish.payload, publish.qos, publish.retain, session.client_id);
  if (hooks_ && publish.topic.starts_with("$CONTROL/") &&
      hooks_->OnControl(FactsOf(conn), message)) {
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

// Routes `message` (unless null or refused) and acknowledges the PUBLISH.
// MQTT 3.1.1 has no negative acknowledgement [MQTT-3.3.5-2]: a refused
// message is acknowledged as usual and not routed.
void Shard::FinishPublish(Connection& conn, MessagePtr message, uint8_t qos, uint16_t packet_id,
                          const PublishDecision& decision) {
  if (message && decision.verdict == HookVerdict::kAllow) {
    Publish(decision.rewrite ? decision.rewrite : message);
  }
  if (qos == 1) SendControl(conn, mqtt::Puback{packet_id});
  if (qos == 2) SendControl(conn, mqtt::Pubrec{packet_id});
}

void Shard::HandlePubrel(Connection& conn, uint16_t packet_id) {
  conn.session->inbound_qos2.erase(packet_id);
  SendControl(conn, mqtt::Pubcomp{packet_id});
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

void Shard::HandlePubrec(Connection& conn, uint16_t packet_id) {
  Session& session = *conn.session;
  auto it = FindInflight(session, packet_id);
  if (it == session.inflight.end() || it->qos != 2) {
    PLAZA_LOG(kDebug) << session.client_id << ": PUBREC for unknown packet id " << packet_id;
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

void Shard::Publish(const MessagePtr& message) {
  Route(message);
  if (shard_count_ > 1) host_->Broadcast(message);
}

void Shard::OnRemoteMessage(const MessagePtr& message) {
  Route(message);
  FlushCloses();
}

void Shard::Route(const MessagePtr& message) {
  if (message->retain()) retained_.Update(message);
  match_scratch_.clear();
  subscriptions_.Match(message->topic(), &match_scratch_);
  if (match_scratch_.empty()) return;
  // Overlapping subscriptions of one session deliver once, at the highest
  // QoS among them [MQTT-3.3.5-1].
  ++route_stamp_;
  route_scratch_.clear();
  for (const SubscriptionIndex::Entry& entry : match_scratch_) {
    Session* session = entry.session;
    if (session->route_stamp != route_stamp_) {
      session->route_stamp = route_stamp_;
      session->route_qos = entry.qos;
      route_scratch_.push_back(session);
    } else {
      session->route_qos = std::max(session->route_qos, entry.qos);
    }
  }
  // Forwarded messages carry retain 0 [MQTT-3.3.1-9].
  for (Session* session : route_scratch_) {
    Deliver(*session, message, std::min(session->route_qos, message->qos()), false);
  }
}

void Shard::Deliver(Session& session, const MessagePtr& original, uint8_t qos, bool retain) {
  Connection* conn = session.conn ? Find(session.conn) : nullptr;
  if (conn && conn->state != Connection::State::kOpen) conn = nullptr;
  const MessagePtr* chosen = &original;
  DeliverDecision decision;
  if (hooks_ && hooks_->WantsDeliver()) {
    ClientFacts facts;
    if (conn) {
      facts = FactsOf(*conn);
    } else {
      facts.client_id = session.client_id;
      facts.clean_start = session.clean;
    }
    decision = hooks_->OnDeliver(facts, original);
    if (decision.verdict != HookVerdict::kAllow) return;
    if (decision.rewrite) {
      chosen = &decision.rewrite;
      qos = std::min(qos, decision.rewrite->qos());
    }
  }
  const MessagePtr& message = *chosen;
  if (qos == 0) {
    if (!conn) return;  // QoS 0 is not kept for offline sessions
    if (conn->output.bytes() >= limits_.max_queued_bytes) {
      ++stats_.qos0_dropped;
      return;
    }
    conn->output.PushPublish(message, 0, retain, false, 0);
    ++stats_.messages_sent;
    host_->WantWrite(conn->id);
    return;
  }
  if (conn && session.queue.empty() && session.inflight.size() < limits_.max_inflight) {
    session.inflight.push_back(
        {NextPacketId(session), qos, retain, Session::Outbound::Stage::kPublished, message});
    SendInflight(*conn, session.inflight.back(), false);
    return;
  }
  if (session.queue.size() < limits_.max_queued_messages) {
    session.queue.push_back({message, qos, retain});
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
    conn.output.PushPublish(outbound.message, outbound.qos, outbound.retain, dup,
                            outbound.packet_id);
    ++stats_.messages_sent;
    host_->WantWrite(conn.id);
  } else {
    SendControl(conn, mqtt::Pubrel{outbound.packet_id});
  }
}

void Shard::FillInflight(Session& session) {
  Connection* conn = session.conn ? Find(session.conn) : nullptr;
  if (!conn || conn->state != Connection::State::kOpen) return;
  while (!session.queue.empty() && session.inflight.size() < limits_.max_inflight) {
    Session::Queued queued = std::move(session.queue.front());
    session.queue.pop_front();
    session.inflight.push_back({NextPacketId(session), queued.qos, queued.retain,
                                Session::Outbound::Stage::kPublished, std::move(queued.message)});
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
