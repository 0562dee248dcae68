// The rules at work without a broker: first match in file order, default
// deny, roles (room, platform, any/joined/visitor), kinds, substitutions
// (and values that must not widen a rule), and subscription filters that
// are allowed only when every topic they reach is.
#include "decision.h"

#include <gtest/gtest.h>

#include <string>

#include "rules_fixture.h"

namespace plaza::permissions {
namespace {

using DecisionTest = RulesFixture;

TEST_F(DecisionTest, NothingIsAllowedWithoutARule) {
  const RuleSet rules = Rules("rules: []\n");
  const Decision decision = Publish(rules, "a/b");
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.line, 0);
  EXPECT_FALSE(MaySubscribe(rules, "a/b"));
  EXPECT_FALSE(MaySubscribe(rules, "#"));
}

TEST_F(DecisionTest, TheFirstMatchingRuleDecides) {
  const RuleSet rules = Rules(
      "rules:\n"
      "  - deny: publish\n"  // 2
      "    topics: news/secret\n"
      "  - allow: publish\n"  // 4
      "    topics: news/#\n"
      "  - deny: publish\n"  // 6: never reached for news/...
      "    topics: news/late\n");
  EXPECT_EQ(Publish(rules, "news/secret").line, 2);
  EXPECT_FALSE(MayPublish(rules, "news/secret"));
  EXPECT_EQ(Publish(rules, "news/late").line, 4);
  EXPECT_TRUE(MayPublish(rules, "news/late"));
  EXPECT_TRUE(MayPublish(rules, "news"));  // news/# matches its parent
  EXPECT_FALSE(MayPublish(rules, "weather"));
}

TEST_F(DecisionTest, ActionsAreSeparate) {
  const RuleSet rules = Rules(
      "rules:\n"
      "  - allow: subscribe\n"
      "    topics: feed/#\n"
      "  - allow: [publish, subscribe]\n"
      "    topics: chat/#\n");
  EXPECT_FALSE(MayPublish(rules, "feed/x"));
  EXPECT_TRUE(MaySubscribe(rules, "feed/#"));
  EXPECT_TRUE(MayPublish(rules, "chat/x"));
  EXPECT_TRUE(MaySubscribe(rules, "chat/x"));
}

TEST_F(DecisionTest, PlatformRolesApplyEverywhere) {
  const RuleSet rules = Rules(
      "rules:\n"
      "  - allow: publish\n"
      "    roles: [moderator, service]\n"
      "    topics: [\"#\"]\n");
  EXPECT_FALSE(MayPublish(rules, "x"));
  subject_.platform_roles = {"creator", "moderator"};
  EXPECT_TRUE(MayPublish(rules, "x"));
  EXPECT_TRUE(MayPublish(rules, "rooms/world:1/pose/someone"));
}

TEST_F(DecisionTest, RoomRolesApplyInTheirRoomOnly) {
  const RuleSet rules = Rules(
      "rules:\n"
      "  - allow: publish\n"
      "    roles: performer\n"
      "    topics: rooms/{room}/voice/{user}\n");
  Join("event:1", "performer", "event");
  Join("event:2", "audience", "event");
  EXPECT_TRUE(MayPublish(rules, "rooms/event:1/voice/ben"));
  EXPECT_FALSE(MayPublish(rules, "rooms/event:2/voice/ben"));
  EXPECT_FALSE(MayPublish(rules, "rooms/event:3/voice/ben"));
}

TEST_F(DecisionTest, JoinedVisitorAndAny) {
  const RuleSet rules = Rules(
      "rules:\n"
      "  - allow: publish\n"
      "    roles: visitor\n"
      "    topics: rooms/{room}/join\n"
      "  - allow: publish\n"
      "    roles: joined\n"
      "    topics: rooms/{room}/emote/{user}\n"
      "  - allow: publish\n"
      "    roles: any\n"
      "    topics: lobby\n");
  Join("world:1", "peer", "world");
  EXPECT_TRUE(MayPublish(rules, "rooms/world:2/join"));
  EXPECT_FALSE(MayPublish(rules, "rooms/world:1/join"));  // a member is no visitor
  EXPECT_TRUE(MayPublish(rules, "rooms/world:1/emote/ben"));
  EXPECT_FALSE(MayPublish(rules, "rooms/world:2/emote/ben"));
  EXPECT_TRUE(MayPublish(rules, "lobby"));
}

TEST_F(DecisionTest, ReservedWordsAreNeverPlatformRoles) {
  const RuleSet rules = Rules(
      "rules:\n"
      "  - allow: publish\n"
      "    roles: joined\n"
      "    topics: rooms/{room}/emote/{user}\n");
  subject_.platform_roles = {"joined", "visitor"};  // whatever auth says
  EXPECT_FALSE(MayPublish(rules, "rooms/world:1/emote/ben"));
}

TEST_F(DecisionTest, KindsRestrictToRoomsOfThatKind) {
  const RuleSet rules = Rules(
      "rules:\n"
      "  - deny: publish\n"
      "    kinds: event\n"
      "    topics: rooms/{room}/voice/#\n"
      "  - allow: publish\n"
      "    roles: joined\n"
      "    topics: rooms/{room}/voice/{user}\n");
  Join("event:1", "audience", "event");
  Join("world:1", "peer", "world");
  EXPECT_FALSE(MayPublish(rules, "rooms/event:1/voice/ben"));
  EXPECT_TRUE(MayPublish(rules, "rooms/world:1/voice/ben"));
}

TEST_F(DecisionTest, MembershipIsLookedUpOnlyWhenARuleNeedsIt) {
  const RuleSet rules = Rules(
      "rules:\n"
      "  - allow: publish\n"
      "    topics: rooms/{room}/join\n"
      "  - allow: publish\n"
      "    roles: joined\n"
      "    topics: rooms/{room}/pose/{user}\n");
  EXPECT_TRUE(MayPublish(rules, "rooms/world:1/join"));
  EXPECT_EQ(lookups_, 0);
  Join("world:1", "peer", "world");
  EXPECT_TRUE(MayPublish(rules, "rooms/world:1/pose/ben"));
  EXPECT_EQ(lookups_, 1);
}

TEST_F(DecisionTest, SubstitutionsFillInTheClientsValues) {
  const RuleSet rules = Rules(
      "rules:\n"
      "  - allow: [publish, subscribe]\n"
      "    topics:\n"
      "      - users/{user}/#\n"
      "      - clients/{client}\n"
      "      - names/{username}\n"
      "      - mixed/u-{user}.{client}\n");
  EXPECT_TRUE(MayPublish(rules, "users/ben/inbox"));
  EXPECT_FALSE(MayPublish(rules, "users/eve/inbox"));
  EXPECT_TRUE(MayPublish(rules, "clients/phone-1"));
  EXPECT_FALSE(MayPublish(rules, "clients/phone-2"));
  EXPECT_TRUE(MayPublish(rules, "names/benny"));
  EXPECT_TRUE(MayPublish(rules, "mixed/u-ben.phone-1"));
  EXPECT_FALSE(MayPublish(rules, "mixed/u-ben.phone-"));
  EXPECT_FALSE(MayPublish(rules, "mixed/u-benphone-1"));
  EXPECT_TRUE(MaySubscribe(rules, "users/ben/#"));
  EXPECT_FALSE(MaySubscribe(rules, "users/+/inbox"));
  subject_.username.reset();
  EXPECT_FALSE(MayPublish(rules, "names/benny"));
  EXPECT_FALSE(MayPublish(rules, "names/"));
}

TEST_F(DecisionTest, WildcardValuesNeverWidenAnAllowRule) {
  const RuleSet rules = Rules(
      "rules:\n"
      "  - allow: [publish, subscribe]\n"
      "    topics: [\"users/{user}/inbox\"]\n");
  for (const std::string& user :
       std::vector<std::string>{"+", "#", "a/b", "", std::string("a\0b", 3)}) {
    subject_.user = user;
    EXPECT_FALSE(MayPublish(rules, "users/a/b/inbox")) << user;
    EXPECT_FALSE(MayPublish(rules, "users/x/inbox")) << user;
    EXPECT_FALSE(MayPublish(rules, "users/" + user + "/inbox")) << user;
    EXPECT_FALSE(MaySubscribe(rules, "users/+/inbox")) << user;
    EXPECT_FALSE(MaySubscribe(rules, "users/#")) << user;
    EXPECT_FALSE(MaySubscribe(rules, "#")) << user;
  }
}

TEST_F(DecisionTest, AnUnusableValueMakesADenyRuleDenyEverything) {
  const RuleSet rules = Rules(
      "rules:\n"
      "  - deny: [publish, subscribe]\n"
      "    topics: [\"private/{username}/#\"]\n"
      "  - allow: [publish, subscribe]\n"
      "    topics: [\"#\"]\n");
  EXPECT_FALSE(MayPublish(rules, "private/benny/x"));
  EXPECT_TRUE(MayPublish(rules, "private/other/x"));
  EXPECT_TRUE(MaySubscribe(rules, "private/other/#"));
  subject_.username = "a/b";
  EXPECT_FALSE(MayPublish(rules, "private/a/b/x"));
  EXPECT_FALSE(MayPublish(rules, "anything"));  // fail closed
  EXPECT_FALSE(MaySubscribe(rules, "anything"));
}

// The default rules for rooms, reduced to what the containment tests need.
constexpr const char* kRoomRules =
    "rules:\n"
    "  - allow: subscribe\n"  // 2
    "    roles: moderator\n"
    "    topics: rooms/#\n"
    "  - deny: subscribe\n"  // 5
    "    topics: rooms/{room}/secret/#\n"
    "  - allow: subscribe\n"  // 7
    "    roles: joined\n"
    "    topics: rooms/{room}/#\n"
    "  - allow: subscribe\n"  // 10
    "    topics: [\"lobby/+\", \"lobby/news/#\"]\n";

TEST_F(DecisionTest, AFilterIsAllowedOnlyIfEveryTopicItReachesIs) {
  const RuleSet rules = Rules(kRoomRules);
  Join("world:1", "peer", "world");
  EXPECT_TRUE(MaySubscribe(rules, "rooms/world:1/pose/+"));
  EXPECT_TRUE(MaySubscribe(rules, "rooms/world:1/pose/ben"));
  EXPECT_FALSE(MaySubscribe(rules, "rooms/world:1/#"));  // reaches .../secret
  EXPECT_FALSE(MaySubscribe(rules, "rooms/world:1/+/x"));
  EXPECT_TRUE(MaySubscribe(rules, "rooms/world:1/server/#"));
  // Not in world:2, nor in rooms a wildcard stands for.
  EXPECT_FALSE(MaySubscribe(rules, "rooms/world:2/pose/+"));
  EXPECT_FALSE(MaySubscribe(rules, "#"));
  EXPECT_FALSE(MaySubscribe(rules, "rooms/#"));
  EXPECT_FALSE(MaySubscribe(rules, "rooms/+/pose/+"));
  EXPECT_FALSE(MaySubscribe(rules, "+/+/pose/+"));
  EXPECT_FALSE(MaySubscribe(rules, "+/world:1/pose/+"));
  EXPECT_FALSE(MaySubscribe(rules, "+/#"));
}

TEST_F(DecisionTest, TheUnionOfAllowRulesCanCoverAFilter) {
  const RuleSet rules = Rules(kRoomRules);
  EXPECT_TRUE(MaySubscribe(rules, "lobby/news/#"));
  EXPECT_TRUE(MaySubscribe(rules, "lobby/+"));   // lobby/news is in both
  EXPECT_FALSE(MaySubscribe(rules, "lobby/#"));  // lobby itself, lobby/x/y
  const RuleSet split = Rules(
      "rules:\n"
      "  - allow: subscribe\n"
      "    topics: [a/b, a/+/c]\n"
      "  - allow: subscribe\n"
      "    topics: a/+\n");
  EXPECT_TRUE(MaySubscribe(split, "a/+"));
  EXPECT_FALSE(MaySubscribe(split, "a/+/+"));
  EXPECT_TRUE(MaySubscribe(split, "a/+/c"));
}

TEST_F(DecisionTest, AnEarlierDenyInsideAFilterRefusesIt) {
  const RuleSet rules = Rules(
      "rules:\n"
      "  - deny: subscribe\n"
      "    topics: feed/private\n"
      "  - allow: subscribe\n"
      "    topics: feed/#\n");
  EXPECT_TRUE(MaySubscribe(rules, "feed/public"));
  const Decision decision = Subscribe(rules, "feed/+");
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.line, 2);
  EXPECT_EQ(decision.example, "feed/private");
  EXPECT_FALSE(MaySubscribe(rules, "feed/#"));
  EXPECT_FALSE(MaySubscribe(rules, "+/private"));
  // A later deny cannot take back what an earlier allow gave.
  const RuleSet later = Rules(
      "rules:\n"
      "  - allow: subscribe\n"
      "    topics: feed/#\n"
      "  - deny: subscribe\n"
      "    topics: feed/private\n");
  EXPECT_TRUE(MaySubscribe(later, "feed/#"));
}

