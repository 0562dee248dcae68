// SUBSCRIBE and UNSUBSCRIBE: per-filter validation and limits, the SUBACK
// with granted QoS or 0x80, and the retained messages a new subscription
// receives right after its SUBACK.
#include <algorithm>

#include "common/log.h"
#include "core/shard.h"
#include "mqtt/topic.h"

namespace plaza::broker {

void Shard::HandleSubscribe(Connection& conn, const mqtt::Subscribe& subscribe) {
  Session& session = *conn.session;
  mqtt::Suback suback{subscribe.packet_id, {}};
  suback.return_codes.reserve(subscribe.filters.size());
  for (const mqtt::SubscribeFilter& request : subscribe.filters) {
    const bool valid =
        mqtt::IsValidTopicFilter(request.filter) && TopicWithinLimits(request.filter);
    const bool room = session.subscriptions.size() < limits_.max_subscriptions_per_client ||
                      session.subscriptions.contains(request.filter);
    if (!valid || !room) {
      PLAZA_LOG(kInfo) << session.client_id << ": subscription to '" << request.filter
                       << "' refused: " << (valid ? "too many subscriptions" : "invalid filter");
      suback.return_codes.push_back(mqtt::kSubackFailure);
      continue;
    }
    uint8_t granted = std::min<uint8_t>(request.qos, 2);
    if (hooks_) {
      const SubscribeDecision decision =
          hooks_->OnSubscribe(FactsOf(conn), request.filter, request.qos);
      if (decision.verdict != HookVerdict::kAllow) {
        PLAZA_LOG(kInfo) << session.client_id << ": subscription to '" << request.filter
                         << "' denied by a plugin";
        suback.return_codes.push_back(mqtt::kSubackFailure);
        continue;
      }
      granted = std::min(granted, decision.granted_qos);
    }
    AddSubscription(session, request.filter, granted);
    suback.return_codes.push_back(granted);
  }
  SendControl(conn, suback);

  // Retained messages go out after the SUBACK.
  for (size_t i = 0; i < subscribe.filters.size(); ++i) {
    const uint8_t granted = suback.return_codes[i];
    if (granted != mqtt::kSubackFailure)
      SendRetained(session, subscribe.filters[i].filter, granted);
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
