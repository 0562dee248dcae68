// The platform -> room translation rules, without a database.
#include <gtest/gtest.h>

#include "translation/room_translation.h"

namespace plaza::adapter::translation {
namespace {

using platform::BanRecord;
using platform::CastRecord;
using platform::EventRecord;
using platform::SessionRecord;
using platform::UserRecord;
using platform::WorldRecord;

constexpr int64_t kNow = 1'800'000'000;

UserRecord User(int64_t id, std::string staff = "user", std::string state = "active") {
  UserRecord user;
  user.id = id;
  user.display_name = "User " + std::to_string(id);
  user.staff_level = std::move(staff);
  user.account_state = std::move(state);
  return user;
}

EventRecord Event() {
  EventRecord event;
  event.id = 7;
  event.organizer_id = 1;
  event.title = "Show";
  event.publish_state = "published";
  event.starts_at = kNow + 600;
  event.ends_at = kNow + 7200;
  event.doors_open_minutes = 15;
  event.audio_level_pct = 85;
  event.bgm_track_url = "https://x.example/bgm.ogg";
  event.venue = {3, "Dome", "https://x.example/dome.bundle", 5000};
  return event;
}

WorldRecord World(std::string visibility = "public") {
  WorldRecord world;
  world.id = 9;
  world.owner_id = 1;
  world.name = "Plaza";
  world.visibility = std::move(visibility);
  world.max_players = 32;
  world.scene_url = "https://x.example/scene.bundle";
  world.master_volume_pct = 70;
  return world;
}

TEST(TranslationTest, EventBecomesAnEventRoom) {
  EventRecord event = Event();
  event.ticket_limit = 1200;
  const std::vector<CastRecord> cast = {{5, "Star", "artist", 1}, {6, "Host", "mc", 2}};
  const std::optional<v1::Room> room = EventToRoom(event, cast);
  ASSERT_TRUE(room.has_value());
  EXPECT_EQ(room->room_id(), "event:7");
  EXPECT_EQ(room->kind(), v1::ROOM_KIND_EVENT);
  EXPECT_EQ(room->capacity(), 1200);
  EXPECT_FLOAT_EQ(room->settings().volume(), 0.85f);
  EXPECT_EQ(room->settings().venue_asset_url(), "https://x.example/dome.bundle");
  ASSERT_EQ(room->performers_size(), 2);
  EXPECT_EQ(room->performers(0).user_id(), "5");
  EXPECT_EQ(room->performers(0).role(), v1::ROOM_ROLE_PERFORMER);
  EXPECT_EQ(room->performers(1).role(), v1::ROOM_ROLE_HOST);
  EXPECT_EQ(room->opens_at_unix(), kNow + 600 - 15 * 60);
  EXPECT_EQ(room->closes_at_unix(), kNow + 7200);
}

TEST(TranslationTest, TicketLimitNeverExceedsTheVenue) {
  EventRecord event = Event();
  event.ticket_limit = 999999;
  EXPECT_EQ(EventToRoom(event, {})->capacity(), 5000);
  event.ticket_limit.reset();
  EXPECT_EQ(EventToRoom(event, {})->capacity(), 5000);
}

TEST(TranslationTest, DraftEventsAndArchivedWorldsAreNoRooms) {
  EventRecord event = Event();
  event.publish_state = "draft";
  EXPECT_FALSE(EventToRoom(event, {}).has_value());
  WorldRecord world = World();
  world.archived = true;
  EXPECT_FALSE(WorldToRoom(world).has_value());
}

TEST(TranslationTest, WorldBecomesAWorldRoom) {
  const std::optional<v1::Room> room = WorldToRoom(World());
  ASSERT_TRUE(room.has_value());
  EXPECT_EQ(room->room_id(), "world:9");
  EXPECT_EQ(room->kind(), v1::ROOM_KIND_WORLD);
  EXPECT_EQ(room->capacity(), 32);
  EXPECT_FLOAT_EQ(room->settings().volume(), 0.7f);
  EXPECT_EQ(room->settings().bgm_url(), "");
  EXPECT_EQ(room->performers_size(), 0);
}

TEST(TranslationTest, VolumeIsClampedBothWays) {
  EXPECT_FLOAT_EQ(PercentToVolume(150), 1.0f);
  EXPECT_FLOAT_EQ(PercentToVolume(-3), 0.0f);
  EXPECT_EQ(VolumeToPercent(0.444f), 44);
  EXPECT_EQ(VolumeToPercent(0.445f), 45);
  EXPECT_EQ(VolumeToPercent(1.0f), 100);
}

TEST(TranslationTest, PlatformRolesFollowStaffLevel) {
  EXPECT_EQ(PlatformRolesFor(User(1)), std::vector<v1::PlatformRole>{v1::PLATFORM_ROLE_MEMBER});
  EXPECT_EQ(PlatformRolesFor(User(1, "admin")),
            (std::vector<v1::PlatformRole>{v1::PLATFORM_ROLE_MEMBER, v1::PLATFORM_ROLE_MODERATOR,
                                           v1::PLATFORM_ROLE_ADMIN}));
}

TEST(TranslationTest, AuthenticateRefusesInOrder) {
  SessionRecord session{1, 2, kNow + 10, std::nullopt};
  EXPECT_TRUE(Authenticate(session, User(2), {}, kNow).has_user());
  EXPECT_EQ(Authenticate(session, User(2), {}, kNow + 10).refusal().reason(),
            v1::AUTH_REFUSAL_REASON_EXPIRED);
  session.revoked_at = kNow - 1;
  EXPECT_EQ(Authenticate(session, User(2), {}, kNow).refusal().reason(),
            v1::AUTH_REFUSAL_REASON_REVOKED);
  session.revoked_at.reset();
  EXPECT_EQ(Authenticate(session, User(2, "user", "suspended"), {}, kNow).refusal().reason(),
            v1::AUTH_REFUSAL_REASON_SUSPENDED);
  const std::vector<BanRecord> site_ban = {{1, "site", std::nullopt, "spam"}};
  EXPECT_EQ(Authenticate(session, User(2), site_ban, kNow).refusal().reason(),
            v1::AUTH_REFUSAL_REASON_BANNED);
  const std::vector<BanRecord> room_ban = {{1, "event", 7, "x"}};
  EXPECT_TRUE(Authenticate(session, User(2), room_ban, kNow).has_user());
  EXPECT_EQ(UnknownToken().refusal().reason(), v1::AUTH_REFUSAL_REASON_UNKNOWN_TOKEN);
}

TEST(TranslationTest, EventJoinRoles) {
  EventRecord event = Event();
  const std::vector<CastRecord> cast = {{5, "Star", "artist", 1}, {6, "Mod", "staff", 2}};
  const int64_t open = event.starts_at;
  EXPECT_EQ(DecideEventJoin(User(2), event, cast, {}, open).role(), v1::ROOM_ROLE_AUDIENCE);
  EXPECT_EQ(DecideEventJoin(User(5), event, cast, {}, open).role(), v1::ROOM_ROLE_PERFORMER);
  EXPECT_EQ(DecideEventJoin(User(6), event, cast, {}, open).role(), v1::ROOM_ROLE_MODERATOR);
  EXPECT_EQ(DecideEventJoin(User(1), event, cast, {}, open).role(), v1::ROOM_ROLE_HOST);
  EXPECT_EQ(DecideEventJoin(User(8, "moderator"), event, cast, {}, open).role(),
            v1::ROOM_ROLE_MODERATOR);
}

TEST(TranslationTest, EventJoinSchedule) {
  EventRecord event = Event();
  const std::vector<CastRecord> cast = {{5, "Star", "artist", 1}};
  const int64_t early = event.starts_at - 16 * 60;
  EXPECT_EQ(DecideEventJoin(User(2), event, cast, {}, early).refusal_reason(),
            v1::JOIN_REFUSAL_REASON_NOT_OPEN_YET);
  // The cast rehearses before the doors open.
  EXPECT_TRUE(DecideEventJoin(User(5), event, cast, {}, early).allowed());
  EXPECT_TRUE(DecideEventJoin(User(2), event, cast, {}, event.starts_at - 15 * 60).allowed());
  EXPECT_EQ(DecideEventJoin(User(5), event, cast, {}, event.ends_at).refusal_reason(),
            v1::JOIN_REFUSAL_REASON_ENDED);
  event.publish_state = "cancelled";
  const v1::AuthorizeJoinResponse cancelled = DecideEventJoin(User(2), event, cast, {}, kNow);
  EXPECT_FALSE(cancelled.allowed());
  EXPECT_EQ(cancelled.refusal_reason(), v1::JOIN_REFUSAL_REASON_CANCELLED);
  EXPECT_EQ(cancelled.role(), v1::ROOM_ROLE_UNSPECIFIED);
  EXPECT_FALSE(cancelled.refusal_message().empty());
}

TEST(TranslationTest, EventJoinBansAndAccounts) {
  const EventRecord event = Event();
  const int64_t open = event.starts_at;
  EXPECT_EQ(DecideEventJoin(User(2), event, {}, {{1, "event", 7, ""}}, open).refusal_reason(),
            v1::JOIN_REFUSAL_REASON_BANNED);
  EXPECT_TRUE(DecideEventJoin(User(2), event, {}, {{1, "event", 8, ""}}, open).allowed());
  EXPECT_TRUE(DecideEventJoin(User(2), event, {}, {{1, "world", 7, ""}}, open).allowed());
  EXPECT_EQ(
      DecideEventJoin(User(2), event, {}, {{1, "site", std::nullopt, ""}}, open).refusal_reason(),
      v1::JOIN_REFUSAL_REASON_BANNED);
  EXPECT_EQ(DecideEventJoin(User(2, "user", "suspended"), event, {}, {}, open).refusal_reason(),
            v1::JOIN_REFUSAL_REASON_SUSPENDED);
}

TEST(TranslationTest, WorldJoin) {
  const WorldRecord world = World("private");
  EXPECT_EQ(DecideWorldJoin(User(1), world, false, {}).role(), v1::ROOM_ROLE_OWNER);
  EXPECT_EQ(DecideWorldJoin(User(2), world, false, {}).refusal_reason(),
            v1::JOIN_REFUSAL_REASON_PRIVATE);
  EXPECT_EQ(DecideWorldJoin(User(2), world, true, {}).role(), v1::ROOM_ROLE_PEER);
  EXPECT_EQ(DecideWorldJoin(User(3, "admin"), world, false, {}).role(), v1::ROOM_ROLE_MODERATOR);
  EXPECT_EQ(DecideWorldJoin(User(2), World(), false, {{1, "world", 9, ""}}).refusal_reason(),
            v1::JOIN_REFUSAL_REASON_BANNED);
  EXPECT_TRUE(DecideWorldJoin(User(2), World(), false, {{1, "world", 10, ""}}).allowed());
}

TEST(TranslationTest, SettingsChangesMapToPlatformColumns) {
  v1::UpdateRoomSettingsRequest request;
  request.set_volume(0.5f);
  request.set_bgm_url("");
  const absl::StatusOr<platform::EventAudioChange> event = ToEventChange(request);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->audio_level_pct, 50);
  EXPECT_EQ(event->bgm_track_url, "");
  const platform::WorldSettingsChange world = ToWorldChange(request);
  EXPECT_EQ(world.master_volume_pct, 50);
  EXPECT_FALSE(world.scene_url.has_value());
  request.set_venue_asset_url("https://x.example/new.bundle");
  EXPECT_EQ(ToEventChange(request).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ToWorldChange(request).scene_url, "https://x.example/new.bundle");
}

TEST(TranslationTest, UserIdsRoundTrip) {
  EXPECT_EQ(UserId(42), "42");
  EXPECT_EQ(*ParseUserId("42"), 42);
  EXPECT_FALSE(ParseUserId("").ok());
  EXPECT_FALSE(ParseUserId("0").ok());
  EXPECT_FALSE(ParseUserId("-1").ok());
  EXPECT_FALSE(ParseUserId("4x").ok());
  EXPECT_FALSE(ParseUserId("99999999999999999999").ok());
}

}  // namespace
}  // namespace plaza::adapter::translation
