// The auth plugin: who is connecting, asked of plaza-adapter without making
// any worker wait.
//
//   - The platform token is the MQTT password (any username), or, for
//     MQTT 5, the Authentication Data of the method `auth_method`
//     ("plaza-token"). Service accounts (the adapter's own connection) are
//     checked locally.
//   - A token seen recently is answered from the cache at once; otherwise
//     the hook answers PENDING and the gRPC callback completes it.
//   - On success it sets the attributes user.id, user.name, user.roles and
//     user.avatar_url (docs/protocol.md) before the connection is accepted,
//     so every later plugin sees them, and it passes (MQTT 5 enhanced
//     authentication needs an explicit allow).
//   - Refusals carry the adapter's reason: 0x86 for an unknown, expired or
//     revoked token, 0x8A for a banned or suspended user.
//   - When the adapter cannot answer, new connections are refused with 0x88
//     "server unavailable" (the client retries later) -- or, with
//     on_unavailable: cached, accepted if the adapter accepted the token
//     within stale_ttl_ms. Connected clients are never affected.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "auth_settings.h"
#include "identity_client.h"
#include "plaza/plugin.hpp"
#include "token_cache.h"

namespace plaza::auth {
namespace {

using Clock = std::chrono::steady_clock;

AuthSettings SettingsOrThrow(std::string_view yaml) {
  std::string error;
  std::optional<AuthSettings> settings = ParseAuthSettings(yaml, &error);
  if (!settings) throw std::runtime_error("bad config: " + error);
  return *std::move(settings);
}

// Constant-time comparison, so a service password cannot be guessed byte
// by byte from response times.
bool SameSecret(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  }
  return diff == 0;
}

class AuthPlugin final : public Plugin {
 public:
  explicit AuthPlugin(const InitArgs& args)
      : Plugin(args),
        settings_(SettingsOrThrow(args.config_yaml)),
        cache_(settings_.cache_size, settings_.cache_ttl, settings_.refusal_cache_ttl),
        identity_(std::make_unique<IdentityClient>(settings_.adapter, settings_.deadline)) {
    const char* help = "CONNECTs the auth plugin decided, by result.";
    for (const char* result : {"accepted", "refused", "unavailable", "stale_accepted"}) {
      results_[Index(result)] = host().Counter("connects_total", help, {{"result", result}});
    }
    cache_hits_ = host().Counter("cache_hits_total", "Tokens answered from the cache.");
    host().Info("authenticating through plaza-adapter at " + settings_.adapter +
                (settings_.auth_method.empty()
                     ? std::string()
                     : ", MQTT 5 method '" + settings_.auth_method + "'"));
  }

  ~AuthPlugin() override {
    // Calls still in flight complete (as cancelled) before the host goes.
    identity_.reset();
  }

  Verdict OnConnect(ConnectEvent& event) override {
    const bool enhanced = !event.auth_method().empty();
    if (enhanced && event.auth_method() != settings_.auth_method) return Verdict::kPass;
    const auto username = event.client().username();
    if (!enhanced && username) {
      for (const ServiceAccount& account : settings_.service_accounts) {
        if (account.username != *username) continue;
        const auto password = event.password();
        if (!password || !SameSecret(*password, account.password)) {
          return Refuse(event, 0x86, "wrong password for service account " + account.username);
        }
        Identity identity;
        identity.user_id = account.username;
        identity.display_name = account.username;
        for (const std::string& role : account.roles) {
          identity.roles += (identity.roles.empty() ? "" : ",") + role;
        }
        SetAttributes(event.client().handle(), identity);
        Count("accepted");
        return Verdict::kPass;
      }
    }
    std::string token;
    if (enhanced) {
      token = std::string(event.auth_data());
    } else if (const auto password = event.password()) {
      token = std::string(*password);
    }
    if (token.empty()) {
      return Refuse(event, 0x86, "a platform token is required (as the MQTT password)");
    }
    const plaza_client client = event.client().handle();
    if (std::optional<Answer> cached = cache_.Fresh(token, Clock::now())) {
      if (cache_hits_) host().CounterAdd(*cache_hits_);
      return Decide(event, client, *cached, enhanced);
    }
    const plaza_pending pending = event.pending();
    identity_->Authenticate(token, [this, client, pending, token, enhanced](
                                       IdentityClient::Outcome outcome, Answer answer,
                                       const std::string& error) {
      Completion completion;
      if (outcome == IdentityClient::Outcome::kAnswered) {
        cache_.Put(token, answer, Clock::now());
        completion = Complete(client, answer, enhanced);
      } else if (auto stale = settings_.accept_stale_when_unavailable
                                  ? cache_.AcceptedWithin(token, Clock::now(), settings_.stale_ttl)
                                  : std::nullopt) {
        host().Warning("adapter unavailable (" + error + "): accepting user " +
                       stale->user->user_id + " from the cache");
        completion = Complete(client, *stale, enhanced);
        Count("stale_accepted");
      } else {
        host().Warning("adapter unavailable (" + error + "): refusing a connection");
        completion.verdict = Verdict::kDeny;
        completion.reason_code = 0x88;  // server unavailable: the client retries
        completion.reason_string = "authentication service unavailable, try again later";
        Count("unavailable");
      }
      host().Complete(pending, completion);
    });
    return Verdict::kPending;
  }

