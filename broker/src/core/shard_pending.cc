// Answers that come later: a plugin hook that returned "pending" is
// answered through one of these, on this shard's thread. The connection
// has buffered its input meanwhile; once the answer is applied, decoding
// goes on where it stopped, so the client's packets keep their order.
#include <algorithm>

#include "core/shard.h"

namespace plaza::broker {

void Shard::ResumeConnect(ConnId id, uint64_t token, const ConnectDecision& decision) {
  Connection* conn = Find(id);
  if (!conn || conn->state == Connection::State::kClosing || !conn->pending ||
      conn->pending->token != token || conn->pending->kind != PendingOp::Kind::kConnect) {
    return;
  }
  std::unique_ptr<PendingOp> op = std::move(conn->pending);
  ApplyConnectDecision(*conn, std::move(op), decision);
  if (conn->state != Connection::State::kClosing && !conn->pending) DecodeBuffered(*conn);
  FlushCloses();
}

void Shard::ResumeSubscribe(ConnId id, uint64_t token, const SubscribeDecision& decision) {
  Connection* conn = Find(id);
  if (!conn || conn->state != Connection::State::kOpen || !conn->pending ||
      conn->pending->token != token || conn->pending->kind != PendingOp::Kind::kSubscribe) {
    return;
  }
  std::unique_ptr<PendingOp> op = std::move(conn->pending);
  if (decision.verdict == HookVerdict::kPending) {
    op->token = decision.pending;  // the next plugin in the chain is thinking
    conn->pending = std::move(op);
    return;
  }
  if (decision.verdict == HookVerdict::kAllow) {
    const uint8_t requested = op->filters[op->next].qos;
    const uint8_t granted =
        std::min<uint8_t>(std::min<uint8_t>(requested, 2), decision.granted_qos);
    GrantSubscription(*conn->session, *op, granted);
  } else {
    op->codes.push_back(DeniedSubackCode(*conn, decision.reason_code));
    ++op->next;
  }
  ContinueSubscribe(*conn, std::move(op));
  if (conn->state == Connection::State::kOpen && !conn->pending) DecodeBuffered(*conn);
  FlushCloses();
}

void Shard::ResumePublish(ConnId id, uint64_t token, const PublishDecision& decision) {
  Connection* conn = Find(id);
  if (!conn || conn->state != Connection::State::kOpen || !conn->pending ||
      conn->pending->token != token || conn->pending->kind != PendingOp::Kind::kPublish) {
    return;
  }
  if (decision.verdict == HookVerdict::kPending) {
    conn->pending->token = decision.pending;
    return;
  }
  std::unique_ptr<PendingOp> op = std::move(conn->pending);
  FinishPublish(*conn, std::move(op->message), op->qos, op->packet_id, decision);
  if (conn->state == Connection::State::kOpen && !conn->pending) DecodeBuffered(*conn);
  FlushCloses();
}

}  // namespace plaza::broker
