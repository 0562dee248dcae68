// The cross-shard subscription summary and the outbound topic alias table:
// the summary never says "no" for a topic some counted filter matches, and
// says "no" once the filters are gone; the alias table's reuse rule.
#include "core/subscription_summary.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/topic_aliases.h"
#include "mqtt/topic.h"

namespace plaza::broker {
namespace {

const std::vector<std::string> kFilters = {
    "#",     "+",     "a",       "a/#",  "a/+",   "+/b",    "a/b",
    "a/b/#", "+/+",   "/+",      "a//b", "+/+/+", "$SYS/#", "$SYS/+",
    "+/#",   "a/+/c", "a/b/c/d", "/",    "/#",    "$x",     "rooms/1/pose/+"};
const std::vector<std::string> kTopics = {
    "a",  "a/b",     "a/b/c",          "/a", "a/", "/", "a//b", "$SYS/x", "$SYS", "b/b", "a/x/c",
    "$x", "a/b/c/d", "rooms/1/pose/7", "z"};

TEST(SubscriptionSummaryTest, NeverMissesAMatchingFilter) {
  for (const std::string& filter : kFilters) {
    SubscriptionSummary summary(2);
    summary.Add(1, filter);
    for (const std::string& topic : kTopics) {
      if (mqtt::TopicMatches(filter, topic)) {
        EXPECT_TRUE(summary.MayMatch(1, topic)) << filter << " / " << topic;
      }
      EXPECT_FALSE(summary.MayMatch(0, topic)) << "shard 0 has nothing: " << topic;
    }
    summary.Remove(1, filter);
    for (const std::string& topic : kTopics) EXPECT_FALSE(summary.MayMatch(1, topic)) << topic;
  }
}

TEST(SubscriptionSummaryTest, TellsUnrelatedTopicsApart) {
  SubscriptionSummary summary(1);
  summary.Add(0, "rooms/1/pose/+");
  summary.Add(0, "rooms/1/pose/+");
  summary.Add(0, "$SYS/#");
  EXPECT_TRUE(summary.MayMatch(0, "rooms/1/pose/7"));
  EXPECT_FALSE(summary.MayMatch(0, "rooms"));
  EXPECT_FALSE(summary.MayMatch(0, "chat/1"));
  summary.Remove(0, "rooms/1/pose/+");
  EXPECT_TRUE(summary.MayMatch(0, "rooms/1/x"));  // one of the two is left
  summary.Remove(0, "rooms/1/pose/+");
  EXPECT_FALSE(summary.MayMatch(0, "rooms/1/x"));
  // A wildcard first level matches everything but '$' topics.
  summary.Add(0, "+/x");
  EXPECT_TRUE(summary.MayMatch(0, "chat/1"));
  EXPECT_FALSE(summary.MayMatch(0, "$other/x"));
}

TEST(TopicAliasesTest, AssignsThenReusesOnlyIdleAliases) {
  TopicAliases aliases(2);
  EXPECT_EQ(aliases.For("a").alias, 1);
  EXPECT_FALSE(aliases.For("a").alias == 0);
  EXPECT_TRUE(aliases.For("a").known);
  EXPECT_EQ(aliases.For("b").alias, 2);
  // Full, and "a" was used 2 deliveries ago: no alias for "c".
  EXPECT_EQ(aliases.For("c").alias, 0);
  for (int i = 0; i < 8; ++i) aliases.For("b");
  // "a" has now been idle for more than 4 x 2 deliveries: "c" takes alias 1.
  const TopicAliases::Use c = aliases.For("c");
  EXPECT_EQ(c.alias, 1);
  EXPECT_FALSE(c.known);
  EXPECT_TRUE(aliases.For("c").known);
  EXPECT_FALSE(aliases.For("a").known);
  EXPECT_EQ(aliases.size(), 2u);
}

TEST(TopicAliasesTest, LongTopicsAndRefusedAssignmentsGetNone) {
  TopicAliases aliases(4);
  EXPECT_EQ(aliases.For(std::string(TopicAliases::kMaxAliasedTopic + 1, 'x')).alias, 0);
  EXPECT_EQ(aliases.For("t", /*allow_new=*/false).alias, 0);
  EXPECT_EQ(aliases.For("t").alias, 1);
  EXPECT_TRUE(aliases.For("t", /*allow_new=*/false).known);
}

}  // namespace
}  // namespace plaza::broker
