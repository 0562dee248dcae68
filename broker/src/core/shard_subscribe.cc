// SUBSCRIBE and UNSUBSCRIBE: per-filter validation and limits, the SUBACK
// with granted QoS or a failure code, and the retained messages a new
// subscription receives right after its SUBACK. MQTT 5 adds reason codes
// per filter, subscription options (No Local, Retain As Published, Retain
// Handling) and Subscription Identifiers. Shared subscriptions
// ("$share/<group>/<filter>", for 3.1.1 clients too) get no retained
// messages and join their group (shard_shared.cc).
#include <algorithm>

#include "common/log.h"
#include "core/shard.h"
#include "mqtt/codec.h"
#include "mqtt/topic.h"

namespace plaza::broker {

void Shard::HandleSubscribe(Connection& conn, const mqtt::Subscribe& subscribe) {
  for (const mqtt::SubscribeFilter& f : subscribe.filters) {
    if (f.no_local && IsSharedFilter(f.filter)) {
      ProtocolError(conn, mqtt::ReasonCode::kProtocolError,
                    "No Local on a shared subscription [MQTT-3.8.3-4]");
      return;
    }
  }
  // The filters are copied: a plugin may answer later, after the input
  // buffer they came in has moved on.
  auto op = std::make_unique<PendingOp>();
  op->kind = PendingOp::Kind::kSubscribe;
  op->packet_id = subscribe.packet_id;
  op->filters.reserve(subscribe.filters.size());
  for (const mqtt::SubscribeFilter& f : subscribe.filters) {
    op->filters.push_back(
        {std::string(f.filter), f.qos, f.no_local, f.retain_as_published, f.retain_handling});
  }
  if (conn.level == mqtt::kProtocolLevel5) {
    const auto& ids = subscribe.properties.subscription_identifiers;
    // The codec has refused 0 and a repeated one.
    if (!ids.empty()) op->subscription_id = *ids.begin();
  }
  ContinueSubscribe(conn, std::move(op));
}

uint8_t Shard::SubscribeOptions(const FilterRequest& request) const {
  return static_cast<uint8_t>(
      (request.no_local ? SubscriptionIndex::kNoLocal : 0) |
      (request.retain_as_published ? SubscriptionIndex::kRetainAsPublished : 0));
}

// Answers the filters from op->next on; stops when a hook's answer is
// pending, and sends the SUBACK (then the retained messages) when all are.
void Shard::ContinueSubscribe(Connection& conn, std::unique_ptr<PendingOp> op) {
  Session& session = *conn.session;
  const bool v5 = conn.level == mqtt::kProtocolLevel5;
  while (op->next < op->filters.size()) {
    const FilterRequest& request = op->filters[op->next];
    const std::string& filter = request.filter;
    // A shared one is checked (and shown to plugins) as its group and the
    // filter after it.
    const std::optional<SharedFilter> shared = ParseSharedFilter(filter);
    const bool valid = IsSharedFilter(filter)
                           ? shared && TopicWithinLimits(shared->filter)
                           : mqtt::IsValidTopicFilter(filter) && TopicWithinLimits(filter);
    const bool room = session.subscriptions.size() < limits_.max_subscriptions_per_client ||
                      session.subscriptions.contains(filter);
    if (!valid || !room) {
      PLAZA_LOG(kInfo) << session.client_id << ": subscription to '" << filter
                       << "' refused: " << (!valid ? "invalid filter" : "too many subscriptions");
      const mqtt::ReasonCode code =
          !valid ? mqtt::ReasonCode::kTopicFilterInvalid : mqtt::ReasonCode::kQuotaExceeded;
      op->codes.push_back(v5 ? static_cast<uint8_t>(code) : mqtt::kSubackFailure);
      ++op->next;
      continue;
    }
    uint8_t granted = std::min<uint8_t>(request.qos, 2);
    if (hooks_) {
      const SubscribeDecision decision =
          shared
              ? hooks_->OnSharedSubscribe(FactsOf(conn), shared->group, shared->filter, request.qos)
              : hooks_->OnSubscribe(FactsOf(conn), filter, request.qos);
      if (decision.verdict == HookVerdict::kPending) {
        op->token = decision.pending;
        conn.pending = std::move(op);
        return;
      }
      if (decision.verdict != HookVerdict::kAllow) {
        PLAZA_LOG(kInfo) << session.client_id << ": subscription to '" << filter
                         << "' denied by a plugin";
        op->codes.push_back(DeniedSubackCode(conn, decision.reason_code));
        ++op->next;
        continue;
      }
      granted = std::min(granted, decision.granted_qos);
    }
    GrantSubscription(session, *op, granted);
  }
  SendSuback(conn, *op);
}

uint8_t Shard::DeniedSubackCode(const Connection& conn, uint8_t reason_code) const {
  if (conn.level != mqtt::kProtocolLevel5) return mqtt::kSubackFailure;
  // The plugin's own reason code, when SUBACK may carry it.
  return reason_code >= 0x80 && mqtt::IsValidReasonCode(mqtt::PacketType::kSuback, reason_code)
             ? reason_code
             : static_cast<uint8_t>(mqtt::ReasonCode::kNotAuthorized);
}

void Shard::GrantSubscription(Session& session, PendingOp& op, uint8_t granted) {
  FilterRequest& request = op.filters[op.next];
  const bool added = AddSubscription(session, request.filter, granted, SubscribeOptions(request),
                                     op.subscription_id);
  // Retain Handling 1: retained messages only for a new subscription.
  if (!added && request.retain_handling == mqtt::kRetainSendIfNewSubscription) {
    request.retain_handling = mqtt::kRetainDoNotSend;
  }
  op.codes.push_back(granted);
  ++op.next;
}

void Shard::SendSuback(Connection& conn, const PendingOp& op) {
  Session& session = *conn.session;
  SendControl(conn, mqtt::Suback{op.packet_id, op.codes});
  // Retained messages go out after the SUBACK, unless Retain Handling says
  // not to [MQTT-3.3.1-10, MQTT-3.3.1-11].
  std::string ids;
  if (op.subscription_id != 0) mqtt::AppendSubscriptionIdentifier(op.subscription_id, &ids);
  // A shared subscription gets none [MQTT-4.8.2: retained messages are not
  // sent to a session that subscribes to a shared subscription].
  for (size_t i = 0; i < op.filters.size(); ++i) {
    if (op.codes[i] < 0x80 && op.filters[i].retain_handling != mqtt::kRetainDoNotSend &&
        !IsSharedFilter(op.filters[i].filter)) {
      SendRetained(session, op.filters[i].filter, op.codes[i], ids);
    }
  }
}

bool Shard::AddSubscription(Session& session, std::string_view filter, uint8_t qos, uint8_t options,
                            uint32_t id) {
  // A repeated filter replaces the old subscription [MQTT-3.8.4-3].
  auto [it, added] = session.subscriptions.insert_or_assign(
      std::string(filter), Session::Subscription{qos, options, id});
  SubscriptionSummary* summary = host_->Summary();
  if (const std::optional<SharedFilter> shared = ParseSharedFilter(filter)) {
    if (added) {
      ++session.shared_subscriptions;
      ++shared_memberships_;
      if (summary) summary->Add(shard_index_, shared->filter);
      TellHome(SharedWork::Kind::kJoin, filter, session.client_id);
    }
    return added;
  }
  subscriptions_.Add(filter, &session, qos, options, id);
  if (added && summary) summary->Add(shard_index_, filter);
  return added;
}

void Shard::RemoveSubscription(Session& session, std::string_view filter) {
  auto it = session.subscriptions.find(filter);
  if (it == session.subscriptions.end()) return;
  SubscriptionSummary* summary = host_->Summary();
  if (const std::optional<SharedFilter> shared = ParseSharedFilter(filter)) {
    --session.shared_subscriptions;
    --shared_memberships_;
    if (summary) summary->Remove(shard_index_, shared->filter);
    TellHome(SharedWork::Kind::kLeave, filter, session.client_id);
  } else {
    subscriptions_.Remove(filter, &session);
    if (summary) summary->Remove(shard_index_, filter);
  }
  session.subscriptions.erase(it);  // last: `filter` may be its key
}

void Shard::SendRetained(Session& session, std::string_view filter, uint8_t granted,
                         std::string_view subscription_ids) {
  // Flagged retain, at the lower of the granted and the published QoS
  // [MQTT-3.3.1-6].
  std::vector<MessagePtr> retained;
  retained_.Match(filter, &retained);
  for (const MessagePtr& message : retained) {
    Deliver(session, message, std::min(granted, message->qos()), true, subscription_ids);
  }
}

void Shard::HandleUnsubscribe(Connection& conn, const mqtt::Unsubscribe& unsubscribe) {
  Session& session = *conn.session;
  mqtt::Unsuback unsuback{unsubscribe.packet_id};
  for (std::string_view filter : unsubscribe.filters) {
    if (!session.subscriptions.contains(filter)) {
      unsuback.reason_codes.push_back(mqtt::ReasonCode::kNoSubscriptionExisted);
      continue;
    }
    RemoveSubscription(session, filter);
    unsuback.reason_codes.push_back(mqtt::ReasonCode::kSuccess);
    if (hooks_) hooks_->OnUnsubscribe(FactsOf(conn), filter);
  }
  // Sent even when nothing matched [MQTT-3.10.4-5]; the 3.1.1 form carries
  // no codes.
  SendControl(conn, unsuback);
}

}  // namespace plaza::broker
