// The subscribe, publish and delivery chains (connect and auth are in
// connect_chain.cc): each plugin that registered the hook is asked in
// configuration order until one decides. A chain can
// start at any plugin, so that when a plugin answers PENDING and later
// PASSes, the rest of the chain runs then, on the client's worker.
#include <algorithm>

#include "mqtt/topic.h"
#include "plugin/event_views.h"
#include "plugin/plugin_host.h"

namespace plaza::broker {

bool PluginHost::ApplySubscribe(const plaza_plugin& plugin, const Answer& answer,
                                SubscribeDecision* decision) {
  switch (answer.verdict) {
    case PLAZA_VERDICT_PASS:
    case PLAZA_VERDICT_ALLOW:
      // A plugin may only lower the QoS.
      decision->granted_qos = std::min(decision->granted_qos, answer.granted_qos);
      return answer.verdict == PLAZA_VERDICT_ALLOW;
    case PLAZA_VERDICT_DENY:
      decision->verdict = HookVerdict::kDeny;
      decision->reason_code = answer.reason_code >= 0x80 ? answer.reason_code : 0x87;
      return true;
    default:
      WarnVerdict(plugin, "subscribe", answer.verdict);
      decision->verdict = HookVerdict::kDeny;
      decision->reason_code = 0x83;
      return true;
  }
}

bool PluginHost::ApplyPublish(const plaza_plugin& plugin, const Answer& answer,
                              PublishDecision* decision) {
  if (answer.verdict == PLAZA_VERDICT_DENY || answer.verdict == PLAZA_VERDICT_DROP) {
    decision->verdict =
        answer.verdict == PLAZA_VERDICT_DENY ? HookVerdict::kDeny : HookVerdict::kDrop;
    decision->reason_code = answer.reason_code >= 0x80 ? answer.reason_code : 0x87;
    return true;
  }
  if (answer.verdict != PLAZA_VERDICT_PASS && answer.verdict != PLAZA_VERDICT_ALLOW) {
    WarnVerdict(plugin, "publish", answer.verdict);
    decision->verdict = HookVerdict::kDeny;
    decision->reason_code = 0x83;
    return true;
  }
  if (answer.invalid_rewrite) {
    PLAZA_LOG(kWarning) << "[" << plugin.name << "] publish hook rewrote to an invalid topic "
                        << "or QoS; the message is dropped";
    decision->verdict = HookVerdict::kDrop;
    return true;
  }
  if (answer.rewrite) decision->rewrite = answer.rewrite;
  return answer.verdict == PLAZA_VERDICT_ALLOW;
}

PluginHost::Answer PluginHost::RewriteAnswer(plaza_verdict verdict, uint8_t reason_code,
                                             const plaza_message* rewrite,
                                             std::string_view origin) {
  Answer answer{verdict, reason_code, 2, nullptr, false};
  if (rewrite) {
    answer.rewrite = MessageFromPlugin(rewrite, origin);
    answer.invalid_rewrite = answer.rewrite == nullptr;
  }
  return answer;
}

SubscribeDecision PluginHost::OnSubscribe(const ClientFacts& client, std::string_view filter,
                                          uint8_t requested_qos) {
  return SubscribeFrom(0, client, filter, requested_qos, 2);
}

SubscribeDecision PluginHost::OnSharedSubscribe(const ClientFacts& client, std::string_view group,
                                                std::string_view filter, uint8_t requested_qos) {
  return SubscribeFrom(0, client, filter, requested_qos, 2, group);
}

SubscribeDecision PluginHost::SubscribeFrom(size_t start, const ClientFacts& client,
                                            std::string_view filter, uint8_t requested_qos,
                                            uint8_t granted_qos, std::string_view share_group) {
  SubscribeDecision decision;
  decision.granted_qos = granted_qos;
  if (!any_[PLAZA_HOOK_SUBSCRIBE]) return decision;
  ClientInfoView info(client);
  for (size_t i = start; i < plugins_.size(); ++i) {
    plaza_plugin& plugin = *plugins_[i];
    const auto& hook = plugin.hooks[PLAZA_HOOK_SUBSCRIBE];
    if (!hook.fn) continue;
    plaza_subscribe_event event{};
    event.struct_size = sizeof(event);
    event.client = &info.info;
    event.filter = Str(filter);
    if (!share_group.empty()) event.share_group = Str(share_group);
    event.requested_qos = requested_qos;
    event.granted_qos = std::min<uint8_t>(requested_qos, decision.granted_qos);
    event.pending = NewToken();
    const plaza_verdict verdict = hook.fn(PLAZA_HOOK_SUBSCRIBE, &event, hook.user_data);
    if (verdict == PLAZA_VERDICT_PENDING) {
      PendingChain chain = NewChain(PendingChain::Kind::kSubscribe, i, client);
      chain.filter = std::string(filter);
      chain.share_group = std::string(share_group);
      chain.requested_qos = requested_qos;
      chain.granted_qos = decision.granted_qos;
      decision.verdict = HookVerdict::kPending;
      decision.pending = Park(event.pending, std::move(chain));
      return decision;
    }
    const Answer answer{verdict, event.reason_code, event.granted_qos, nullptr, false};
    if (ApplySubscribe(plugin, answer, &decision)) return decision;
  }
  return decision;
}

PublishDecision PluginHost::OnPublish(const ClientFacts& client, const MessagePtr& message) {
  return PublishFrom(0, client, message, nullptr);
}

PublishDecision PluginHost::PublishFrom(size_t start, const ClientFacts& client,
                                        const MessagePtr& original, MessagePtr rewritten) {
  PublishDecision decision;
  decision.rewrite = rewritten;
  if (!any_[PLAZA_HOOK_PUBLISH]) return decision;
  ClientInfoView info(client);
  for (size_t i = start; i < plugins_.size(); ++i) {
    plaza_plugin& plugin = *plugins_[i];
    const auto& hook = plugin.hooks[PLAZA_HOOK_PUBLISH];
    if (!hook.fn) continue;
    // Each plugin sees the message as the ones before it left it.
    MessageView view(decision.rewrite ? *decision.rewrite : *original);
    plaza_publish_event event{};
    event.struct_size = sizeof(event);
    event.client = &info.info;
    event.message = &view.view;
    event.pending = NewToken();
    const plaza_verdict verdict = hook.fn(PLAZA_HOOK_PUBLISH, &event, hook.user_data);
    if (verdict == PLAZA_VERDICT_PENDING) {
      PendingChain chain = NewChain(PendingChain::Kind::kPublish, i, client);
      chain.message = original;
      chain.rewrite = decision.rewrite;
      decision.verdict = HookVerdict::kPending;
      decision.pending = Park(event.pending, std::move(chain));
      return decision;
    }
    if (ApplyPublish(plugin,
                     RewriteAnswer(verdict, event.reason_code, event.rewrite, original->origin()),
                     &decision)) {
      return decision;
    }
  }
  return decision;
}

}  // namespace plaza::broker

