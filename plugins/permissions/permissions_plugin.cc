// The permissions plugin's life: loading the rules at start, on SIGHUP and
// when the file changes, and taking back subscriptions the rules in force
// no longer allow. The hooks themselves are in permissions_hooks.cc.
#include "permissions_plugin.h"

#include <stdexcept>
#include <utility>

#include "rules_parser.h"

namespace plaza::permissions {
namespace {

// The timer's period when the file is not watched: resumed sessions and the
// sweep still need it.
constexpr uint32_t kDefaultTickMs = 1000;
// Ticks between two sweeps for clients gone without a disconnect hook.
constexpr uint64_t kSweepEveryTicks = 10;

}  // namespace

PermissionsPlugin::PermissionsPlugin(const plaza::InitArgs& args)
    : plaza::Plugin(args), registry_(0), tasks_(std::make_unique<TaskThread>()) {
  std::string error;
  std::optional<PluginOptions> options = ParsePluginOptions(args.config_yaml, &error);
  if (!options) throw std::runtime_error(error);
  metrics_.denied_publishes =
      host().Counter("denied_publishes_total", "PUBLISH packets refused by the rules");
  metrics_.denied_subscriptions =
      host().Counter("denied_subscriptions_total", "SUBSCRIBE filters refused by the rules");
  metrics_.rate_limited =
      host().Counter("rate_limited_total", "PUBLISH packets dropped over a rate limit");
  metrics_.kicks = host().Counter("kicks_total", "clients disconnected for sustained rate abuse");
  metrics_.revoked = host().Counter("revoked_subscriptions_total",
                                    "subscriptions removed because the rules no longer allow them");
  metrics_.reloads = host().Counter("reloads_total", "rules files put in force after the start");
  metrics_.reload_failures =
      host().Counter("reload_failures_total", "rules files refused (the old rules stayed)");
  metrics_.rules = host().Gauge("rules", "rules in force");
  metrics_.parked_sessions = host().Gauge(
      "parked_sessions", "offline sessions whose subscriptions are kept for a re-check");
  std::lock_guard<std::mutex> lock(install_mutex_);
  stamp_ = StampOf(options->rules_file);
  std::optional<RuleSet> rules = LoadRulesFile(options->rules_file, &error);
  if (!rules) throw std::runtime_error(error);
  host().Info("rules from " + options->rules_file + ": " + Summary(*rules));
  if (metrics_.rules) host().GaugeSet(*metrics_.rules, static_cast<double>(rules->rules.size()));
  registry_.set_max_parked(options->max_offline_sessions);
  const uint32_t interval =
      options->watch_interval_ms ? options->watch_interval_ms : kDefaultTickMs;
  holder_.Store(Snapshot{std::move(*options), std::move(*rules), 0});
  StartTimer(interval);
}

PermissionsPlugin::~PermissionsPlugin() {
  std::lock_guard<std::mutex> lock(install_mutex_);
  if (timer_) host().CancelTimer(timer_);
}

void PermissionsPlugin::StartTimer(uint32_t interval_ms) {
  if (timer_ && interval_ms == timer_interval_ms_) return;
  if (timer_) host().CancelTimer(timer_);
  timer_ = host().AddTimer(interval_ms, interval_ms, [this] { Tick(); });
  timer_interval_ms_ = interval_ms;
  if (!timer_) {
    host().Warning(
        "no timers in this broker: the rules file is re-read on SIGHUP only, and resumed sessions "
        "are checked at connect only");
  }
}

bool PermissionsPlugin::Install(const PluginOptions& options, std::string_view why) {
  std::string error;
  // The stamp is taken before reading: a write after it shows as a change
  // on the next tick.
  stamp_ = StampOf(options.rules_file);
  std::optional<RuleSet> rules = LoadRulesFile(options.rules_file, &error);
  if (!rules) {
    host().Error("rules refused (" + std::string(why) + "), the rules in force stay: " + error);
    Count(metrics_.reload_failures);
    return false;
  }
  const std::string summary = Summary(*rules);
  const size_t count = rules->rules.size();
  registry_.set_max_parked(options.max_offline_sessions);
  StartTimer(options.watch_interval_ms ? options.watch_interval_ms : kDefaultTickMs);
  // In force from here on; said only once it is.
  holder_.Store(Snapshot{options, std::move(*rules), 0});
  host().Info("rules reloaded from " + options.rules_file + " (" + std::string(why) +
              "): " + summary);
  if (metrics_.rules) host().GaugeSet(*metrics_.rules, static_cast<double>(count));
  Count(metrics_.reloads);
  tasks_->Post([this] { RecheckAll("the rules changed"); });
  return true;
}

void PermissionsPlugin::OnReload(const plaza::ReloadEvent& event) {
  std::string error;
  const std::optional<PluginOptions> options = ParsePluginOptions(event.config_yaml(), &error);
  std::lock_guard<std::mutex> lock(install_mutex_);
  if (!options) {
    host().Error("configuration refused (SIGHUP), the rules in force stay: " + error);
    Count(metrics_.reload_failures);
    return;
  }
  Install(*options, "SIGHUP");
}

void PermissionsPlugin::Tick() {
  std::vector<Handle> resumed;
  {
    std::lock_guard<std::mutex> lock(resumed_mutex_);
    resumed.swap(resumed_);
  }
  if (!resumed.empty()) {
    // Once more, now that their connection is surely open: the unsubscribes
    // issued at connect reach a connection still being set up only if no
    // plugin after this one answered its CONNECT later.
    tasks_->Post([this, resumed = std::move(resumed)] {
      const std::shared_ptr<const Snapshot> snapshot = holder_.Load();
      for (Handle handle : resumed) Recheck(handle, *snapshot, "its resumed session held it");
    });
  }
  if (++ticks_ % kSweepEveryTicks == 0) tasks_->Post([this] { Sweep(); });
  const std::shared_ptr<const Snapshot> snapshot = holder_.Load();
  if (snapshot->options.watch_interval_ms == 0) return;
  std::lock_guard<std::mutex> lock(install_mutex_);
  const FileStamp now = StampOf(snapshot->options.rules_file);
  if (now == stamp_) return;
  // Read only once the file has stopped changing for one interval, so an
  // editor writing it in place is not caught halfway (a rename over the
  // old file is atomic and needs no such wait).
  if (!(now == settling_)) {
    settling_ = now;
    return;
  }
  if (!now.exists) {
    stamp_ = now;
    host().Error("cannot read " + snapshot->options.rules_file + ", the rules in force stay");
    Count(metrics_.reload_failures);
    return;
  }
  Install(snapshot->options, "the file changed");
}

size_t PermissionsPlugin::Recheck(Handle handle, const Snapshot& snapshot, std::string_view why) {
  ClientFacts facts;
  std::vector<std::string> filters;
  const bool known = registry_.With(handle, [&](ClientRecord& record) {
    facts = record.facts;
    filters.assign(record.filters.begin(), record.filters.end());
  });
  if (!known || filters.empty()) return 0;
  // Fresh attributes: a recheck follows a change of them or of the rules.
  auto subject = std::make_shared<const Subject>(
      BuildSubject(handle, facts.client_id, facts.username, snapshot));
  registry_.With(handle, [&](ClientRecord& record) {
    record.subject = subject;
    record.subject_version = snapshot.version;
  });
  const MembershipLookup lookup = LookupFor(handle);
  size_t revoked = 0;
  for (const std::string& filter : filters) {
    const Decision decision = CheckSubscribe(snapshot.rules, *subject, filter, lookup);
    if (decision.allowed) continue;
    const plaza::Status status = host().Unsubscribe(handle, filter);
    registry_.Untrack(handle, filter);
    if (status == plaza::Status::kNoClient) continue;
    ++revoked;
    Count(metrics_.revoked);
    host().Info("revoked subscription '" + filter + "' of client " + facts.client_id + ": " +
                std::string(why) + ", and " + Why(decision, snapshot));
  }
  return revoked;
}

void PermissionsPlugin::RecheckAll(std::string_view why) {
  const std::shared_ptr<const Snapshot> snapshot = holder_.Load();
  const std::vector<Handle> handles = registry_.Handles();
  size_t revoked = 0;
  for (Handle handle : handles) revoked += Recheck(handle, *snapshot, why);
  host().Info("checked the subscriptions of " + std::to_string(handles.size()) +
              " clients again (" + std::string(why) + "): " + std::to_string(revoked) + " revoked");
}

void PermissionsPlugin::Sweep() {
  for (Handle handle : registry_.Handles()) {
    if (!host().GetClientInfo(handle)) registry_.Disconnect(handle);
  }
  if (metrics_.parked_sessions) {
    host().GaugeSet(*metrics_.parked_sessions, static_cast<double>(registry_.parked()));
  }
}

}  // namespace plaza::permissions

PLAZA_PLUGIN(plaza::permissions::PermissionsPlugin)
