// Tables for MQTT's UTF-8 rules and topic names, filters and matching
// (3.1.1 sections 1.5.3 and 4.7): the broker's routing is only as right as
// these functions, so every corner the standard describes is pinned here.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "mqtt/topic.h"

namespace plaza::mqtt {
namespace {

using namespace std::string_view_literals;

TEST(Utf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii/with+symbols#"));
  EXPECT_TRUE(IsValidUtf8("\x7F"));              // DEL is allowed, only U+0000 is not
  EXPECT_TRUE(IsValidUtf8("\xC2\x80"));          // U+0080, smallest 2-byte
  EXPECT_TRUE(IsValidUtf8("\xDF\xBF"));          // U+07FF, largest 2-byte
  EXPECT_TRUE(IsValidUtf8("\xE0\xA0\x80"));      // U+0800, smallest 3-byte
  EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
  EXPECT_TRUE(IsValidUtf8("\xEE\x80\x80"));      // U+E000, just above them
  EXPECT_TRUE(IsValidUtf8("\xEF\xBB\xBF"));      // U+FEFF must be kept [MQTT-1.5.3-3]
  EXPECT_TRUE(IsValidUtf8("\xEF\xBF\xBF"));      // U+FFFF
  EXPECT_TRUE(IsValidUtf8("\xF0\x90\x80\x80"));  // U+10000, smallest 4-byte
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the largest code point
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));  // é € 😀
}

TEST(Utf8Test, RefusesNullCharacter) {
  EXPECT_FALSE(IsValidUtf8("\0"sv));
  EXPECT_FALSE(IsValidUtf8("a\0b"sv));
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));  // the "modified UTF-8" null is overlong
}

TEST(Utf8Test, RefusesOverlongForms) {
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // '/' in 2 bytes
  EXPECT_FALSE(IsValidUtf8("\xC1\xBF"));          // U+007F in 2 bytes
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // '/' in 3 bytes
  EXPECT_FALSE(IsValidUtf8("\xE0\x9F\xBF"));      // U+07FF in 3 bytes
  EXPECT_FALSE(IsValidUtf8("\xF0\x80\x80\xAF"));  // '/' in 4 bytes
  EXPECT_FALSE(IsValidUtf8("\xF0\x8F\xBF\xBF"));  // U+FFFF in 4 bytes
}

TEST(Utf8Test, RefusesSurrogates) {
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));              // U+D800
  EXPECT_FALSE(IsValidUtf8("\xED\xAD\xBF"));              // U+DB7F
  EXPECT_FALSE(IsValidUtf8("\xED\xB0\x80"));              // U+DC00
  EXPECT_FALSE(IsValidUtf8("\xED\xBF\xBF"));              // U+DFFF
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\xBD\xED\xB8\x80"));  // a CESU-8 surrogate pair
}

