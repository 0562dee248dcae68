// Unit tests of the ownership plugin's configuration parser
// (plugins/ownership/settings.h): defaults, every key, and a clear refusal
// of each kind of mistake.
#include "settings.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <stdexcept>
#include <string>

namespace plaza::ownership {
namespace {

// The message ParseSettings throws for `yaml`, or "" if it accepts it.
std::string ErrorOf(const std::string& yaml) {
  try {
    ParseSettings(yaml);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(SettingsTest, AnEmptyConfigurationHasTheDefaults) {
  const Settings settings = ParseSettings("");
  EXPECT_EQ(settings.payload_format, PayloadFormat::kProtobuf);
  EXPECT_EQ(settings.fallback, Fallback::kFree);
  EXPECT_EQ(settings.lease_ms, 0u);
  EXPECT_EQ(settings.rate_per_second, 0);
  EXPECT_EQ(settings.max_items_per_room, 1024u);
  EXPECT_TRUE(settings.groups.empty());
}

TEST(SettingsTest, EveryKeyIsRead) {
  const Settings settings = ParseSettings(R"(
payload_format: json
fallback: longest_present
lease_ms: 5000
rate_limit: {ops_per_second: 10, burst: 20}
max_items_per_room: 50
groups:
  - items: [left, right]
  - items: [pawn, king]
    room: "world:1"
)");
  EXPECT_EQ(settings.payload_format, PayloadFormat::kJson);
  EXPECT_EQ(settings.fallback, Fallback::kLongestPresent);
  EXPECT_EQ(settings.lease_ms, 5000u);
  EXPECT_EQ(settings.rate_per_second, 10);
  EXPECT_EQ(settings.rate_burst, 20);
  EXPECT_EQ(settings.max_items_per_room, 50u);
  ASSERT_EQ(settings.groups.size(), 2u);
  ASSERT_NE(settings.GroupOf("any", "right"), nullptr);
  EXPECT_EQ(settings.GroupOf("any", "right")->items[0], "left");
  EXPECT_EQ(settings.GroupOf("any", "king"), nullptr);
  ASSERT_NE(settings.GroupOf("world:1", "king"), nullptr);
  EXPECT_EQ(settings.GroupOf("world:1", "ball"), nullptr);
}

TEST(SettingsTest, TheBurstDefaultsToTheRate) {
  EXPECT_EQ(ParseSettings("rate_limit: {ops_per_second: 7}").rate_burst, 7);
}

TEST(SettingsTest, ARoomsOwnGroupWinsOverOneForEveryRoom) {
  const Settings settings = ParseSettings(R"(
groups:
  - items: [a, b]
  - items: [a, c]
    room: r1
)");
  EXPECT_EQ(settings.GroupOf("r1", "a")->items[1], "c");
  EXPECT_EQ(settings.GroupOf("r2", "a")->items[1], "b");
}

TEST(SettingsTest, MistakesAreRefusedWithTheirKey) {
  EXPECT_NE(ErrorOf("payload_format: xml").find("'payload_format' must be protobuf or json"),
            std::string::npos);
  EXPECT_NE(ErrorOf("fallback: random").find("'fallback' must be free or longest_present"),
            std::string::npos);
  EXPECT_NE(ErrorOf("lease: 5").find("unknown key 'lease'"), std::string::npos);
  EXPECT_NE(ErrorOf("lease_ms: -1").find("'lease_ms'"), std::string::npos);
  EXPECT_NE(ErrorOf("lease_ms: soon").find("'lease_ms' has a bad value (line 1)"),
            std::string::npos);
  EXPECT_NE(ErrorOf("rate_limit: 10").find("'rate_limit' must be a map"), std::string::npos);
  EXPECT_NE(ErrorOf("rate_limit: {ops_per_second: -2}").find("ops_per_second"), std::string::npos);
  EXPECT_NE(ErrorOf("rate_limit: {ops_per_second: 5, burst: 0}").find("burst"), std::string::npos);
  EXPECT_NE(ErrorOf("max_items_per_room: 0").find("max_items_per_room"), std::string::npos);
  EXPECT_NE(ErrorOf("groups: [{items: [a]}]").find("at least two items"), std::string::npos);
  EXPECT_NE(ErrorOf("groups: [{items: [a, a]}]").find("listed twice"), std::string::npos);
  EXPECT_NE(ErrorOf("groups: [{items: [a, b]}, {items: [b, c]}]").find("in two groups"),
            std::string::npos);
  EXPECT_NE(ErrorOf("groups: [{items: [a, 'b/c']}]").find("bad item id 'b/c'"), std::string::npos);
  EXPECT_NE(ErrorOf("groups: [{items: [a, b], room: 'x y'}]").find("bad room id"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[1, 2]").find("expected a map"), std::string::npos);
  EXPECT_NE(ErrorOf("a: [").find("not valid YAML"), std::string::npos);
}

TEST(SettingsTest, TheExampleConfigurationIsValid) {
  const YAML::Node root = YAML::LoadFile(std::string(PLAZA_SOURCE_DIR) + "/config/ownership.yaml");
  const Settings settings = ParseSettings(YAML::Dump(root["plugins"][0]["config"]));
  EXPECT_EQ(settings.fallback, Fallback::kLongestPresent);
  EXPECT_EQ(settings.groups.size(), 2u);
  EXPECT_NE(settings.GroupOf("world:1", "chess-clock"), nullptr);
}

TEST(SettingsTest, IdsFollowTheProtocol) {
  EXPECT_TRUE(IsValidRoomId("world:1"));
  EXPECT_TRUE(IsValidRoomId("event:42.b_c-d"));
  EXPECT_FALSE(IsValidRoomId(""));
  EXPECT_FALSE(IsValidRoomId("a b"));
  EXPECT_FALSE(IsValidRoomId("a+"));
  EXPECT_TRUE(IsValidItemId("ball-1"));
  EXPECT_FALSE(IsValidItemId("ball:1"));
  EXPECT_FALSE(IsValidItemId(std::string(129, 'x')));
}

}  // namespace
}  // namespace plaza::ownership
