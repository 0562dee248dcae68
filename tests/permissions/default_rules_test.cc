// The shipped config/permissions.yaml against the room protocol
// (docs/protocol.md): what members, the audience and performers of an
// event, visitors, moderators and service accounts may do.
#include <gtest/gtest.h>

#include <string>

#include "rules_fixture.h"

namespace plaza::permissions {
namespace {

class DefaultRulesTest : public RulesFixture {
 protected:
  void SetUp() override {
    std::string error;
    std::optional<RuleSet> rules = LoadRulesFile(PLAZA_DEFAULT_RULES, &error);
    ASSERT_TRUE(rules) << error;
    rules_ = std::move(*rules);
  }
  bool MayPublish(const std::string& topic) { return RulesFixture::MayPublish(rules_, topic); }
  bool MaySubscribe(const std::string& filter) {
    return RulesFixture::MaySubscribe(rules_, filter);
  }

  RuleSet rules_;
};

TEST_F(DefaultRulesTest, AVisitorMayJoinLeaveAndFollowTheServerTopics) {
  EXPECT_TRUE(MayPublish("rooms/world:1/join"));
  EXPECT_TRUE(MayPublish("rooms/world:1/leave"));
  EXPECT_FALSE(MayPublish("rooms/world:1/pose/ben"));
  EXPECT_TRUE(MaySubscribe("rooms/world:1/server/#"));
  EXPECT_TRUE(MaySubscribe("rooms/+/server/members"));  // every room's member list
  EXPECT_FALSE(MaySubscribe("rooms/world:1/#"));
  EXPECT_FALSE(MaySubscribe("rooms/world:1/pose/+"));
  EXPECT_FALSE(MaySubscribe("rooms/world:1/items/+/owner"));
  EXPECT_FALSE(MayPublish("anything/else"));
  EXPECT_FALSE(MaySubscribe("#"));
}

TEST_F(DefaultRulesTest, AWorldPeerSendsItsOwnStateAndReadsItsRoom) {
  Join("world:1", "peer", "world");
  for (const char* kind : {"pose", "track", "voice", "emote"}) {
    EXPECT_TRUE(MayPublish(std::string("rooms/world:1/") + kind + "/ben")) << kind;
    EXPECT_FALSE(MayPublish(std::string("rooms/world:1/") + kind + "/eve")) << kind;
  }
  EXPECT_TRUE(MayPublish("rooms/world:1/items/ball-1/claim"));
  EXPECT_TRUE(MayPublish("rooms/world:1/items/ball-1/state/3"));
  EXPECT_FALSE(MayPublish("rooms/world:1/items/ball-1/owner"));  // the server's
  EXPECT_FALSE(MayPublish("rooms/world:1/server/members"));
  EXPECT_FALSE(MayPublish("rooms/world:1/server/reply"));
  EXPECT_TRUE(MaySubscribe("rooms/world:1/#"));
  EXPECT_TRUE(MaySubscribe("rooms/world:1/pose/+"));
  EXPECT_FALSE(MaySubscribe("rooms/world:2/#"));
  EXPECT_FALSE(MaySubscribe("rooms/+/pose/+"));
  EXPECT_FALSE(MaySubscribe("rooms/#"));
  EXPECT_FALSE(MaySubscribe("+/+/pose/+"));
  EXPECT_FALSE(MaySubscribe("#"));
}

TEST_F(DefaultRulesTest, TheAudienceOfAnEventStaysOffTheStage) {
  Join("event:7", "audience", "event");
  EXPECT_TRUE(MayPublish("rooms/event:7/pose/ben"));
  EXPECT_TRUE(MayPublish("rooms/event:7/emote/ben"));
  EXPECT_FALSE(MayPublish("rooms/event:7/voice/ben"));
  EXPECT_FALSE(MayPublish("rooms/event:7/items/mic/claim"));
  EXPECT_TRUE(MaySubscribe("rooms/event:7/#"));
}

TEST_F(DefaultRulesTest, PerformersAndHostsHaveTheStage) {
  Join("event:7", "performer", "event");
  Join("event:8", "host", "event");
  EXPECT_TRUE(MayPublish("rooms/event:7/voice/ben"));
  EXPECT_FALSE(MayPublish("rooms/event:7/voice/eve"));
  EXPECT_TRUE(MayPublish("rooms/event:7/items/mic/claim"));
  EXPECT_TRUE(MayPublish("rooms/event:8/voice/ben"));
  EXPECT_FALSE(MayPublish("rooms/event:7/server/announcements"));
}

TEST_F(DefaultRulesTest, ModeratorsWatchEveryRoom) {
  subject_.platform_roles = {"moderator"};
  EXPECT_TRUE(MaySubscribe("rooms/#"));
  EXPECT_TRUE(MaySubscribe("rooms/+/server/members"));
  EXPECT_FALSE(MaySubscribe("#"));
  EXPECT_FALSE(MayPublish("rooms/world:1/pose/ben"));  // not without joining
  EXPECT_FALSE(MayPublish("rooms/world:1/server/settings"));
}

TEST_F(DefaultRulesTest, ServiceAccountsMayDoAnything) {
  subject_.platform_roles = {"service"};
  EXPECT_TRUE(MayPublish("rooms/world:1/server/settings"));
  EXPECT_TRUE(MayPublish("rooms/world:1/server/announcements"));
  EXPECT_TRUE(MaySubscribe("#"));
}

TEST_F(DefaultRulesTest, RateLimitsByRole) {
  Join("event:7", "performer", "event");
  Join("world:1", "peer", "world");
  auto limit = [&](const std::string& topic) { return LimitFor(rules_, topic); };
  ASSERT_NE(limit("rooms/event:7/voice/ben"), nullptr);
  ASSERT_NE(limit("rooms/world:1/voice/ben"), nullptr);
  EXPECT_GT(limit("rooms/event:7/voice/ben")->messages_per_second,
            limit("rooms/world:1/voice/ben")->messages_per_second);
  subject_.platform_roles = {"service"};
  EXPECT_TRUE(limit("rooms/world:1/voice/ben")->unlimited);
}

}  // namespace
}  // namespace plaza::permissions
