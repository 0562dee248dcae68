// Shared subscriptions in the shard: the home side (groups, the
// round-robin pick, retries) and the member side (joining, leaving,
// connecting, taking a message, handing messages back). The design is in
// core/shared_subscriptions.h; the policy, in short:
//   - a message goes to the next connected member round-robin; with none
//     connected, a QoS 1/2 message goes to the next member's session, to
//     wait there (QoS 0 is not kept for offline sessions);
//   - a member whose queue is full (the limits at which an ordinary
//     subscriber would lose the message) or that has just gone is skipped:
//     the message goes back to the home for the next member; when every
//     member has been tried, the first one chosen gets it under the
//     ordinary rules;
//   - when a member's connection ends, its queued (unsent) shared messages
//     go to other members at once; those in flight stay with its session
//     (QoS 2 must [MQTT-4.8.2-4], QoS 1 may), and when the session ends
//     its QoS 1 ones go to another member, its QoS 2 ones to nobody
//     [MQTT-4.8.2-5].
#include "common/log.h"
#include "core/shard.h"
#include "mqtt/codec.h"
#include "mqtt/topic.h"

namespace plaza::broker {

void Shard::SendShared(size_t target, SharedWork work) {
  if (target == shard_index_) {
    HandleShared(std::move(work));
  } else {
    host_->PostShared(target, std::move(work));
  }
}

void Shard::OnSharedWork(SharedWork work) {
  HandleShared(std::move(work));
  FlushCloses();
}

void Shard::HandleShared(SharedWork work) {
  switch (work.kind) {
    case SharedWork::Kind::kJoin:
      shared_groups_.Join(work.key, work.client_id);
      break;
    case SharedWork::Kind::kLeave:
      shared_groups_.Leave(work.key, work.client_id);
      break;
    case SharedWork::Kind::kOnline:
    case SharedWork::Kind::kOffline:
      shared_groups_.SetOnline(work.key, work.client_id, work.kind == SharedWork::Kind::kOnline);
      break;
    case SharedWork::Kind::kDeliver:
      DeliverShared(std::move(work));
      break;
    case SharedWork::Kind::kRetry:
      if (SharedGroups::Group* group = shared_groups_.Find(work.key)) {
        DispatchShared(*group, std::move(work));
      }
      break;
  }
}

void Shard::TellHome(SharedWork::Kind kind, std::string_view key, const std::string& client_id) {
  SharedWork work;
  work.kind = kind;
  work.key = std::string(key);
  work.client_id = client_id;
  SendShared(HomeOf(key), std::move(work));
}

void Shard::NotifyShared(const Session& session, SharedWork::Kind kind) {
  for (const auto& [filter, subscription] : session.subscriptions) {
    if (IsSharedFilter(filter)) TellHome(kind, filter, session.client_id);
  }
}

bool Shard::RouteShared(const MessagePtr& message) {
  shared_groups_.Match(message->topic(), &group_scratch_);
  if (group_scratch_.empty()) return false;
  // Dispatching may deliver and retry here, but never matches again nor
  // changes the groups (closes wait for FlushCloses).
  for (SharedGroups::Group* group : group_scratch_) {
    SharedWork work;
    work.kind = SharedWork::Kind::kDeliver;
    work.key = group->key;
    work.message = message;
    DispatchShared(*group, std::move(work));
  }
  return true;
}

void Shard::DispatchShared(SharedGroups::Group& group, SharedWork work) {
  const SharedGroups::Member* member =
      SharedGroups::Pick(group, work.message->qos() > 0, work.tried);
  work.kind = SharedWork::Kind::kDeliver;
  if (member) {
    work.client_id = member->client_id;
    // Nobody connected is left to try: its session keeps it.
    work.force = !member->online;
  } else if (!work.tried.empty()) {
    // Every member has been tried: the first one chosen takes it.
    work.client_id = work.tried.front();
    work.force = true;
  } else {
    return;  // QoS 0 and nobody connected: not kept, as for any offline session
  }
  const size_t target = ShardFor(work.client_id, shard_count_);
  SendShared(target, std::move(work));
}

void Shard::DeliverShared(SharedWork work) {
  auto it = sessions_.find(work.client_id);
  Session* session = it == sessions_.end() ? nullptr : it->second.get();
  auto subscription = session ? session->subscriptions.find(work.key)
                              : decltype(session->subscriptions)::iterator{};
  if (!session || subscription == session->subscriptions.end()) {
    // It left after the home chose it.
    if (work.force) return;
  } else {
    const Session::Subscription& sub = subscription->second;
    const MessagePtr& message = work.message;
    const uint8_t qos = std::min(sub.qos, message->qos());
    Connection* conn = session->conn ? Find(session->conn) : nullptr;
    if (conn && conn->state != Connection::State::kOpen) conn = nullptr;
    const bool full = conn && (qos == 0 ? conn->output.bytes() >= limits_.max_queued_bytes
                                        : session->queue.size() >= limits_.max_queued_messages);
    if (work.force || (conn && !full)) {
      std::string ids;
      if (sub.id != 0) mqtt::AppendSubscriptionIdentifier(sub.id, &ids);
      const bool retain =
          (sub.options & SubscriptionIndex::kRetainAsPublished) && message->retain();
      // Marked as a shared delivery (TakeOverShared) where Deliver put it.
      const size_t inflight = session->inflight.size();
      const size_t queued = session->queue.size();
      Deliver(*session, message, qos, retain, ids);
      if (session->inflight.size() > inflight) session->inflight.back().shared = true;
      if (session->queue.size() > queued) session->queue.back().shared = true;
      return;
    }
  }
  // Back to the home, for the next member.
  work.kind = SharedWork::Kind::kRetry;
  work.tried.push_back(std::move(work.client_id));
  work.client_id.clear();
  const size_t home = HomeOf(work.key);
  SendShared(home, std::move(work));
}

std::vector<SharedWork> Shard::TakeOverShared(Session& session, bool session_ends) {
  std::vector<SharedWork> retries;
  if (session.shared_subscriptions == 0) return retries;
  auto retry = [&](MessagePtr message) {
    // The shared subscription it came through: the first that matches.
    for (const auto& [filter, subscription] : session.subscriptions) {
      const std::optional<SharedFilter> parsed = ParseSharedFilter(filter);
      if (!parsed || !mqtt::TopicMatches(parsed->filter, message->topic())) continue;
      SharedWork work;
      work.kind = SharedWork::Kind::kRetry;
      work.key = filter;
      work.message = std::move(message);
      work.tried.push_back(session.client_id);
      retries.push_back(std::move(work));
      return;
    }
  };
  for (auto it = session.queue.begin(); it != session.queue.end();) {
    if (!it->shared) {
      ++it;
      continue;
    }
    retry(std::move(it->message));
    it = session.queue.erase(it);
  }
  if (session_ends) {
    for (Session::Outbound& outbound : session.inflight) {
      if (outbound.shared && outbound.qos == 1 &&
          outbound.stage == Session::Outbound::Stage::kPublished) {
        retry(std::move(outbound.message));
      }
    }
  }
  return retries;
}

void Shard::SendRetries(std::vector<SharedWork> retries) {
  for (SharedWork& work : retries) {
    const size_t home = HomeOf(work.key);
    SendShared(home, std::move(work));
  }
}

}  // namespace plaza::broker