TEST(Utf8Test, RefusesCodePointsAboveUnicode) {
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xF7\xBF\xBF\xBF"));
  EXPECT_FALSE(IsValidUtf8("\xF8\x88\x80\x80\x80"));      // old 5-byte form
  EXPECT_FALSE(IsValidUtf8("\xFC\x84\x80\x80\x80\x80"));  // old 6-byte form
  EXPECT_FALSE(IsValidUtf8("\xFE"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(Utf8Test, RefusesBrokenSequences) {
  EXPECT_FALSE(IsValidUtf8("\x80"));  // lone continuation byte
  EXPECT_FALSE(IsValidUtf8("a\xBF"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));          // truncated 2-byte
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));      // truncated 3-byte
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x98"));  // truncated 4-byte
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F"));
  EXPECT_FALSE(IsValidUtf8("\xF0"));
  EXPECT_FALSE(
      IsValidUtf8("\xC3"
                  "a"));  // lead byte followed by ASCII
  EXPECT_FALSE(
      IsValidUtf8("\xE2\x82"
                  "a"));
  EXPECT_FALSE(
      IsValidUtf8("\xF0\x9F\x98"
                  "a"));
  EXPECT_FALSE(IsValidUtf8("\xE2\x28\xA1"));
  EXPECT_FALSE(IsValidUtf8("\xC3\xA9\xA9"));  // one continuation too many
}

TEST(Utf8Test, EveryTruncationOfAMultiByteCharacterIsRefused) {
  const std::string text = "x\xF4\x8F\xBF\xBF";
  for (size_t cut = 2; cut < text.size(); ++cut) {
    EXPECT_FALSE(IsValidUtf8(std::string_view(text).substr(0, cut))) << cut;
  }
  EXPECT_TRUE(IsValidUtf8(text));
}

TEST(TopicNameTest, Validation) {
  EXPECT_TRUE(IsValidTopicName("a"));
  EXPECT_TRUE(IsValidTopicName("sport/tennis/player1"));
  EXPECT_TRUE(IsValidTopicName("/"));
  EXPECT_TRUE(IsValidTopicName("/a"));
  EXPECT_TRUE(IsValidTopicName("a//b"));
  EXPECT_TRUE(IsValidTopicName("a/"));
  EXPECT_TRUE(IsValidTopicName("$SYS/broker/load"));
  EXPECT_TRUE(IsValidTopicName(" "));
  EXPECT_TRUE(IsValidTopicName("caf\xC3\xA9"));

  EXPECT_FALSE(IsValidTopicName(""));  // [MQTT-4.7.3-1]
  EXPECT_FALSE(IsValidTopicName("+"));
  EXPECT_FALSE(IsValidTopicName("#"));
  EXPECT_FALSE(IsValidTopicName("a/+/b"));
  EXPECT_FALSE(IsValidTopicName("a/#"));
  EXPECT_FALSE(IsValidTopicName("a+"));
  EXPECT_FALSE(IsValidTopicName("a#b"));
  EXPECT_FALSE(IsValidTopicName("a\0b"sv));
  EXPECT_FALSE(IsValidTopicName("a/\xED\xA0\x80"));
  EXPECT_FALSE(IsValidTopicName("\xC0\xAF"));

  EXPECT_TRUE(IsValidTopicName(std::string(65535, 'a')));
  EXPECT_FALSE(IsValidTopicName(std::string(65536, 'a')));  // cannot go on the wire
}

TEST(TopicFilterTest, Validation) {
  for (const char* filter :
       {"a", "#", "+", "+/+", "/+", "+/", "/#", "a/#", "a/+", "+/b", "a/+/c", "+/+/#", "a//b", "/",
        "sport/tennis/#", "$SYS/#", "$SYS/+/x", "caf\xC3\xA9/+"}) {
    EXPECT_TRUE(IsValidTopicFilter(filter)) << filter;
  }
  for (const char* filter : {"", "a#", "#a", "a/b#", "a/#/b", "#/", "#/a", "##", "a+", "+a", "a/+b",
                             "a/b+", "++", "+#", "#+", "a/+#", "\xED\xA0\x80", "\xC0\xA3"}) {
    EXPECT_FALSE(IsValidTopicFilter(filter)) << filter;
  }
  EXPECT_FALSE(IsValidTopicFilter("a\0/#"sv));
  EXPECT_TRUE(IsValidTopicFilter(std::string(65535, '/')));
  EXPECT_FALSE(IsValidTopicFilter(std::string(65536, '/')));
}

struct MatchCase {
  const char* filter;
  const char* name;
  bool matches;
};

TEST(TopicMatchesTest, Table) {
  const MatchCase cases[] = {
      // Exact matches.
      {"a", "a", true},
      {"a/b", "a/b", true},
      {"a/b", "a/c", false},
      {"a/b", "a", false},
      {"a", "a/b", false},
      {"ab", "a", false},
      {"a", "ab", false},
      {"a/b", "a/bc", false},
      {"A", "a", false},  // case sensitive
      // '#': the parent and every descendant (4.7.1.2).
      {"#", "a", true},
      {"#", "a/b/c", true},
      {"#", "/", true},
      {"#", "/a", true},
      {"sport/tennis/player1/#", "sport/tennis/player1", true},
      {"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
      {"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
      {"sport/tennis/#", "sport/tennis", true},
      {"sport/tennis/#", "sport/tennisplayer1", false},
      {"sport/tennis/#", "sport", false},
      {"sport/#", "sport", true},
      {"a/#", "a", true},
      {"a/#", "a/", true},
      {"a/#", "ab", false},
      {"a/#", "b/a", false},
      {"/#", "/", true},
      {"/#", "/a/b", true},
      {"/#", "a", false},
      // '+': exactly one level, which may be empty (4.7.1.3).
      {"sport/tennis/+", "sport/tennis/player1", true},
      {"sport/tennis/+", "sport/tennis/player2", true},
      {"sport/tennis/+", "sport/tennis/player1/ranking", false},
      {"sport/+", "sport", false},
      {"sport/+", "sport/", true},
      {"+", "a", true},
      {"+", "a/b", false},
      {"+", "/", false},
      {"+/+", "/finance", true},
      {"/+", "/finance", true},
      {"+", "/finance", false},
      {"+/+", "a/b", true},
      {"+/+", "a", false},
      {"+/+", "a/b/c", false},
      {"+/+", "/", true},
      {"a/+/c", "a/b/c", true},
      {"a/+/c", "a//c", true},
      {"a/+/c", "a/c", false},
      {"a/+/c", "a/b/d", false},
      {"+/#", "a", true},
      {"+/#", "a/b/c", true},
      {"+/+/#", "a", false},
      {"+/b/#", "a/b", true},
      // Empty levels are levels like any other.
      {"a//b", "a//b", true},
      {"a//b", "a/b", false},
      {"a/b", "a//b", false},
      {"/a", "/a", true},
      {"/a", "a", false},
      {"a", "/a", false},
      {"a/", "a/", true},
      {"a/", "a", false},
      {"a", "a/", false},
      {"/", "/", true},
      {"//", "/", false},
      // '$' topics are not matched by a leading wildcard (4.7.2).
      {"#", "$SYS", false},
      {"#", "$SYS/broker/load", false},
      {"+/monitor/Clients", "$SYS/monitor/Clients", false},
      {"+", "$SYS", false},
      {"+/#", "$SYS/a", false},
      {"$SYS/#", "$SYS/monitor/Clients", true},
      {"$SYS/#", "$SYS", true},
      {"$SYS/monitor/+", "$SYS/monitor/Clients", true},
      {"$SYS/+", "$SYS/x", true},
      {"$SYS", "$SYS", true},
      {"a/#", "a/$b", true},  // only the first level is special
      {"+/+", "a/$b", true},
      {"#", "a$", true},
  };
  for (const MatchCase& c : cases) {
    EXPECT_EQ(TopicMatches(c.filter, c.name), c.matches)
        << "filter \"" << c.filter << "\" name \"" << c.name << "\"";
  }
}

TEST(TopicLevelsTest, CountsLevels) {
  EXPECT_EQ(TopicLevels("a"), 1u);
  EXPECT_EQ(TopicLevels("a/b"), 2u);
  EXPECT_EQ(TopicLevels("/"), 2u);
  EXPECT_EQ(TopicLevels("/a"), 2u);
  EXPECT_EQ(TopicLevels("a//b"), 3u);
  EXPECT_EQ(TopicLevels("sport/tennis/#"), 3u);
  EXPECT_EQ(TopicLevels("#"), 1u);
  EXPECT_EQ(TopicLevels("///"), 4u);
}

}  // namespace
}  // namespace plaza::mqtt
