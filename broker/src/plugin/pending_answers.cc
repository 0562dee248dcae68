// Hooks answered later. A hook that returns PENDING parks its chain here
// under the event's token; complete() -- from any thread -- or the
// plugin's deadline takes it out and posts the rest of the work to the
// client's worker, which finishes the chain and resumes the client. An
// answer may even come before its hook has returned PENDING: it waits here
// for the chain.
#include <chrono>

#include "core/shard.h"
#include "plugin/event_views.h"
#include "plugin/plugin_host.h"

namespace plaza::broker {
namespace {

using Clock = std::chrono::steady_clock;

// How often deadlines are checked while anything is parked.
constexpr std::chrono::milliseconds kSweepInterval{50};
// How long an answer that came before its hook returned PENDING waits for
// it; a hook that answered otherwise leaves it to be dropped with a warning.
constexpr std::chrono::seconds kEarlyAnswerLife{30};
// How long an answered or expired token is remembered, so that a second or
// late complete() gets NOT_FOUND rather than waiting as an early answer.
constexpr std::chrono::seconds kRetiredMemory{30};

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
  std::optional<EarlyAnswer> early;
  bool start_sweeper = false;
  {
    std::lock_guard lock(pending_mutex_);
    auto it = early_.find(token);
    if (it != early_.end() && it->second.plugin == plugins_[chain.index].get()) {
      early = std::move(it->second);
      early_.erase(it);
      Retire(token);
    } else {
      if (it != early_.end()) {
        // Another plugin completed this token: ignored, as complete() with
        // a parked chain of another plugin would have been (INVALID).
        PLAZA_LOG(kWarning) << "[" << it->second.plugin->name << "] completed a token of plugin "
                            << plugins_[chain.index]->name << "; ignored";
        early_.erase(it);
      }
      pending_.emplace(token, std::move(chain));
      start_sweeper = ClaimSweeper();
    }
  }
  if (start_sweeper) StartSweeper();
  if (early) {
    FitAnswer(chain, &early->answer);
    // Posted to the client's worker, which is this thread: it runs after
    // the shard has recorded that the client waits for `token`.
    Resume(token, std::move(chain), std::move(early->answer));
  }
  return token;
}

bool PluginHost::ClaimSweeper() {
  if (sweeper_ != 0) return false;
  sweeper_ = 1;  // claimed; the id is set by StartSweeper
  return true;
}

void PluginHost::StartSweeper() {
  if (TimerThread* timers = this->timers()) {
    const uint64_t id = timers->Add(kSweepInterval, kSweepInterval, [this] { ExpirePending(); });
    std::lock_guard lock(pending_mutex_);
    sweeper_ = id;
  }
}

void PluginHost::Retire(uint64_t token) {
  retired_.insert(token);
  retired_order_.emplace_back(Clock::now(), token);
}

PluginHost::Answer PluginHost::CompletionAnswer(const plaza_completion& completion,
                                                std::string_view origin) const {
  Answer answer =
      RewriteAnswer(completion.verdict, completion.reason_code, completion.rewrite, origin);
  answer.granted_qos = completion.granted_qos;
  answer.reason_string = std::string(View(completion.reason_string));
  if (completion.auth_data_out.data) answer.auth_data = std::string(View(completion.auth_data_out));
  return answer;
}

void PluginHost::FitAnswer(const PendingChain& chain, Answer* answer) const {
  if (chain.kind != PendingChain::Kind::kPublish) {
    answer->rewrite = nullptr;
    answer->invalid_rewrite = false;
  } else if (answer->rewrite && answer->rewrite->origin() != chain.message->origin()) {
    // An early answer's rewrite was made before the publisher was known.
    const Message& m = *answer->rewrite;
    answer->rewrite = MakeMessage(m.topic(), m.payload(), m.qos(), m.retain(),
                                  chain.message->origin(), m.properties(), m.expires_at_ms());
  }
  if (answer->verdict == PLAZA_VERDICT_CONTINUE && !chain.auth) {
    PLAZA_LOG(kWarning) << "[" << plugins_[chain.index]->name << "] completed with CONTINUE for a "
                        << "client that named no authentication method; treated as DENY";
    answer->verdict = PLAZA_VERDICT_DENY;
    answer->reason_code = 0x83;
  }
}

plaza_status PluginHost::Complete(plaza_plugin* plugin, uint64_t token,
                                  const plaza_completion& completion) {
  PendingChain chain;
  bool start_sweeper = false;
  {
    std::lock_guard lock(pending_mutex_);
    auto it = pending_.find(token);
    if (it == pending_.end()) {
      // Never issued, answered already, past its deadline: nothing waits.
      if (token == 0 || token >= next_token_.load() || retired_.contains(token) ||
          early_.contains(token)) {
        return PLAZA_ERR_NOT_FOUND;
      }
      // Issued, and its hook has not returned PENDING yet: the answer waits
      // for Park (or, if the hook answers otherwise, for the sweeper).
      early_.emplace(token, EarlyAnswer{plugin, CompletionAnswer(completion, {}), Clock::now()});
      start_sweeper = ClaimSweeper();
    } else {
      if (plugins_[it->second.index].get() != plugin) return PLAZA_ERR_INVALID;
      chain = std::move(it->second);
      pending_.erase(it);
      Retire(token);
    }
  }
  if (start_sweeper) {
    StartSweeper();
    return PLAZA_OK;
  }
  Answer answer = CompletionAnswer(
      completion, chain.kind == PendingChain::Kind::kPublish ? chain.message->origin() : "");
  FitAnswer(chain, &answer);
  return Resume(token, std::move(chain), std::move(answer)) ? PLAZA_OK : PLAZA_ERR_UNSUPPORTED;
}

void PluginHost::ExpirePending() {
  const auto now = Clock::now();
  std::vector<std::pair<uint64_t, PendingChain>> expired;
  std::vector<std::pair<uint64_t, EarlyAnswer>> unclaimed;
  {
    std::lock_guard lock(pending_mutex_);
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.deadline <= now) {
        expired.emplace_back(it->first, std::move(it->second));
        Retire(it->first);
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto it = early_.begin(); it != early_.end();) {
      if (now - it->second.at >= kEarlyAnswerLife) {
        unclaimed.emplace_back(it->first, std::move(it->second));
        Retire(it->first);
        it = early_.erase(it);
      } else {
        ++it;
      }
    }
    while (!retired_order_.empty() && now - retired_order_.front().first >= kRetiredMemory) {
      retired_.erase(retired_order_.front().second);
      retired_order_.pop_front();
    }
  }
  for (const auto& [token, early] : unclaimed) {
    PLAZA_LOG(kWarning) << "[" << early.plugin->name << "] complete() for token " << token
                        << ", whose hook did not return PENDING; ignored";
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