TEST_F(DecisionTest, ARoomWildcardNeedsTheRuleForEveryRole) {
  const RuleSet rules = Rules(kRoomRules);
  Join("world:1", "peer", "world");
  subject_.platform_roles = {"moderator"};
  EXPECT_TRUE(MaySubscribe(rules, "rooms/#"));
  EXPECT_TRUE(MaySubscribe(rules, "rooms/+/pose/+"));
  EXPECT_FALSE(MaySubscribe(rules, "#"));
  // Without the platform role, a visitor's rooms are not readable.
  subject_.platform_roles.clear();
  const Decision decision = Subscribe(rules, "rooms/+/pose/+");
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.example, "rooms/<any>/pose/<any>");
}

TEST_F(DecisionTest, AllowingEveryRoleAllowsARoomWildcard) {
  const RuleSet rules = Rules(
      "rules:\n"
      "  - allow: subscribe\n"
      "    topics: rooms/{room}/server/settings\n");
  EXPECT_TRUE(MaySubscribe(rules, "rooms/+/server/settings"));
  EXPECT_FALSE(MaySubscribe(rules, "rooms/+/server/+"));
  const RuleSet by_role = Rules(
      "rules:\n"
      "  - allow: subscribe\n"
      "    roles: [visitor, joined]\n"
      "    topics: rooms/{room}/server/settings\n");
  EXPECT_TRUE(MaySubscribe(by_role, "rooms/+/server/settings"));
  const RuleSet member_only = Rules(
      "rules:\n"
      "  - allow: subscribe\n"
      "    roles: joined\n"
      "    topics: rooms/{room}/server/settings\n");
  EXPECT_FALSE(MaySubscribe(member_only, "rooms/+/server/settings"));
}

