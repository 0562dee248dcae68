// The retained-message tree: replacement, clearing, and lookup by filter
// that agrees with the topic matching rules.
#include "core/retained_store.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "mqtt/topic.h"

namespace plaza::broker {
namespace {

std::vector<std::string> Topics(const RetainedStore& store, std::string_view filter) {
  std::vector<MessagePtr> found;
  store.Match(filter, &found);
  std::vector<std::string> topics;
  for (const auto& m : found) topics.emplace_back(m->topic());
  std::sort(topics.begin(), topics.end());
  return topics;
}

TEST(RetainedStoreTest, AgreesWithTopicMatchesOnATable) {
  const std::vector<std::string> topics = {"a",    "a/b",    "a/b/c", "/a",  "a/",   "/",
                                           "a//b", "$SYS/x", "$SYS",  "b/b", "a/x/c"};
  const std::vector<std::string> filters = {"#",   "+",     "a",  "a/#",  "a/+",
                                            "+/b", "+/+",   "/+", "a//b", "$SYS/#",
                                            "+/#", "a/+/c", "/#", "$SYS", "+/+/+"};
  RetainedStore store;
  for (const auto& t : topics) store.Update(MakeMessage(t, "v", 0, true));
  EXPECT_EQ(store.size(), topics.size());
  for (const auto& filter : filters) {
    std::vector<std::string> expected;
    for (const auto& t : topics) {
      if (mqtt::TopicMatches(filter, t)) expected.push_back(t);
    }
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(Topics(store, filter), expected) << "filter " << filter;
  }
}

TEST(RetainedStoreTest, ReplaceAndClear) {
  RetainedStore store;
  store.Update(MakeMessage("a/b", "1", 0, true));
  store.Update(MakeMessage("a/b", "2", 1, true));
  std::vector<MessagePtr> found;
  store.Match("a/b", &found);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->payload(), "2");
  store.Update(MakeMessage("a/b", "", 0, true));
  EXPECT_EQ(store.size(), 0u);
  EXPECT_TRUE(Topics(store, "#").empty());
  store.Update(MakeMessage("never/set", "", 0, true));  // clearing nothing is fine
  EXPECT_EQ(store.size(), 0u);
}

}  // namespace
}  // namespace plaza::broker
