// topic_guard: an example Plaza plugin in C++ (plaza/plugin.hpp). It
// reserves topic prefixes for listed user names -- only they may publish
// under "announce/", say -- and logs every connect and disconnect. Its
// configuration (see topic_guard.yaml):
//
//   protected:
//     - prefix: announce/
//       publishers: [admin, moderator]
//
// A PUBLISH under a protected prefix from anyone else is denied (MQTT 5
// clients get 0x87 Not authorized; MQTT 3.1.1 clients are acknowledged as
// usual and the message is not routed). A SIGHUP reloads the rules.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "plaza/plugin.hpp"

namespace {

struct Rule {
  std::string prefix;
  std::vector<std::string> publishers;
};
using Rules = std::vector<Rule>;

// Throws on a malformed configuration; the plugin then refuses to load (or
// keeps its old rules, on reload).
std::shared_ptr<const Rules> ParseRules(std::string_view yaml) {
  auto rules = std::make_shared<Rules>();
  const YAML::Node root = YAML::Load(std::string(yaml));
  if (!root.IsDefined() || root.IsNull()) return rules;
  for (const YAML::Node& item : root["protected"]) {
    Rule rule;
    rule.prefix = item["prefix"].as<std::string>();
    for (const YAML::Node& user : item["publishers"]) {
      rule.publishers.push_back(user.as<std::string>());
    }
    rules->push_back(std::move(rule));
  }
  return rules;
}

class TopicGuard final : public plaza::Plugin {
 public:
  explicit TopicGuard(const plaza::InitArgs& args)
      : plaza::Plugin(args), rules_(ParseRules(args.config_yaml)) {
    host().Info("guarding " + std::to_string(rules_->size()) + " topic prefixes");
    // Metrics may be missing in this broker: the plugin works without them.
    denied_ = host().Counter("denied_total", "PUBLISH packets refused by topic_guard");
  }

  plaza::Verdict OnConnect(plaza::ConnectEvent& event) override {
    const plaza::ClientView client = event.client();
    host().Info("connect " + std::string(client.client_id()) +
                " user=" + std::string(client.username().value_or("-")) + " from " +
                std::string(client.address()));
    return plaza::Verdict::kPass;  // not ours to decide: the next plugin may
  }

  plaza::Verdict OnPublish(plaza::PublishEvent& event) override {
    const std::shared_ptr<const Rules> rules = CurrentRules();
    const std::string_view topic = event.message().topic();
    const std::optional<std::string_view> user = event.client().username();
    for (const Rule& rule : *rules) {
      if (topic.substr(0, rule.prefix.size()) != rule.prefix) continue;
      if (user && std::find(rule.publishers.begin(), rule.publishers.end(), *user) !=
                      rule.publishers.end()) {
        return plaza::Verdict::kPass;
      }
      host().Warning("denied " + std::string(event.client().client_id()) + " publishing to " +
                     std::string(topic));
      if (denied_) host().CounterAdd(*denied_);
      event.set_reason_code(0x87);  // not authorized
      return plaza::Verdict::kDeny;
    }
    return plaza::Verdict::kPass;
  }

  void OnDisconnect(const plaza::DisconnectEvent& event) override {
    host().Info("disconnect " + std::string(event.client().client_id()));
  }

  // Runs on the main thread while workers run OnPublish: hence the mutex.
  void OnReload(const plaza::ReloadEvent& event) override {
    try {
      std::shared_ptr<const Rules> fresh = ParseRules(event.config_yaml());
      host().Info("reloaded: guarding " + std::to_string(fresh->size()) + " topic prefixes");
      std::lock_guard<std::mutex> lock(mutex_);
      rules_ = std::move(fresh);
    } catch (const std::exception& e) {
      host().Error(std::string("bad configuration, keeping the old rules: ") + e.what());
    }
  }

 private:
  std::shared_ptr<const Rules> CurrentRules() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return rules_;
  }

  mutable std::mutex mutex_;
  std::shared_ptr<const Rules> rules_;  // guarded by mutex_; never null
  std::optional<uint64_t> denied_;
};

}  // namespace

PLAZA_PLUGIN(TopicGuard)