TEST_F(DecisionTest, ARoomOnlySomeRolesMayReadRefusesTheRoomWildcard) {
  const RuleSet rules = Rules(
      "rules:\n"
      "  - deny: subscribe\n"
      "    roles: audience\n"
      "    kinds: event\n"
      "    topics: rooms/{room}/backstage/#\n"
      "  - allow: subscribe\n"
      "    topics: rooms/{room}/backstage/#\n");
  Join("event:1", "performer", "event");
  EXPECT_TRUE(MaySubscribe(rules, "rooms/event:1/backstage/#"));
  // Somewhere the client might be audience in an event.
  EXPECT_FALSE(MaySubscribe(rules, "rooms/+/backstage/#"));
}

TEST_F(DecisionTest, DollarTopicsAreOutOfAWildcardsReach) {
  const RuleSet rules = Rules(
      "rules:\n"
      "  - allow: subscribe\n"
      "    topics: [\"#\"]\n");
  EXPECT_TRUE(MaySubscribe(rules, "#"));
  EXPECT_TRUE(MaySubscribe(rules, "+/x"));
  EXPECT_FALSE(MaySubscribe(rules, "$SYS/#"));
  EXPECT_FALSE(MayPublish(rules, "$SYS/x"));
  const RuleSet sys = Rules(
      "rules:\n"
      "  - allow: subscribe\n"
      "    topics: [\"$SYS/#\"]\n");
  EXPECT_TRUE(MaySubscribe(sys, "$SYS/#"));
  EXPECT_FALSE(MaySubscribe(sys, "#"));  // # does not reach $SYS, but it reaches other topics
  EXPECT_FALSE(MaySubscribe(sys, "+/broker"));
}

