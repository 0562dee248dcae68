// Hooks answered later. A hook that returns PENDING parks its chain here
// under the event's token; complete() -- from any thread -- or the
// plugin's deadline takes it out and posts the rest of the work to the
// client's worker, which finishes the chain and resumes the client.
#include <chrono>

#include "core/shard.h"
#include "plugin/event_views.h"
#include "plugin/plugin_host.h"

namespace plaza::broker {
namespace {

using Clock = std::chrono::steady_clock;

// How often deadlines are checked while anything is parked.
constexpr std::chrono::milliseconds kSweepInterval{50};

}  // namespace

uint64_t PluginHost::NewToken() { return next_token_.fetch_add(1, std::memory_order_relaxed); }

PluginHost::PendingChain PluginHost::NewChain(PendingChain::Kind kind, size_t index,
                                              const ClientFacts& client) {
  PendingChain chain;
  chain.kind = kind;
  chain.index = index;
  chain.client = OwnedFacts::From(client);
  const PluginConfig& config = configs_[index];
  chain.deadline = Clock::now() + std::chrono::milliseconds(config.pending_timeout_ms);
  chain.fail_open = config.fail_open;
  return chain;
}

uint64_t PluginHost::Park(uint64_t token, PendingChain chain) {
  bool start_sweeper = false;
  {
    std::lock_guard lock(pending_mutex_);
    pending_.emplace(token, std::move(chain));
    start_sweeper = sweeper_ == 0;
    if (start_sweeper) sweeper_ = 1;  // claimed; the id is set below
  }
  if (start_sweeper) {
    if (TimerThread* timers = this->timers()) {
      const uint64_t id = timers->Add(kSweepInterval, kSweepInterval, [this] { ExpirePending(); });
      std::lock_guard lock(pending_mutex_);
      sweeper_ = id;
    }
  }
  return token;
}

plaza_status PluginHost::Complete(plaza_plugin* plugin, uint64_t token,
                                  const plaza_completion& completion) {
  PendingChain chain;
  {
    std::lock_guard lock(pending_mutex_);
    auto it = pending_.find(token);
    if (it == pending_.end()) return PLAZA_ERR_NOT_FOUND;
    if (plugins_[it->second.index].get() != plugin) return PLAZA_ERR_INVALID;
    chain = std::move(it->second);
    pending_.erase(it);
  }
  const bool publish = chain.kind == PendingChain::Kind::kPublish;
  Answer answer = RewriteAnswer(completion.verdict, completion.reason_code,
                                publish ? completion.rewrite : nullptr,
                                publish ? std::string_view(chain.message->origin()) : "");
  answer.granted_qos = completion.granted_qos;
  answer.reason_string = std::string(View(completion.reason_string));
  if (completion.auth_data_out.data) answer.auth_data = std::string(View(completion.auth_data_out));
  if (answer.verdict == PLAZA_VERDICT_CONTINUE && !chain.auth) {
    PLAZA_LOG(kWarning) << "[" << plugins_[chain.index]->name << "] completed with CONTINUE for a "
                        << "client that named no authentication method; treated as DENY";
    answer.verdict = PLAZA_VERDICT_DENY;
    answer.reason_code = 0x83;
  }
  return Resume(token, std::move(chain), std::move(answer)) ? PLAZA_OK : PLAZA_ERR_UNSUPPORTED;
}

void PluginHost::ExpirePending() {
  const auto now = Clock::now();
  std::vector<std::pair<uint64_t, PendingChain>> expired;
  {
    std::lock_guard lock(pending_mutex_);
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.deadline <= now) {
        expired.emplace_back(it->first, std::move(it->second));
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& [token, chain] : expired) {
    const plaza_plugin& plugin = *plugins_[chain.index];
    PLAZA_LOG(kWarning) << "[" << plugin.name << "] no answer for client " << chain.client.client_id
                        << " before the deadline (" << configs_[chain.index].pending_timeout_ms
                        << " ms): " << (chain.fail_open ? "passing on" : "refusing");
    // Fail open: as if the plugin had passed. Fail closed: refused, and for
    // a connection "server unavailable", which tells the client to retry.
    const bool connecting =
        chain.kind == PendingChain::Kind::kConnect || chain.kind == PendingChain::Kind::kAuth;
    Answer answer{chain.fail_open ? PLAZA_VERDICT_PASS : PLAZA_VERDICT_DENY,
                  static_cast<uint8_t>(connecting ? 0x88 : 0x87), 2, nullptr, false};
    Resume(token, std::move(chain), std::move(answer));
  }
}

bool PluginHost::Resume(uint64_t token, PendingChain chain, Answer answer) {
  const size_t shard = ShardOfConnection(chain.client.id);
  return RunOn(shard, [this, token, chain = std::move(chain),
                       answer = std::move(answer)](Shard& target) {
    const ClientFacts facts = chain.client.View();
    const ConnId conn = chain.client.id;
    const plaza_plugin& plugin = *plugins_[chain.index];
    switch (chain.kind) {
      case PendingChain::Kind::kConnect:
      case PendingChain::Kind::kAuth: {
        std::optional<AuthStep> auth;
        if (chain.auth) auth = chain.auth->View();
        ConnectDecision decision;
        if (!ApplyConnect(plugin, answer, &decision)) {
          std::optional<std::string_view> password;
          if (chain.password) password = *chain.password;
          decision = chain.kind == PendingChain::Kind::kAuth
                         ? AuthFrom(chain.index + 1, facts, *auth)
                         : ConnectFrom(chain.index + 1, facts, password, auth ? &*auth : nullptr);
        }
        const bool reauth = auth && auth->reauthenticate;
        if (decision.verdict == HookVerdict::kDeny && !reauth) clients_.Remove(conn);
        if (reauth) {
          target.ResumeReauth(conn, token, decision);
        } else {
          target.ResumeConnect(conn, token, decision);
        }
        break;
      }
      case PendingChain::Kind::kSubscribe: {
        SubscribeDecision decision;
        decision.granted_qos = chain.granted_qos;
        if (!ApplySubscribe(plugin, answer, &decision)) {
          decision = SubscribeFrom(chain.index + 1, facts, chain.filter, chain.requested_qos,
                                   decision.granted_qos, chain.share_group);
        }
        target.ResumeSubscribe(conn, token, decision);
        break;
      }
      case PendingChain::Kind::kPublish: {
        PublishDecision decision;
        decision.rewrite = chain.rewrite;
        if (!ApplyPublish(plugin, answer, &decision)) {
          decision = PublishFrom(chain.index + 1, facts, chain.message, decision.rewrite);
        }
        target.ResumePublish(conn, token, decision);
        break;
      }
    }
  });
}

}  // namespace plaza::broker
