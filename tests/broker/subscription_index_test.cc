// The subscription tree: matching through exact levels, '+', '#' and the '$'
// rule, replacement of a filter's QoS, and pruning on removal.
#include "core/subscription_index.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/session.h"
#include "mqtt/topic.h"

namespace plaza::broker {
namespace {

std::vector<Session*> Matches(const SubscriptionIndex& index, std::string_view topic) {
  std::vector<SubscriptionIndex::Entry> entries;
  index.Match(topic, &entries);
  std::vector<Session*> sessions;
  for (const auto& e : entries) sessions.push_back(e.session);
  std::sort(sessions.begin(), sessions.end());
  return sessions;
}

TEST(SubscriptionIndexTest, AgreesWithTopicMatchesOnATable) {
  const std::vector<std::string> filters = {
      "#",    "+",     "a",      "a/#",    "a/+", "+/b",   "a/b",     "a/b/#", "+/+", "/+",
      "a//b", "+/+/+", "$SYS/#", "$SYS/+", "+/#", "a/+/c", "a/b/c/d", "/",     "/#",  "$x"};
  const std::vector<std::string> topics = {"a",     "a/b",  "a/b/c",  "/a",   "a/",
                                           "/",     "a//b", "$SYS/x", "$SYS", "b/b",
                                           "a/x/c", "$x",   "a/b/c/d"};
  std::vector<Session> sessions(filters.size());
  SubscriptionIndex index;
  for (size_t i = 0; i < filters.size(); ++i) index.Add(filters[i], &sessions[i], 0);
  for (const std::string& topic : topics) {
    std::vector<Session*> expected;
    for (size_t i = 0; i < filters.size(); ++i) {
      if (mqtt::TopicMatches(filters[i], topic)) expected.push_back(&sessions[i]);
    }
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(Matches(index, topic), expected) << "topic " << topic;
  }
}

TEST(SubscriptionIndexTest, AddingTheSameFilterAgainUpdatesQos) {
  Session s;
  SubscriptionIndex index;
  index.Add("a/+", &s, 0);
  index.Add("a/+", &s, 2);
  EXPECT_EQ(index.size(), 1u);
  std::vector<SubscriptionIndex::Entry> entries;
  index.Match("a/b", &entries);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].qos, 2);
}

TEST(SubscriptionIndexTest, RemoveOnlyRemovesThatSessionsFilter) {
  Session a, b;
  SubscriptionIndex index;
  index.Add("x/#", &a, 0);
  index.Add("x/#", &b, 0);
  index.Add("x/+/y", &a, 0);
  EXPECT_TRUE(index.Remove("x/#", &a));
  EXPECT_FALSE(index.Remove("x/#", &a));
  EXPECT_FALSE(index.Remove("no/such", &a));
  EXPECT_EQ(Matches(index, "x/q"), std::vector<Session*>{&b});
  EXPECT_TRUE(index.Remove("x/+/y", &a));
  EXPECT_TRUE(index.Remove("x/#", &b));
  EXPECT_EQ(index.size(), 0u);
  EXPECT_TRUE(Matches(index, "x/q/y").empty());
}

}  // namespace
}  // namespace plaza::broker
