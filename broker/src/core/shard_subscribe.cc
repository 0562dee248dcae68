// SUBSCRIBE and UNSUBSCRIBE: per-filter validation and limits, the SUBACK
// with granted QoS or 0x80, and the retained messages a new subscription
// receives right after its SUBACK.
#include <algorithm>

#include "common/log.h"
#include "core/shard.h"
#include "mqtt/topic.h"

namespace plaza::broker {

void Shard::HandleSubscribe(Connection& conn, const mqtt::Subscribe& subscribe) {
  // The filters are copied: a plugin may answer later, after the input
  // buffer they came in has moved on.
  auto op = std::make_unique<PendingOp>();
  op->kind = PendingOp::Kind::kSubscribe;
  op->packet_id = subscribe.packet_id;
  op->filters.reserve(subscribe.filters.size());
  for (const mqtt::SubscribeFilter& f : subscribe.filters) {
    op->filters.emplace_back(std::string(f.filter), f.qos);
  }
  ContinueSubscribe(conn, std::move(op));
}

// Answers the filters from op->next on; stops when a hook's answer is
// pending, and sends the SUBACK (then the retained messages) when all are.
void Shard::ContinueSubscribe(Connection& conn, std::unique_ptr<PendingOp> op) {
  Session& session = *conn.session;
  while (op->next < op->filters.size()) {
    const auto& [filter, requested] = op->filters[op->next];
    const bool valid = mqtt::IsValidTopicFilter(filter) && TopicWithinLimits(filter);
    const bool room = session.subscriptions.size() < limits_.max_subscriptions_per_client ||
                      session.subscriptions.contains(filter);
    if (!valid || !room) {
      PLAZA_LOG(kInfo) << session.client_id << ": subscription to '" << filter
                       << "' refused: " << (valid ? "too many subscriptions" : "invalid filter");
      op->codes.push_back(mqtt::kSubackFailure);
      ++op->next;
      continue;
    }
    uint8_t granted = std::min<uint8_t>(requested, 2);
    if (hooks_) {
      const SubscribeDecision decision = hooks_->OnSubscribe(FactsOf(conn), filter, requested);
      if (decision.verdict == HookVerdict::kPending) {
        op->token = decision.pending;
        conn.pending = std::move(op);
        return;
      }
      if (decision.verdict != HookVerdict::kAllow) {
        PLAZA_LOG(kInfo) << session.client_id << ": subscription to '" << filter
                         << "' denied by a plugin";
        op->codes.push_back(mqtt::kSubackFailure);
        ++op->next;
        continue;
      }
      granted = std::min(granted, decision.granted_qos);
    }
    AddSubscription(session, filter, granted);
    op->codes.push_back(granted);
    ++op->next;
  }
  SendControl(conn, mqtt::Suback{op->packet_id, op->codes});
  // Retained messages go out after the SUBACK.
  for (size_t i = 0; i < op->filters.size(); ++i) {
    if (op->codes[i] != mqtt::kSubackFailure) {
      SendRetained(session, op->filters[i].first, op->codes[i]);
    }
  }
}

void Shard::AddSubscription(Session& session, std::string_view filter, uint8_t qos) {
  // A repeated filter replaces the old subscription [MQTT-3.8.4-3].
  session.subscriptions[std::string(filter)] = qos;
  subscriptions_.Add(filter, &session, qos);
}

void Shard::SendRetained(Session& session, std::string_view filter, uint8_t granted) {
  // Flagged retain, at the lower of the granted and the published QoS
  // [MQTT-3.3.1-6].
  std::vector<MessagePtr> retained;
  retained_.Match(filter, &retained);
  for (const MessagePtr& message : retained) {
    Deliver(session, message, std::min(granted, message->qos()), true);
  }
}

void Shard::HandleUnsubscribe(Connection& conn, const mqtt::Unsubscribe& unsubscribe) {
  Session& session = *conn.session;
  for (std::string_view filter : unsubscribe.filters) {
    auto it = session.subscriptions.find(filter);
    if (it == session.subscriptions.end()) continue;
    session.subscriptions.erase(it);
    subscriptions_.Remove(filter, &session);
    if (hooks_) hooks_->OnUnsubscribe(FactsOf(conn), filter);
  }
  // Sent even when nothing matched [MQTT-3.10.4-5].
  SendControl(conn, mqtt::Unsuback{unsubscribe.packet_id});
}

}  // namespace plaza::broker
