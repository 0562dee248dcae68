// The permissions plugin: the broker's hooks around the rules library.
// Every PUBLISH and SUBSCRIBE is checked against the rules in force (first
// match, default deny); PUBLISHes within the rules pass through the
// client's rate gate; the subscriptions a client was allowed are tracked
// and taken back (host unsubscribe) as soon as a reload or a change of the
// client's roles no longer allows them. Configuration: plugin_options.h;
// rules: rules_parser.h; operations: docs/operations.md.
#ifndef PLAZA_PLUGINS_PERMISSIONS_PERMISSIONS_PLUGIN_H_
#define PLAZA_PLUGINS_PERMISSIONS_PERMISSIONS_PLUGIN_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client_registry.h"
#include "decision.h"
#include "file_stamp.h"
#include "plaza/plugin.hpp"
#include "snapshot.h"
#include "task_thread.h"

namespace plaza::permissions {

class PermissionsPlugin final : public plaza::Plugin {
 public:
  // Reads the plugin's options and the rules file; throws (the broker does
  // not start) when either is refused.
  explicit PermissionsPlugin(const plaza::InitArgs& args);
  ~PermissionsPlugin() override;

  plaza::Verdict OnConnect(plaza::ConnectEvent& event) override;
  plaza::Verdict OnSubscribe(plaza::SubscribeEvent& event) override;
  plaza::Verdict OnPublish(plaza::PublishEvent& event) override;
  void OnUnsubscribe(const plaza::UnsubscribeEvent& event) override;
  void OnDisconnect(const plaza::DisconnectEvent& event) override;
  void OnReload(const plaza::ReloadEvent& event) override;
  void OnAttribute(const plaza::AttributeEvent& event) override;

 private:
  struct Metrics {
    std::optional<uint64_t> denied_publishes;
    std::optional<uint64_t> denied_subscriptions;
    std::optional<uint64_t> rate_limited;
    std::optional<uint64_t> kicks;
    std::optional<uint64_t> revoked;
    std::optional<uint64_t> reloads;
    std::optional<uint64_t> reload_failures;
    std::optional<uint64_t> rules;            // gauge
    std::optional<uint64_t> parked_sessions;  // gauge
  };

  // --- Rules in force (permissions_plugin.cc).
  // Reads the rules file named by `options` and puts it in force; on a
  // refusal logs it and keeps the rules in force. With install_mutex_ held.
  bool Install(const PluginOptions& options, std::string_view why);
  // Every second (timer thread): the file watch, resumed sessions, the sweep.
  void Tick();
  void StartTimer(uint32_t interval_ms);

  // --- Revocation (permissions_plugin.cc).
  // Checks the client's tracked subscriptions again and unsubscribes those
  // the rules no longer allow; how many.
  size_t Recheck(Handle handle, const Snapshot& snapshot, std::string_view why);
  void RecheckAll(std::string_view why);
  // Forgets clients whose connection ended without a disconnect hook (a
  // later plugin refused their CONNECT).
  void Sweep();

  // --- Identity (permissions_hooks.cc).
  std::shared_ptr<const Subject> SubjectOf(const plaza::ClientView& client,
                                           const Snapshot& snapshot);
  Subject BuildSubject(Handle handle, const std::string& client_id,
                       const std::optional<std::string>& username, const Snapshot& snapshot) const;
  MembershipLookup LookupFor(Handle handle) const;
  std::string Why(const Decision& decision, const Snapshot& snapshot) const;

  void Count(const std::optional<uint64_t>& counter) const {
    if (counter) host().CounterAdd(*counter);
  }

  SnapshotHolder holder_;
  ClientRegistry registry_;
  Metrics metrics_;

  std::mutex install_mutex_;  // one reload at a time: SIGHUP or the file watch
  FileStamp stamp_;           // guarded by install_mutex_: the file last read
  FileStamp settling_;        // guarded by install_mutex_: a change seen at the last tick
  plaza::TimerHandle timer_;  // guarded by install_mutex_
  uint32_t timer_interval_ms_ = 0;
  uint64_t ticks_ = 0;  // timer thread only

  std::mutex resumed_mutex_;
  std::vector<Handle> resumed_;  // guarded by resumed_mutex_: to check again on the next tick

  std::unique_ptr<TaskThread> tasks_;  // revocation passes; joined first on destruction
};

}  // namespace plaza::permissions

#endif  // PLAZA_PLUGINS_PERMISSIONS_PERMISSIONS_PLUGIN_H_
