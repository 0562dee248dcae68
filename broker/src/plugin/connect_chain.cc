// The connect and auth chains. A CONNECT runs the connect hooks in order;
// with an MQTT 5 Authentication Method, a plugin may answer CONTINUE (the
// client is sent AUTH and its answer runs the auth hooks) and the method
// must be accepted by some plugin: when every plugin passes, nobody knows
// the method and the client is refused with 0x8C.
#include "plugin/event_views.h"
#include "plugin/plugin_host.h"

namespace plaza::broker {

// Folds one plugin's connect or auth answer into `decision`; true when it
// ends the chain.
bool PluginHost::ApplyConnect(const plaza_plugin& plugin, const Answer& answer,
                              ConnectDecision* decision) {
  switch (answer.verdict) {
    case PLAZA_VERDICT_PASS:
      return false;
    case PLAZA_VERDICT_ALLOW:
      decision->verdict = HookVerdict::kAllow;
      decision->auth_data = answer.auth_data;
      return true;
    case PLAZA_VERDICT_CONTINUE:
      decision->verdict = HookVerdict::kContinue;
      decision->auth_data = answer.auth_data;
      return true;
    case PLAZA_VERDICT_DENY:
      decision->verdict = HookVerdict::kDeny;
      decision->reason_code = answer.reason_code >= 0x80 ? answer.reason_code : 0x87;
      decision->reason_string = answer.reason_string;
      return true;
    default:
      WarnVerdict(plugin, "connect", answer.verdict);
      decision->verdict = HookVerdict::kDeny;
      decision->reason_code = 0x83;  // implementation specific error
      return true;
  }
}

ConnectDecision PluginHost::OnConnect(const ClientFacts& client,
                                      std::optional<std::string_view> password) {
  // The client is known to the services from here on, so a connect hook
  // can already set attributes on it (as auth does for rooms).
  clients_.Add(client);
  const ConnectDecision decision = ConnectFrom(0, client, password, nullptr);
  if (decision.verdict == HookVerdict::kDeny) clients_.Remove(client.id);
  return decision;
}

ConnectDecision PluginHost::OnConnectAuth(const ClientFacts& client,
                                          std::optional<std::string_view> password,
                                          const AuthStep& auth) {
  clients_.Add(client);
  const ConnectDecision decision = ConnectFrom(0, client, password, &auth);
  if (decision.verdict == HookVerdict::kDeny) clients_.Remove(client.id);
  return decision;
}

ConnectDecision PluginHost::OnAuth(const ClientFacts& client, const AuthStep& auth) {
  const ConnectDecision decision = AuthFrom(0, client, auth);
  if (decision.verdict == HookVerdict::kDeny && !auth.reauthenticate) clients_.Remove(client.id);
  return decision;
}

namespace {

// Nobody took an authentication method: the client is refused.
ConnectDecision UnknownMethod(std::string_view method) {
  ConnectDecision decision;
  decision.verdict = HookVerdict::kDeny;
  decision.reason_code = 0x8C;  // bad authentication method
  decision.reason_string = "no plugin accepts authentication method '" + std::string(method) + "'";
  return decision;
}

}  // namespace

bool PluginHost::AskConnectHook(size_t index, plaza_hook hook, const ClientFacts& client,
                                std::optional<std::string_view> password, const AuthStep* auth,
                                ConnectDecision* decision) {
  plaza_plugin& plugin = *plugins_[index];
  const auto& registration = plugin.hooks[hook];
  if (!registration.fn) return false;
  ClientInfoView info(client);
  plaza_connect_event event{};
  event.struct_size = sizeof(event);
  event.client = &info.info;
  event.password = password ? Str(*password) : plaza_str{nullptr, 0};
  if (auth) {
    event.auth_method = Str(auth->method);
    event.auth_data = auth->data ? Str(*auth->data) : plaza_str{nullptr, 0};
    event.reauthenticate = auth->reauthenticate ? 1 : 0;
  }
  event.pending = NewToken();
  const plaza_verdict verdict = registration.fn(hook, &event, registration.user_data);
  if (verdict == PLAZA_VERDICT_PENDING) {
    PendingChain chain =
        NewChain(hook == PLAZA_HOOK_AUTH ? PendingChain::Kind::kAuth : PendingChain::Kind::kConnect,
                 index, client);
    if (password) chain.password = std::string(*password);
    if (auth) chain.auth = OwnedAuth::From(*auth);
    decision->verdict = HookVerdict::kPending;
    decision->pending = Park(event.pending, std::move(chain));
    return true;
  }
  Answer answer{verdict, event.reason_code, 2, nullptr, false};
  answer.reason_string = std::string(View(event.reason_string));
  if (event.auth_data_out.data) answer.auth_data = std::string(View(event.auth_data_out));
  if (verdict == PLAZA_VERDICT_CONTINUE && !auth) {
    PLAZA_LOG(kWarning) << "[" << plugin.name << "] answered CONTINUE to a client that named no "
                        << "authentication method; treated as DENY";
    answer.verdict = PLAZA_VERDICT_DENY;
    answer.reason_code = 0x83;
  }
  return ApplyConnect(plugin, answer, decision);
}

ConnectDecision PluginHost::ConnectFrom(size_t start, const ClientFacts& client,
                                        std::optional<std::string_view> password,
                                        const AuthStep* auth) {
  ConnectDecision decision;
  if (any_[PLAZA_HOOK_CONNECT]) {
    for (size_t i = start; i < plugins_.size(); ++i) {
      if (AskConnectHook(i, PLAZA_HOOK_CONNECT, client, password, auth, &decision)) {
        return decision;
      }
    }
  }
  return auth ? UnknownMethod(auth->method) : decision;
}

ConnectDecision PluginHost::AuthFrom(size_t start, const ClientFacts& client,
                                     const AuthStep& auth) {
  ConnectDecision decision;
  if (any_[PLAZA_HOOK_AUTH]) {
    for (size_t i = start; i < plugins_.size(); ++i) {
      if (AskConnectHook(i, PLAZA_HOOK_AUTH, client, std::nullopt, &auth, &decision)) {
        return decision;
      }
    }
  }
  return UnknownMethod(auth.method);
}

}  // namespace plaza::broker
