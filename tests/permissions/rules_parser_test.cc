// The rules file parser: a valid file becomes the rules it says, in order;
// every kind of mistake is refused with the line it is on.
#include "rules_parser.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "plugin_options.h"

namespace plaza::permissions {
namespace {

// The error for `yaml`, or "" if it parsed.
std::string ErrorOf(const std::string& yaml) {
  std::string error;
  if (ParseRules(yaml, "rules.yaml", &error)) return "";
  return error;
}

TEST(RulesParserTest, ReadsRulesInOrderWithTheirLines) {
  std::string error;
  const auto rules = ParseRules(
      "rules:\n"                                     // 1
      "  - allow: publish\n"                         // 2
      "    roles: [performer, joined]\n"             // 3
      "    kinds: event\n"                           // 4
      "    topics: \"rooms/{room}/voice/{user}\"\n"  // 5
      "  - deny: [publish, subscribe]\n"             // 6
      "    topic: [\"a/#\", b/+]\n",                 // 7
      "rules.yaml", &error);
  ASSERT_TRUE(rules) << error;
  ASSERT_EQ(rules->rules.size(), 2u);
  const Rule& first = rules->rules[0];
  EXPECT_TRUE(first.allow);
  EXPECT_EQ(first.actions, kPublish);
  EXPECT_EQ(first.roles, (std::vector<std::string>{"performer", "joined"}));
  EXPECT_EQ(first.kinds, (std::vector<std::string>{"event"}));
  ASSERT_EQ(first.topics.size(), 1u);
  EXPECT_EQ(first.topics[0].text(), "rooms/{room}/voice/{user}");
  EXPECT_EQ(first.line, 2);
  const Rule& second = rules->rules[1];
  EXPECT_FALSE(second.allow);
  EXPECT_EQ(second.actions, kPublish | kSubscribe);
  EXPECT_TRUE(second.roles.empty());
  EXPECT_EQ(second.topics.size(), 2u);
  EXPECT_EQ(second.line, 6);
  // Reserved words are not room roles; named roles and kinds are collected.
  EXPECT_EQ(rules->room_roles, (std::vector<std::string>{"performer"}));
  EXPECT_EQ(rules->kinds, (std::vector<std::string>{"event"}));
}

TEST(RulesParserTest, ReadsRateLimitsWithDefaultBursts) {
  std::string error;
  const auto rules = ParseRules(
      "rules: []\n"
      "rate_limits:\n"
      "  - roles: service\n"
      "    unlimited: true\n"
      "  - messages_per_second: 10\n"
      "    bytes_per_second: 1000\n"
      "    bytes_burst: 5000\n"
      "    kick_after_seconds: 2.5\n",
      "rules.yaml", &error);
  ASSERT_TRUE(rules) << error;
  EXPECT_TRUE(rules->rules.empty());
  ASSERT_EQ(rules->rate_limits.size(), 2u);
  EXPECT_TRUE(rules->rate_limits[0].unlimited);
  EXPECT_EQ(rules->rate_limits[0].line, 3);
  const RateLimit& limit = rules->rate_limits[1];
  EXPECT_FALSE(limit.unlimited);
  EXPECT_TRUE(limit.roles.empty());
  EXPECT_EQ(limit.messages_per_second, 10);
  EXPECT_EQ(limit.messages_burst, 10);  // one second's worth
  EXPECT_EQ(limit.bytes_burst, 5000);
  EXPECT_EQ(limit.kick_after_seconds, 2.5);
}

TEST(RulesParserTest, TheShippedDefaultIsValid) {
  std::string error;
  const auto rules = LoadRulesFile(PLAZA_DEFAULT_RULES, &error);
  ASSERT_TRUE(rules) << error;
  EXPECT_GT(rules->rules.size(), 5u);
  EXPECT_FALSE(rules->rate_limits.empty());
}

struct BadCase {
  const char* yaml;
  const char* error;  // the whole expected message
};

void PrintTo(const BadCase& bad, std::ostream* out) { *out << bad.yaml; }

class RulesParserErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(RulesParserErrorTest, NamesTheLine) {
  EXPECT_EQ(ErrorOf(GetParam().yaml), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Mistakes, RulesParserErrorTest,
    ::testing::Values(
        BadCase{"",
                "rules.yaml:1: the file is empty (that would deny everything: write `rules: "
                "[]` to mean it)"},
        BadCase{"rate_limits: []\n",
                "rules.yaml:1: no rules: list (write `rules: []` to deny everything)"},
        BadCase{"rules: []\nrulez: []\n", "rules.yaml:2: unknown key 'rulez' (rules, rate_limits)"},
        BadCase{"rules:\n  a: b\n", "rules.yaml:2: rules: must be a list"},
        BadCase{"rules:\n  - allow: publish\n    topics: a\n    rolse: [x]\n",
                "rules.yaml:4: unknown rule key 'rolse' (allow, deny, roles, kinds, topics)"},
        BadCase{"rules:\n  - topics: a\n",
                "rules.yaml:2: a rule needs allow: or deny: (publish, subscribe or both)"},
        BadCase{"rules:\n  - allow: publish\n    deny: publish\n    topics: a\n",
                "rules.yaml:3: a rule has either allow: or deny:, not both"},
        BadCase{"rules:\n  - allow: publish\n", "rules.yaml:2: a rule needs topics:"},
        BadCase{"rules:\n  - allow: write\n    topics: a\n",
                "rules.yaml:2: unknown action 'write' (publish, subscribe)"},
        BadCase{"rules:\n  - allow: publish\n    topics: a/#/b\n",
                "rules.yaml:3: '#' must be the last level of 'a/#/b'"},
        BadCase{"rules:\n  - allow: publish\n    topics: a/b+\n",
                "rules.yaml:3: '+' and '#' must fill a whole level in 'a/b+'"},
        BadCase{"rules:\n  - allow: publish\n\n    topics: a/{usr}\n",
                "rules.yaml:4: unknown placeholder {usr} (known: {user}, {client}, {username}, "
                "{room})"},
        BadCase{"rules:\n  - allow: publish\n    topics: a/{user\n",
                "rules.yaml:3: unmatched '{' in 'a/{user'"},
        BadCase{"rules:\n  - allow: publish\n    topics: a/user}\n",
                "rules.yaml:3: unmatched '}' in 'a/user}'"},
        BadCase{"rules:\n  - allow: publish\n    topics: chat/{room}\n",
                "rules.yaml:3: {room} may only be the second level of a topic under rooms/ "
                "(rooms/{room}/...)"},
        BadCase{"rules:\n  - allow: publish\n    topics: rooms/x{room}\n",
                "rules.yaml:3: {room} must fill the whole second level: rooms/{room}/..."},
        BadCase{"rules:\n  - allow: publish\n    topics: \"\"\n",
                "rules.yaml:3: empty topic filter"},
        BadCase{"rules:\n  - allow: publish\n    roles: [\"a b\"]\n    topics: a\n",
                "rules.yaml:3: roles: 'a b' is not a valid name (letters, digits, '_', '-', '.', "
                "':')"},
        BadCase{"rules:\n  - allow: publish\n    kinds: joined\n    topics: a\n",
                "rules.yaml:3: 'joined' is a role, not a room kind"},
        BadCase{"rules:\n  - allow: publish\n    roles: []\n    topics: a\n",
                "rules.yaml:3: roles must not be empty"},
        BadCase{"rules:\n  - allow: publish\n    topics: [rooms/{room}/join]\n",
                "rules.yaml:3: end of sequence flow not found (a '{' or '}' inside [brackets] "
                "must be quoted: [\"rooms/{room}/join\"])"},
        BadCase{"rules:\n  - allow: publish\n    topics: a\n  - nonsense\n",
                "rules.yaml:4: a rule must be a map (allow/deny, roles, kinds, topics)"},
        BadCase{"rules: []\nrate_limits:\n  - roles: any\n",
                "rules.yaml:3: a rate limit needs messages_per_second or bytes_per_second (or "
                "unlimited)"},
        BadCase{"rules: []\nrate_limits:\n  - messages_per_second: fast\n",
                "rules.yaml:3: messages_per_second must be a number, not 'fast'"},
        BadCase{"rules: []\nrate_limits:\n  - messages_per_second: -1\n",
                "rules.yaml:3: messages_per_second must be a number >= 0, not '-1'"},
        BadCase{"rules: []\nrate_limits:\n  - messages_per_second: 5\n    messages_burst: 0.5\n",
                "rules.yaml:3: messages_burst must be at least 1 message"},
        BadCase{"rules: []\nrate_limits:\n  - unlimited: true\n    messages_per_second: 5\n",
                "rules.yaml:3: an unlimited entry takes no rates or bursts"},
        BadCase{"rules: []\nrate_limits:\n  - unlimited: maybe\n",
                "rules.yaml:3: unlimited must be true or false, not 'maybe'"},
        BadCase{"rules: []\nrate_limits:\n  - messages_per_second: 5\n    kick_after: 3\n",
                "rules.yaml:4: unknown rate limit key 'kick_after' (roles, unlimited, "
                "messages_per_second, messages_burst, bytes_per_second, bytes_burst, "
                "kick_after_seconds)"},
        BadCase{"rules:\n  - allow: publish\n    topics: a\n   bad indent: x\n",
                "rules.yaml:4: end of sequence not found"}));

TEST(RulesFileTest, AMissingFileIsAnError) {
  std::string error;
  EXPECT_FALSE(LoadRulesFile("/nonexistent/permissions.yaml", &error));
  EXPECT_EQ(error,
            "/nonexistent/permissions.yaml:0: cannot read the file: No such file or directory");
}

TEST(PluginOptionsTest, ReadsEveryKey) {
  std::string error;
  const auto options = ParsePluginOptions(
      "rules_file: config/permissions.yaml\n"
      "watch_interval_ms: 250\n"
      "max_offline_sessions: 10\n"
      "users:\n"
      "  alice: [moderator, service]\n"
      "  bob: peer\n",
      &error);
  ASSERT_TRUE(options) << error;
  EXPECT_EQ(options->rules_file, "config/permissions.yaml");
  EXPECT_EQ(options->watch_interval_ms, 250u);
  EXPECT_EQ(options->max_offline_sessions, 10u);
  EXPECT_EQ(options->users.at("alice"), (std::vector<std::string>{"moderator", "service"}));
  EXPECT_EQ(options->users.at("bob"), (std::vector<std::string>{"peer"}));
}

TEST(PluginOptionsTest, RefusesMistakesWithTheirLine) {
  std::string error;
  EXPECT_FALSE(ParsePluginOptions("", &error));
  EXPECT_EQ(error, "plugin config:1: the permissions plugin needs a config map with rules_file:");
  EXPECT_FALSE(ParsePluginOptions("watch_interval_ms: 5\n", &error));
  EXPECT_EQ(error, "plugin config:1: rules_file: is required (the path of the rules file)");
  EXPECT_FALSE(ParsePluginOptions("rules_file: x\nwatch_interval: 5\n", &error));
  EXPECT_EQ(error,
            "plugin config:2: unknown key 'watch_interval' (rules_file, watch_interval_ms, users, "
            "max_offline_sessions)");
  EXPECT_FALSE(ParsePluginOptions("rules_file: x\nwatch_interval_ms: 1.5\n", &error));
  EXPECT_EQ(error, "plugin config:2: watch_interval_ms must be a whole number up to 3600000");
  EXPECT_FALSE(ParsePluginOptions("rules_file: x\nusers:\n  alice: [\"a b\"]\n", &error));
  EXPECT_EQ(error,
            "plugin config:3: roles: 'a b' is not a valid name (letters, digits, '_', '-', '.', "
            "':')");
}

}  // namespace
}  // namespace plaza::permissions
