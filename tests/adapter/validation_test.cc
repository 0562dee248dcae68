// Every INVALID_ARGUMENT rule, and that valid requests pass.
#include <gtest/gtest.h>

#include "common/room_ref.h"
#include "service/validation.h"

namespace plaza::adapter::service {
namespace {

bool Invalid(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInvalidArgument && !status.message().empty();
}

TEST(ValidationTest, RoomIds) {
  EXPECT_EQ(ParseRoomId("event:12")->id, 12);
  EXPECT_EQ(ParseRoomId("world:3")->kind, v1::ROOM_KIND_WORLD);
  for (const char* bad : {"", "event:", "event:0", "event:-1", "event:1x", "room:1", "EVENT:1",
                          "event:1234567890123456789", "world: 1"}) {
    EXPECT_TRUE(Invalid(ParseRoomId(bad).status())) << bad;
  }
  EXPECT_NE(std::string(ParseRoomId("zz:1").status().message()).find("event:<number>"),
            std::string::npos);
  // Control characters are not echoed back.
  EXPECT_EQ(std::string(ParseRoomId("a\nb").status().message()).find('\n'), std::string::npos);
}

TEST(ValidationTest, Tokens) {
  EXPECT_TRUE(ValidateToken("demo-token-ben-0002").ok());
  EXPECT_TRUE(Invalid(ValidateToken("short")));
  EXPECT_TRUE(Invalid(ValidateToken(std::string(257, 'a'))));
  EXPECT_TRUE(Invalid(ValidateToken("has a space in the token")));
  EXPECT_TRUE(Invalid(ValidateToken("tab\tinside-the-token")));
}

TEST(ValidationTest, Urls) {
  EXPECT_TRUE(ValidateUrl("bgm_url", "https://a.example/x.ogg").ok());
  EXPECT_TRUE(ValidateUrl("bgm_url", "http://a.example/x.ogg").ok());
  EXPECT_TRUE(Invalid(ValidateUrl("bgm_url", "ftp://a.example/x")));
  EXPECT_TRUE(Invalid(ValidateUrl("bgm_url", "https://")));
  EXPECT_TRUE(Invalid(ValidateUrl("bgm_url", "https://a b")));
  EXPECT_TRUE(Invalid(ValidateUrl("bgm_url", "https://a/" + std::string(1100, 'x'))));
  EXPECT_NE(std::string(ValidateUrl("bgm_url", "x").message()).find("bgm_url"), std::string::npos);
}

TEST(ValidationTest, Utf8) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x8e\xb5"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xff"));
}

TEST(ValidationTest, AuthorizeJoin) {
  v1::AuthorizeJoinRequest request;
  request.set_user_id("2");
  request.set_room_id("event:1");
  EXPECT_TRUE(Validate(request).ok());
  request.set_user_id("bob");
  EXPECT_TRUE(Invalid(Validate(request)));
}

TEST(ValidationTest, UpdateRoomSettings) {
  v1::UpdateRoomSettingsRequest request;
  request.set_room_id("world:1");
  EXPECT_TRUE(Invalid(Validate(request)));  // nothing to change
  request.set_volume(0.5f);
  EXPECT_TRUE(Validate(request).ok());
  request.set_volume(1.5f);
  EXPECT_TRUE(Invalid(Validate(request)));
  request.set_volume(std::numeric_limits<float>::quiet_NaN());
  EXPECT_TRUE(Invalid(Validate(request)));
  request.clear_volume();
  request.set_bgm_url("");  // removes the music
  EXPECT_TRUE(Validate(request).ok());
  request.set_bgm_url("not a url");
  EXPECT_TRUE(Invalid(Validate(request)));
  request.clear_bgm_url();
  request.set_venue_asset_url("");
  EXPECT_TRUE(Invalid(Validate(request)));
}

TEST(ValidationTest, Announcements) {
  v1::AnnounceToRoomRequest request;
  request.set_room_id("event:1");
  EXPECT_TRUE(Invalid(Validate(request)));
  request.set_text("Doors open!");
  EXPECT_TRUE(Validate(request).ok());
  request.set_text(std::string(500, 'a'));
  EXPECT_TRUE(Validate(request).ok());
  request.set_text(std::string(501, 'a'));
  EXPECT_TRUE(Invalid(Validate(request)));
  std::string accents;
  for (int i = 0; i < 500; ++i) accents += "\xc3\xa9";  // 500 characters, 1000 bytes
  request.set_text(accents);
  EXPECT_TRUE(Validate(request).ok());
  request.set_text("bad \xff");
  EXPECT_TRUE(Invalid(Validate(request)));
  request.set_text("ok");
  request.set_level(static_cast<v1::AnnouncementLevel>(42));
  EXPECT_TRUE(Invalid(Validate(request)));
}

}  // namespace
}  // namespace plaza::adapter::service
