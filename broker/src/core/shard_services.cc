// What plugins may ask of a shard through the host table: publish as the
// server, send to one client, subscribe or unsubscribe a client, kick it.
// These run as tasks between loop turns, never inside a routing pass.
#include "common/log.h"
#include "core/shard.h"
#include "mqtt/reason_code.h"
#include "mqtt/topic.h"

namespace plaza::broker {

void Shard::ServerPublish(const MessagePtr& message) {
  Publish(message);
  FlushCloses();
}

bool Shard::SendTo(ConnId id, const MessagePtr& message) {
  Connection* conn = Find(id);
  if (!conn || conn->state != Connection::State::kOpen) return false;
  Deliver(*conn->session, message, message->qos(), false);
  FlushCloses();
  return true;
}

bool Shard::ServerSubscribe(ConnId id, std::string_view filter, uint8_t qos) {
  Connection* conn = Find(id);
  if (!conn || conn->state != Connection::State::kOpen) return false;
  const bool shared = IsSharedFilter(filter);
  if (qos > 2 || (shared ? !ParseSharedFilter(filter) : !mqtt::IsValidTopicFilter(filter))) {
    return false;
  }
  AddSubscription(*conn->session, filter, qos);
  if (!shared) SendRetained(*conn->session, filter, qos);
  FlushCloses();
  return true;
}

bool Shard::ServerUnsubscribe(ConnId id, std::string_view filter) {
  Connection* conn = Find(id);
  if (!conn || conn->state != Connection::State::kOpen) return false;
  RemoveSubscription(*conn->session, filter);
  return true;
}

bool Shard::Kick(ConnId id, bool with_will, uint8_t reason_code,
                 std::string_view server_reference) {
  Connection* conn = Find(id);
  if (!conn || conn->state == Connection::State::kClosing) return false;
  const bool usable =
      reason_code >= 0x80 && mqtt::IsValidReasonCode(mqtt::PacketType::kDisconnect, reason_code);
  conn->close_code = static_cast<mqtt::ReasonCode>(usable ? reason_code : 0x98);
  if (!server_reference.empty()) conn->note().server_reference = std::string(server_reference);
  PLAZA_LOG(kInfo) << "closing " << conn->peer << " ("
                   << (conn->session ? conn->session->client_id : "")
                   << "): " << CloseReasonName(CloseReason::kKicked);
  CloseConnection(*conn, CloseReason::kKicked, with_will);
  FlushCloses();
  return true;
}

}  // namespace plaza::broker
