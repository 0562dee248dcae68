// A stand-in for the rooms plugin in the ownership tests: a client that
// publishes rooms/R/join becomes a member of R (attributes room.R.role
// "peer" and room.R.joined_at, the first join's Unix milliseconds), one that
// publishes rooms/R/leave stops being one; rooms/R/demote deletes only the
// role, as a moderator's action in the rooms plugin would. It answers PASS, as the rooms
// plugin does, so the ownership plugin after it sees both. The end-to-end
// tests with the real rooms plugin replace it.
#include <chrono>
#include <string>

#include "plaza/plugin.hpp"

namespace {

class MembershipFixture final : public plaza::Plugin {
 public:
  explicit MembershipFixture(const plaza::InitArgs& args) : plaza::Plugin(args) {}

  plaza::Verdict OnPublish(plaza::PublishEvent& event) override {
    const std::string_view topic = event.message().topic();
    constexpr std::string_view kPrefix = "rooms/";
    if (topic.substr(0, kPrefix.size()) != kPrefix) return plaza::Verdict::kPass;
    const std::string_view rest = topic.substr(kPrefix.size());
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return plaza::Verdict::kPass;
    const std::string key = "room." + std::string(rest.substr(0, slash));
    const std::string_view action = rest.substr(slash + 1);
    const plaza::ClientHandle client = event.client().handle();
    if (action == "join") {
      if (!host().GetAttribute(client, key + ".joined_at")) {
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        host().SetAttribute(
            client, key + ".joined_at",
            std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()));
      }
      host().SetAttribute(client, key + ".role", "peer");
    } else if (action == "demote") {
      host().DeleteAttribute(client, key + ".role");
    } else if (action == "leave") {
      host().DeleteAttribute(client, key + ".role");
      host().DeleteAttribute(client, key + ".joined_at");
    }
    return plaza::Verdict::kPass;
  }
};

}  // namespace

PLAZA_PLUGIN(MembershipFixture)
