// The permissions plugin's hooks: who the client is (attributes, the static
// users table), the publish and subscribe checks, rate limits, and keeping
// track of subscriptions for revocation.
#include <chrono>
#include <string>
#include <utility>

#include "permissions_plugin.h"

namespace plaza::permissions {
namespace {

// MQTT 5 reason codes. A PUBACK or PUBREC cannot carry 0x96 (message rate
// too high: DISCONNECT only, spec section 3.4.2.1); 0x97 is its nearest.
constexpr uint8_t kNotAuthorized = 0x87;
constexpr uint8_t kQuotaExceeded = 0x97;
constexpr uint8_t kMessageRateTooHigh = 0x96;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// "a, b,c" -> {"a", "b", "c"}
void AppendRoles(std::string_view list, std::vector<std::string>* roles) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view role = list.substr(0, comma);
    while (!role.empty() && role.front() == ' ') role.remove_prefix(1);
    while (!role.empty() && role.back() == ' ') role.remove_suffix(1);
    if (!role.empty()) roles->emplace_back(role);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

bool IsRoleKey(std::string_view key) {
  if (key == "user.id" || key == "user.roles") return true;
  return key.starts_with("room.") && (key.ends_with(".role") || key.ends_with(".kind"));
}

}  // namespace

Subject PermissionsPlugin::BuildSubject(Handle handle, const std::string& client_id,
                                        const std::optional<std::string>& username,
                                        const Snapshot& snapshot) const {
  Subject subject;
  subject.client = client_id;
  subject.username = username;
  const std::optional<std::string> user_id = host().GetAttribute(handle, "user.id");
  if (user_id && !user_id->empty()) {
    subject.user = *user_id;
  } else if (username && !username->empty()) {
    subject.user = *username;
  } else {
    subject.user = client_id;
  }
  if (const std::optional<std::string> roles = host().GetAttribute(handle, "user.roles")) {
    AppendRoles(*roles, &subject.platform_roles);
  }
  if (username) {
    auto it = snapshot.options.users.find(*username);
    if (it != snapshot.options.users.end()) {
      subject.platform_roles.insert(subject.platform_roles.end(), it->second.begin(),
                                    it->second.end());
    }
  }
  return subject;
}

std::shared_ptr<const Subject> PermissionsPlugin::SubjectOf(const plaza::ClientView& client,
                                                            const Snapshot& snapshot) {
  const Handle handle = client.handle();
  std::shared_ptr<const Subject> subject;
  const bool known = registry_.With(handle, [&](ClientRecord& record) {
    if (record.subject_version == snapshot.version) subject = record.subject;
  });
  if (subject) return subject;
  std::optional<std::string> username;
  if (client.username()) username = std::string(*client.username());
  subject = std::make_shared<const Subject>(
      BuildSubject(handle, std::string(client.client_id()), username, snapshot));
  if (known) {
    registry_.With(handle, [&](ClientRecord& record) {
      record.subject = subject;
      record.subject_version = snapshot.version;
    });
  }
  return subject;
}

MembershipLookup PermissionsPlugin::LookupFor(Handle handle) const {
  return [this, handle](std::string_view room) {
    Membership membership;
    const std::string prefix = "room." + std::string(room);
    membership.role = host().GetAttribute(handle, prefix + ".role").value_or("");
    membership.kind = host().GetAttribute(handle, prefix + ".kind").value_or("");
    return membership;
  };
}

std::string PermissionsPlugin::Why(const Decision& decision, const Snapshot& snapshot) const {
  if (decision.too_complex) {
    return "the filter is too complex to check against these rules (refused)";
  }
  const std::string topic = decision.example.empty() ? "" : "topic '" + decision.example + "' ";
  if (decision.line > 0) {
    return topic + "denied by the rule at " + snapshot.options.rules_file + ":" +
           std::to_string(decision.line);
  }
  return topic + "matched by no rule (default deny)";
}

plaza::Verdict PermissionsPlugin::OnConnect(plaza::ConnectEvent& event) {
  const plaza::ClientView client = event.client();
  ClientFacts facts;
  facts.client_id = std::string(client.client_id());
  if (client.username()) facts.username = std::string(*client.username());
  facts.protocol_version = client.protocol_version();
  facts.clean_start = client.clean_start();
  const Handle handle = client.handle();
  if (!registry_.Connect(handle, std::move(facts)).empty()) {
    // The broker resumes the session with its subscriptions: those the
    // rules no longer allow go now, and once more on the next tick.
    Recheck(handle, holder_.Get(), "its resumed session held it");
    std::lock_guard<std::mutex> lock(resumed_mutex_);
    resumed_.push_back(handle);
  }
  return plaza::Verdict::kPass;
}

plaza::Verdict PermissionsPlugin::OnSubscribe(plaza::SubscribeEvent& event) {
  const Snapshot& snapshot = holder_.Get();
  const plaza::ClientView client = event.client();
  const std::shared_ptr<const Subject> subject = SubjectOf(client, snapshot);
  const std::string_view filter = event.filter();
  const Decision decision =
      CheckSubscribe(snapshot.rules, *subject, filter, LookupFor(client.handle()));
  if (decision.allowed) {
    registry_.Track(client.handle(), filter);
    return plaza::Verdict::kPass;
  }
  Count(metrics_.denied_subscriptions);
  host().Info("refused SUBSCRIBE to '" + std::string(filter) + "' from client " +
              std::string(client.client_id()) + ": " + Why(decision, snapshot));
  event.set_reason_code(kNotAuthorized);
  return plaza::Verdict::kDeny;
}

plaza::Verdict PermissionsPlugin::OnPublish(plaza::PublishEvent& event) {
  const Snapshot& snapshot = holder_.Get();
  const plaza::ClientView client = event.client();
  const Handle handle = client.handle();
  const std::shared_ptr<const Subject> subject = SubjectOf(client, snapshot);
  const plaza::MessageView message = event.message();
  const std::string_view topic = message.topic();
  const MembershipLookup lookup = LookupFor(handle);
  const RoomContext context(topic, &lookup);
  const Decision decision = CheckPublish(snapshot.rules, *subject, topic, context);
  if (!decision.allowed) {
    Count(metrics_.denied_publishes);
    // Once at info per client, then at debug: a client publishing to the
    // wrong topic thirty times a second must not flood the log.
    bool first = false;
    registry_.With(handle, [&](ClientRecord& record) {
      first = !record.publish_denied;
      record.publish_denied = true;
    });
    host().Log(first ? plaza::LogLevel::kInfo : plaza::LogLevel::kDebug,
               "refused PUBLISH to '" + std::string(topic) + "' from client " +
                   std::string(client.client_id()) + ": " + Why(decision, snapshot) +
                   (first ? " (more refusals of this client are logged at debug level)" : ""));
    event.set_reason_code(kNotAuthorized);
    return plaza::Verdict::kDeny;
  }
  const int limit = SelectRateLimit(snapshot.rules, *subject, context);
  if (limit < 0) return plaza::Verdict::kPass;
  const uint64_t bytes = topic.size() + message.payload().size();
  RateGate::Outcome outcome = RateGate::Outcome::kPass;
  bool streak_started = false;
  bool kick = false;
  registry_.With(handle, [&](ClientRecord& record) {
    if (record.gates_version != snapshot.version) {
      record.gates.assign(snapshot.rules.rate_limits.size(), std::nullopt);
      record.gates_version = snapshot.version;
    }
    std::optional<RateGate>& gate = record.gates[limit];
    if (!gate) gate.emplace(snapshot.rules.rate_limits[limit]);
    outcome = gate->Admit(bytes, NowNs());
    streak_started = gate->streak_started();
    if (outcome == RateGate::Outcome::kKick) {
      kick = !record.kicked;
      record.kicked = true;
    }
  });
  if (outcome == RateGate::Outcome::kPass) return plaza::Verdict::kPass;
  Count(metrics_.rate_limited);
  const RateLimit& entry = snapshot.rules.rate_limits[limit];
  const std::string where = snapshot.options.rules_file + ":" + std::to_string(entry.line);
  if (streak_started) {
    host().Warning("client " + std::string(client.client_id()) + " is over its rate limit (" +
                   where + "): dropping its messages");
  }
  if (kick) {
    Count(metrics_.kicks);
    host().Warning("kicking client " + std::string(client.client_id()) + ": over its rate limit (" +
                   where + ") for " + std::to_string(entry.kick_after_seconds) + " s");
    host().Kick(handle, kMessageRateTooHigh);
  }
  // An MQTT 5 QoS 1/2 publisher learns why from its PUBACK/PUBREC; anyone
  // else cannot be told (QoS 0, or MQTT 3.1.1 which has no negative
  // acknowledgement): the message is dropped as if delivered.
  if (client.protocol_version() >= 5 && message.qos() > 0) {
    event.set_reason_code(kQuotaExceeded);
    return plaza::Verdict::kDeny;
  }
  return plaza::Verdict::kDrop;
}

void PermissionsPlugin::OnUnsubscribe(const plaza::UnsubscribeEvent& event) {
  registry_.Untrack(event.client().handle(), event.filter());
}

void PermissionsPlugin::OnDisconnect(const plaza::DisconnectEvent& event) {
  const ClientRegistry::Gone gone = registry_.Disconnect(event.client().handle());
  if (gone.evicted) {
    host().Warning(
        "more offline sessions than max_offline_sessions: the oldest one's subscriptions are "
        "forgotten and will not be checked again if it resumes");
  }
}

void PermissionsPlugin::OnAttribute(const plaza::AttributeEvent& event) {
  if (!IsRoleKey(event.key())) return;
  const Handle handle = event.client().handle();
  if (event.key().starts_with("user.")) {
    // The identity is cached per client: build it again on next use.
    registry_.With(handle, [](ClientRecord& record) { record.subject_version = 0; });
  }
  const std::string why =
      std::string(event.key()) + (event.deleted() ? " was deleted" : " changed");
  Recheck(handle, holder_.Get(), why);
}

}  // namespace plaza::permissions