namespace plaza::broker {

bool PluginHost::WantsPublish() const { return any_[PLAZA_HOOK_PUBLISH]; }

bool PluginHost::WantsDeliver() const { return any_[PLAZA_HOOK_DELIVER]; }

namespace {

// The delivery chain's view of the message it is given, per worker thread:
// the chain runs once per subscriber of a message, and this converts the
// message once for all of them. `busy` while a chain uses it, so that a
// chain started from inside a hook (no host service does that today) does
// not replace the view the outer one is showing. The last message stays
// alive here until the worker's next delivery of another one.
struct DeliverViews {
  MessageViewCache cache;
  bool busy = false;
};
thread_local DeliverViews deliver_views;

}  // namespace

DeliverDecision PluginHost::OnDeliver(const ClientFacts& subscriber, const MessagePtr& message) {
  DeliverDecision decision;
  ClientInfoView info(subscriber);
  const plaza_str publisher =
      message->origin().empty() ? plaza_str{nullptr, 0} : Str(message->origin());
  struct Lease {
    bool nested = deliver_views.busy;
    Lease() { deliver_views.busy = true; }
    ~Lease() { deliver_views.busy = nested; }
  } lease;
  // Asks one plugin; true once the chain is decided. Inlined at both uses:
  // a call per subscriber would cost more than the view cache saves.
  auto ask = [&](plaza_plugin & plugin, const plaza_message& shown) __attribute__((always_inline)) {
    const auto& hook = plugin.hooks[PLAZA_HOOK_DELIVER];
    plaza_deliver_event event{};
    event.struct_size = sizeof(event);
    event.subscriber = &info.info;
    event.message = &shown;
    event.publisher_client_id = publisher;
    const plaza_verdict verdict = hook.fn(PLAZA_HOOK_DELIVER, &event, hook.user_data);
    if (verdict == PLAZA_VERDICT_DROP || verdict == PLAZA_VERDICT_DENY) {
      decision.verdict = HookVerdict::kDrop;
      return true;
    }
    if (verdict != PLAZA_VERDICT_PASS && verdict != PLAZA_VERDICT_ALLOW) {
      // PENDING has no meaning on the delivery path.
      WarnVerdict(plugin, "deliver", verdict);
      decision.verdict = HookVerdict::kDrop;
      return true;
    }
    if (event.rewrite) {
      const Answer answer = RewriteAnswer(verdict, 0, event.rewrite, message->origin());
      if (answer.invalid_rewrite) {
        PLAZA_LOG(kWarning) << "[" << plugin.name << "] deliver hook rewrote to an invalid "
                            << "topic or QoS; the delivery is dropped";
        decision.verdict = HookVerdict::kDrop;
        return true;
      }
      decision.rewrite = answer.rewrite;
    }
    return verdict == PLAZA_VERDICT_ALLOW;
  };
  for (auto& plugin : plugins_) {
    if (!plugin->hooks[PLAZA_HOOK_DELIVER].fn) continue;
    // Each plugin sees the message as the ones before it left it.
    if (decision.rewrite || lease.nested) {
      const MessageView own(decision.rewrite ? *decision.rewrite : *message);
      if (ask(*plugin, own.view)) return decision;
    } else if (ask(*plugin, deliver_views.cache.Get(message))) {
      return decision;
    }
  }
  return decision;
}

bool PluginHost::OnControl(const ClientFacts& client, const MessagePtr& message) {
  if (!any_[PLAZA_HOOK_CONTROL]) return false;
  // "$CONTROL/<name>/<subtopic>"
  std::string_view rest = message->topic().substr(std::string_view("$CONTROL/").size());
  const size_t slash = rest.find('/');
  const std::string_view name = rest.substr(0, slash);
  const std::string_view subtopic =
      slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  for (auto& plugin : plugins_) {
    const auto& hook = plugin->hooks[PLAZA_HOOK_CONTROL];
    if (!hook.fn || plugin->name != name) continue;
    ClientInfoView info(client);
    MessageView view(*message);
    plaza_control_event event{};
    event.struct_size = sizeof(event);
    event.client = &info.info;
    event.subtopic = Str(subtopic);
    event.message = &view.view;
    hook.fn(PLAZA_HOOK_CONTROL, &event, hook.user_data);
    return true;
  }
  return false;
}

}  // namespace plaza::broker
