// The test fixture the rules unit tests share: a client (Subject) with its
// memberships in rooms, and the publish and subscribe questions asked of a
// RuleSet on its behalf.
#ifndef PLAZA_TESTS_PERMISSIONS_RULES_FIXTURE_H_
#define PLAZA_TESTS_PERMISSIONS_RULES_FIXTURE_H_

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "decision.h"
#include "rules_parser.h"

namespace plaza::permissions {

// The rules `yaml` says; a parse error fails the test.
inline RuleSet Rules(const std::string& yaml) {
  std::string error;
  std::optional<RuleSet> rules = ParseRules(yaml, "test.yaml", &error);
  EXPECT_TRUE(rules) << error;
  return rules ? *rules : RuleSet{};
}

class RulesFixture : public ::testing::Test {
 protected:
  RulesFixture() {
    subject_.user = "ben";
    subject_.client = "phone-1";
    subject_.username = "benny";
  }

  // Membership in a room, as the rooms plugin would set it.
  void Join(const std::string& room, const std::string& role, const std::string& kind) {
    rooms_[room] = Membership{role, kind};
  }
  Decision Publish(const RuleSet& rules, const std::string& topic) {
    return CheckPublish(rules, subject_, topic, RoomContext(topic, &lookup_));
  }
  bool MayPublish(const RuleSet& rules, const std::string& topic) {
    return Publish(rules, topic).allowed;
  }
  Decision Subscribe(const RuleSet& rules, const std::string& filter) {
    return CheckSubscribe(rules, subject_, filter, lookup_);
  }
  bool MaySubscribe(const RuleSet& rules, const std::string& filter) {
    return Subscribe(rules, filter).allowed;
  }
  // The rate limit entry for a message on `topic`, or null.
  const RateLimit* LimitFor(const RuleSet& rules, const std::string& topic) {
    const int index = SelectRateLimit(rules, subject_, RoomContext(topic, &lookup_));
    return index < 0 ? nullptr : &rules.rate_limits[index];
  }

  Subject subject_;
  std::map<std::string, Membership, std::less<>> rooms_;
  int lookups_ = 0;
  MembershipLookup lookup_ = [this](std::string_view room) {
    ++lookups_;
    auto it = rooms_.find(room);
    return it == rooms_.end() ? Membership{} : it->second;
  };
};

}  // namespace plaza::permissions

#endif  // PLAZA_TESTS_PERMISSIONS_RULES_FIXTURE_H_