TEST_F(DecisionTest, ExactFiltersMatchExactly) {
  const RuleSet rules = Rules(
      "rules:\n"
      "  - allow: subscribe\n"
      "    topics: [a/b, c/+, d/#]\n");
  EXPECT_TRUE(MaySubscribe(rules, "a/b"));
  EXPECT_FALSE(MaySubscribe(rules, "a/b/c"));
  EXPECT_FALSE(MaySubscribe(rules, "a"));
  EXPECT_FALSE(MaySubscribe(rules, "a/+"));
  EXPECT_TRUE(MaySubscribe(rules, "c/x"));
  EXPECT_TRUE(MaySubscribe(rules, "c/+"));
  EXPECT_FALSE(MaySubscribe(rules, "c/#"));  // c itself
  EXPECT_TRUE(MaySubscribe(rules, "d"));
  EXPECT_TRUE(MaySubscribe(rules, "d/#"));
  EXPECT_TRUE(MaySubscribe(rules, "d/+/+/x"));
  EXPECT_TRUE(MaySubscribe(rules, "c/"));  // an empty level is a level
}

TEST_F(DecisionTest, APathologicalRuleSetRunsOutOfStepsAndRefuses) {
  std::string yaml = "rules:\n";
  for (int i = 0; i < 40; ++i) {
    yaml += "  - allow: subscribe\n    topics: [\"+/+/+/+/l" + std::to_string(i) + "\", \"l" +
            std::to_string(i) + "/+/+/+/+\"]\n";
  }
  yaml += "  - allow: subscribe\n    topics: [\"#\"]\n";
  const RuleSet rules = Rules(yaml);
  EXPECT_TRUE(MaySubscribe(rules, "#"));  // within the default budget
  const Decision decision = CheckSubscribe(rules, subject_, "#", lookup_, 500);
  EXPECT_FALSE(decision.allowed);
  EXPECT_TRUE(decision.too_complex);
}