 private:
  static size_t Index(std::string_view result) {
    if (result == "accepted") return 0;
    if (result == "refused") return 1;
    if (result == "unavailable") return 2;
    return 3;
  }
  void Count(std::string_view result) {
    if (const auto& id = results_[Index(result)]) host().CounterAdd(*id);
  }

  Verdict Refuse(ConnectEvent& event, uint8_t code, const std::string& why) {
    host().Info("refusing " + std::string(event.client().client_id()) + ": " + why);
    event.set_reason_code(code);
    event.set_reason_string(why);
    Count("refused");
    return Verdict::kDeny;
  }

  // An answer known at once.
  Verdict Decide(ConnectEvent& event, plaza_client client, const Answer& answer, bool enhanced) {
    if (!answer.user) return Refuse(event, answer.reason_code, answer.reason);
    SetAttributes(client, *answer.user);
    Count("accepted");
    return enhanced ? Verdict::kAllow : Verdict::kPass;
  }

  // The same for an answer that came later.
  Completion Complete(plaza_client client, const Answer& answer, bool enhanced) {
    Completion completion;
    if (!answer.user) {
      host().Info("refusing a connection: " + answer.reason);
      completion.verdict = Verdict::kDeny;
      completion.reason_code = answer.reason_code;
      completion.reason_string = answer.reason;
      Count("refused");
      return completion;
    }
    SetAttributes(client, *answer.user);
    Count("accepted");
    completion.verdict = enhanced ? Verdict::kAllow : Verdict::kPass;
    return completion;
  }

  void SetAttributes(plaza_client client, const Identity& identity) {
    host().SetAttribute(client, "user.id", identity.user_id);
    host().SetAttribute(client, "user.name", identity.display_name);
    host().SetAttribute(client, "user.roles", identity.roles);
    if (!identity.avatar_url.empty()) {
      host().SetAttribute(client, "user.avatar_url", identity.avatar_url);
    }
    if (settings_.enforce_session_expiry && identity.session_expires_at_unix > 0) {
      ScheduleExpiry(client, identity.session_expires_at_unix);
    }
  }

  // Disconnects the client when its platform session ends (0xA0 maximum
  // connect time), if that is within a day; a longer one is checked again
  // when the client reconnects.
  void ScheduleExpiry(plaza_client client, int64_t expires_at_unix) {
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const int64_t left_s = expires_at_unix - now;
    if (left_s > 86400) return;
    const auto delay = static_cast<uint32_t>(std::max<int64_t>(left_s, 0) * 1000);
    host().AddTimer(delay, 0, [this, client] { host().Kick(client, 0xA0, false, ""); });
  }

  const AuthSettings settings_;
  TokenCache cache_;
  std::unique_ptr<IdentityClient> identity_;
  std::optional<uint64_t> results_[4];
  std::optional<uint64_t> cache_hits_;
};

}  // namespace
}  // namespace plaza::auth

PLAZA_PLUGIN(plaza::auth::AuthPlugin)
