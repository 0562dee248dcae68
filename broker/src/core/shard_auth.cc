// MQTT 5 enhanced authentication (section 4.12): a CONNECT that names an
// Authentication Method starts an exchange of AUTH packets that the hooks
// lead (continue, accept or refuse), before CONNACK; a connected client may
// re-authenticate with AUTH 0x19 later. The method never changes within a
// connection. Without a hook that knows the method, the CONNECT is refused
// with 0x8C (bad authentication method).
#include "common/log.h"
#include "core/shard.h"
#include "mqtt/reason_code.h"

namespace plaza::broker {

void Shard::StartAuthConnect(Connection& conn, std::unique_ptr<PendingOp> op,
                             std::optional<std::string_view> password,
                             std::optional<std::string_view> auth_data) {
  ClientFacts facts = FactsOf(conn);
  facts.client_id = op->client_id;
  facts.clean_start = op->clean;
  const AuthStep step{conn.auth->method, auth_data, false};
  const ConnectDecision decision = hooks_->OnConnectAuth(facts, password, step);
  ApplyConnectDecision(conn, std::move(op), decision);
}

void Shard::HandleAuth(Connection& conn, const mqtt::Auth& auth) {
  if (!conn.auth) {
    // Only a client that named a method in CONNECT may send AUTH
    // [MQTT-4.12.0-1].
    ProtocolError(conn, mqtt::ReasonCode::kProtocolError,
                  "AUTH without an authentication method [MQTT-4.12.0-1]");
    return;
  }
  const mqtt::Properties& props = auth.properties;
  if (!props.authentication_method || *props.authentication_method != conn.auth->method) {
    ProtocolError(conn, mqtt::ReasonCode::kProtocolError,
                  "AUTH with another authentication method than CONNECT's [MQTT-4.12.0-5]");
    return;
  }
  AuthStep step{conn.auth->method, props.authentication_data, false};
  if (conn.state == Connection::State::kAwaitConnect) {
    if (!conn.auth->op || auth.reason_code != mqtt::ReasonCode::kContinueAuthentication) {
      ProtocolError(conn, mqtt::ReasonCode::kProtocolError,
                    "AUTH before CONNACK must continue authentication (0x18) when asked");
      return;
    }
    std::unique_ptr<PendingOp> op = std::move(conn.auth->op);
    ClientFacts facts = FactsOf(conn);
    facts.client_id = op->client_id;
    facts.clean_start = op->clean;
    const ConnectDecision decision = hooks_->OnAuth(facts, step);
    ApplyConnectDecision(conn, std::move(op), decision);
    return;
  }
  // Connected: re-authentication (section 4.12.1).
  if (auth.reason_code == mqtt::ReasonCode::kReAuthenticate) {
    if (conn.auth->reauthenticating) {
      ProtocolError(conn, mqtt::ReasonCode::kProtocolError,
                    "AUTH 0x19 while a re-authentication is under way");
      return;
    }
    conn.auth->reauthenticating = true;
  } else if (auth.reason_code != mqtt::ReasonCode::kContinueAuthentication ||
             !conn.auth->reauthenticating) {
    ProtocolError(conn, mqtt::ReasonCode::kProtocolError,
                  "AUTH out of turn (no re-authentication under way)");
    return;
  }
  step.reauthenticate = true;
  ApplyReauthDecision(conn, hooks_->OnAuth(FactsOf(conn), step));
}

void Shard::ApplyReauthDecision(Connection& conn, const ConnectDecision& decision) {
  switch (decision.verdict) {
    case HookVerdict::kPending: {
      auto op = std::make_unique<PendingOp>();
      op->kind = PendingOp::Kind::kReauth;
      op->token = decision.pending;
      conn.pending = std::move(op);
      return;
    }
    case HookVerdict::kContinue:
      SendAuth(conn, mqtt::ReasonCode::kContinueAuthentication, decision.auth_data);
      return;
    case HookVerdict::kAllow:
      conn.auth->reauthenticating = false;
      SendAuth(conn, mqtt::ReasonCode::kSuccess, decision.auth_data);
      return;
    default: {
      // A failed re-authentication ends the connection with DISCONNECT
      // (section 4.12.1), with the plugin's reason when DISCONNECT allows it.
      const uint8_t code = decision.reason_code ? decision.reason_code : 0x87;
      const bool valid =
          code >= 0x80 && mqtt::IsValidReasonCode(mqtt::PacketType::kDisconnect, code);
      conn.close_code =
          valid ? static_cast<mqtt::ReasonCode>(code) : mqtt::ReasonCode::kNotAuthorized;
      conn.note().reason =
          decision.reason_string.empty() ? "re-authentication failed" : decision.reason_string;
      PLAZA_LOG(kInfo) << "closing " << conn.peer << " ("
                       << (conn.session ? conn.session->client_id : "")
                       << "): re-authentication refused";
      CloseConnection(conn, CloseReason::kKicked, /*kick_with_will=*/true);
      return;
    }
  }
}

void Shard::SendAuth(Connection& conn, mqtt::ReasonCode code,
                     const std::optional<std::string>& data) {
  mqtt::Auth auth;
  auth.reason_code = code;
  auth.properties.authentication_method = conn.auth->method;
  if (data) auth.properties.authentication_data = *data;
  SendControl(conn, auth);
}

void Shard::ResumeReauth(ConnId id, uint64_t token, const ConnectDecision& decision) {
  Connection* conn = Find(id);
  if (!conn || conn->state != Connection::State::kOpen || !conn->pending ||
      conn->pending->token != token || conn->pending->kind != PendingOp::Kind::kReauth) {
    return;
  }
  conn->pending.reset();
  ApplyReauthDecision(*conn, decision);
  if (conn->state == Connection::State::kOpen && !conn->pending) DecodeBuffered(*conn);
  FlushCloses();
}

}  // namespace plaza::broker