TEST_F(DecisionTest, RateLimitsGoByRoleInTheTopicsRoom) {
  const RuleSet rules = Rules(
      "rules: []\n"
      "rate_limits:\n"
      "  - roles: service\n"
      "    unlimited: true\n"
      "  - roles: performer\n"
      "    messages_per_second: 100\n"
      "  - roles: joined\n"
      "    messages_per_second: 10\n");
  Join("event:1", "performer", "event");
  Join("world:1", "peer", "world");
  EXPECT_EQ(LimitFor(rules, "rooms/event:1/voice/ben"), &rules.rate_limits[1]);
  EXPECT_EQ(LimitFor(rules, "rooms/world:1/voice/ben"), &rules.rate_limits[2]);
  EXPECT_EQ(LimitFor(rules, "rooms/world:2/join"), nullptr);
  EXPECT_EQ(LimitFor(rules, "elsewhere"), nullptr);
  subject_.platform_roles = {"service"};
  EXPECT_EQ(LimitFor(rules, "rooms/event:1/voice/ben"), &rules.rate_limits[0]);
}

TEST(RoomOfTest, FindsTheRoomLevel) {
  EXPECT_EQ(RoomOf("rooms/world:1/pose/ben"), "world:1");
  EXPECT_EQ(RoomOf("rooms/world:1"), "world:1");
  EXPECT_EQ(RoomOf("rooms/"), "");
  EXPECT_EQ(RoomOf("rooms"), std::nullopt);
  EXPECT_EQ(RoomOf("roomsx/a"), std::nullopt);
}

}  // namespace
}  // namespace plaza::permissions
