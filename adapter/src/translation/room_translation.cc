// The platform -> room rules. Each function reads like the rule it encodes;
// when the platform's vocabulary changes, this is the file that changes.
#include "translation/room_translation.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace plaza::adapter::translation {
namespace {

constexpr int64_t kSecondsPerMinute = 60;

bool IsStaff(const platform::UserRecord& user) {
  return user.staff_level == "moderator" || user.staff_level == "admin";
}

v1::AuthorizeJoinResponse Refuse(v1::JoinRefusalReason reason, std::string message) {
  v1::AuthorizeJoinResponse response;
  response.set_allowed(false);
  response.set_refusal_reason(reason);
  response.set_refusal_message(std::move(message));
  return response;
}

v1::AuthorizeJoinResponse Allow(v1::RoomRole role) {
  v1::AuthorizeJoinResponse response;
  response.set_allowed(true);
  response.set_role(role);
  return response;
}

// A site ban, or a ban on this very room.
const platform::BanRecord* FindBan(const std::vector<platform::BanRecord>& bans,
                                   std::string_view scope, int64_t id) {
  for (const platform::BanRecord& ban : bans) {
    if (ban.scope == "site") return &ban;
    if (ban.scope == scope && ban.scope_ref_id == id) return &ban;
  }
  return nullptr;
}

std::optional<v1::AuthorizeJoinResponse> RefuseAccount(const platform::UserRecord& user) {
  if (user.account_state == "active") return std::nullopt;
  return Refuse(v1::JOIN_REFUSAL_REASON_SUSPENDED, "your account is not active");
}

v1::RoomRole CastRole(const std::string& cast_type) {
  if (cast_type == "mc") return v1::ROOM_ROLE_HOST;
  if (cast_type == "staff") return v1::ROOM_ROLE_MODERATOR;
  return v1::ROOM_ROLE_PERFORMER;  // "artist" and any type added later
}

}  // namespace

std::string EventRoomId(int64_t event_id) { return absl::StrCat("event:", event_id); }
std::string WorldRoomId(int64_t world_id) { return absl::StrCat("world:", world_id); }
std::string UserId(int64_t platform_user_id) { return absl::StrCat(platform_user_id); }

absl::StatusOr<int64_t> ParseUserId(std::string_view user_id) {
  int64_t id = 0;
  const bool digits = !user_id.empty() && user_id.size() <= 18 &&
                      std::all_of(user_id.begin(), user_id.end(), [](char c) {
                        return absl::ascii_isdigit(static_cast<unsigned char>(c));
                      });
  if (!digits || !absl::SimpleAtoi(AsAbsl(user_id), &id) || id <= 0) {
    return absl::InvalidArgumentError(
        "user_id must be a user id returned by IdentityService.Authenticate (a positive number)");
  }
  return id;
}

float PercentToVolume(int64_t percent) {
  return static_cast<float>(std::clamp<int64_t>(percent, 0, 100)) / 100.0f;
}

int64_t VolumeToPercent(float volume) {
  return std::clamp<int64_t>(std::lround(volume * 100.0f), 0, 100);
}

std::vector<v1::PlatformRole> PlatformRolesFor(const platform::UserRecord& user) {
  std::vector<v1::PlatformRole> roles = {v1::PLATFORM_ROLE_MEMBER};
  if (user.staff_level == "creator") roles.push_back(v1::PLATFORM_ROLE_CREATOR);
  if (user.staff_level == "moderator") roles.push_back(v1::PLATFORM_ROLE_MODERATOR);
  if (user.staff_level == "admin") {
    roles.push_back(v1::PLATFORM_ROLE_MODERATOR);
    roles.push_back(v1::PLATFORM_ROLE_ADMIN);
  }
  return roles;
}

v1::AuthenticateResponse UnknownToken() {
  v1::AuthenticateResponse response;
  response.mutable_refusal()->set_reason(v1::AUTH_REFUSAL_REASON_UNKNOWN_TOKEN);
  response.mutable_refusal()->set_message("unknown token: sign in again");
  return response;
}

v1::AuthenticateResponse Authenticate(const platform::SessionRecord& session,
                                      const platform::UserRecord& user,
                                      const std::vector<platform::BanRecord>& bans, int64_t now) {
  v1::AuthenticateResponse response;
  const auto refuse = [&](v1::AuthRefusalReason reason, std::string message) {
    response.mutable_refusal()->set_reason(reason);
    response.mutable_refusal()->set_message(std::move(message));
    return response;
  };
  if (session.revoked_at.has_value()) {
    return refuse(v1::AUTH_REFUSAL_REASON_REVOKED, "this session was signed out: sign in again");
  }
  if (session.expires_at <= now) {
    return refuse(v1::AUTH_REFUSAL_REASON_EXPIRED, "this session has expired: sign in again");
  }
  if (user.account_state != "active") {
    return refuse(v1::AUTH_REFUSAL_REASON_SUSPENDED, "this account is not active");
  }
  for (const platform::BanRecord& ban : bans) {
    if (ban.scope == "site") {
      return refuse(v1::AUTH_REFUSAL_REASON_BANNED, "this account is banned from the platform");
    }
  }
  v1::AuthenticatedUser* out = response.mutable_user();
  out->set_user_id(UserId(user.id));
  out->set_display_name(user.display_name);
  out->set_avatar_url(user.avatar_model_url);
  for (v1::PlatformRole role : PlatformRolesFor(user)) out->add_platform_roles(role);
  out->set_session_expires_at_unix(session.expires_at);
  return response;
}

std::optional<v1::Room> EventToRoom(const platform::EventRecord& event,
                                    const std::vector<platform::CastRecord>& cast) {
  if (event.publish_state != "published" && event.publish_state != "cancelled") {
    return std::nullopt;
  }
  v1::Room room;
  room.set_room_id(EventRoomId(event.id));
  room.set_kind(v1::ROOM_KIND_EVENT);
  room.set_title(event.title);
  // A ticket limit never exceeds what the venue holds.
  int64_t capacity = event.venue.max_occupancy;
  if (event.ticket_limit.has_value()) capacity = std::min(capacity, *event.ticket_limit);
  room.set_capacity(static_cast<int32_t>(std::clamp<int64_t>(capacity, 0, INT32_MAX)));
  v1::RoomSettings* settings = room.mutable_settings();
  settings->set_volume(PercentToVolume(event.audio_level_pct));
  settings->set_bgm_url(event.bgm_track_url);
  settings->set_venue_asset_url(event.venue.asset_bundle_url);
  for (const platform::CastRecord& member : cast) {
    v1::Performer* performer = room.add_performers();
    performer->set_user_id(UserId(member.user_id));
    performer->set_display_name(member.display_name);
    performer->set_role(CastRole(member.cast_type));
    performer->set_billing_order(static_cast<int32_t>(member.billing_order));
  }
  room.set_opens_at_unix(event.starts_at - event.doors_open_minutes * kSecondsPerMinute);
  room.set_closes_at_unix(event.ends_at);
  return room;
}

std::optional<v1::Room> WorldToRoom(const platform::WorldRecord& world) {
  if (world.archived) return std::nullopt;
  v1::Room room;
  room.set_room_id(WorldRoomId(world.id));
  room.set_kind(v1::ROOM_KIND_WORLD);
  room.set_title(world.name);
  room.set_capacity(static_cast<int32_t>(std::clamp<int64_t>(world.max_players, 0, INT32_MAX)));
  v1::RoomSettings* settings = room.mutable_settings();
  settings->set_volume(PercentToVolume(world.master_volume_pct));
  settings->set_bgm_url(world.ambient_track_url);
  settings->set_venue_asset_url(world.scene_url);
  return room;
}

v1::AuthorizeJoinResponse DecideEventJoin(const platform::UserRecord& user,
                                          const platform::EventRecord& event,
                                          const std::vector<platform::CastRecord>& cast,
                                          const std::vector<platform::BanRecord>& bans,
                                          int64_t now) {
  if (const platform::BanRecord* ban = FindBan(bans, "event", event.id)) {
    return Refuse(v1::JOIN_REFUSAL_REASON_BANNED, ban->scope == "site"
                                                      ? "you are banned from the platform"
                                                      : "you are banned from this event");
  }
  if (auto refusal = RefuseAccount(user)) return *refusal;
  if (event.publish_state == "cancelled") {
    return Refuse(v1::JOIN_REFUSAL_REASON_CANCELLED, "this event was cancelled");
  }
  const auto in_cast = std::find_if(cast.begin(), cast.end(), [&](const platform::CastRecord& c) {
    return c.user_id == user.id;
  });
  const bool crew = in_cast != cast.end() || user.id == event.organizer_id || IsStaff(user);
  if (now >= event.ends_at) return Refuse(v1::JOIN_REFUSAL_REASON_ENDED, "this event is over");
  const int64_t doors_open = event.starts_at - event.doors_open_minutes * kSecondsPerMinute;
  if (now < doors_open && !crew) {
    return Refuse(v1::JOIN_REFUSAL_REASON_NOT_OPEN_YET,
                  absl::StrCat("doors open at ", doors_open, " (Unix time)"));
  }
  if (in_cast != cast.end()) return Allow(CastRole(in_cast->cast_type));
  if (user.id == event.organizer_id) return Allow(v1::ROOM_ROLE_HOST);
  if (IsStaff(user)) return Allow(v1::ROOM_ROLE_MODERATOR);
  return Allow(v1::ROOM_ROLE_AUDIENCE);
}

v1::AuthorizeJoinResponse DecideWorldJoin(const platform::UserRecord& user,
                                          const platform::WorldRecord& world, bool invited,
                                          const std::vector<platform::BanRecord>& bans) {
  const bool owner = user.id == world.owner_id;
  if (const platform::BanRecord* ban = FindBan(bans, "world", world.id); ban != nullptr && !owner) {
    return Refuse(v1::JOIN_REFUSAL_REASON_BANNED, ban->scope == "site"
                                                      ? "you are banned from the platform"
                                                      : "you are banned from this world");
  }
  if (auto refusal = RefuseAccount(user)) return *refusal;
  if (owner) return Allow(v1::ROOM_ROLE_OWNER);
  if (world.visibility == "private" && !invited && !IsStaff(user)) {
    return Refuse(v1::JOIN_REFUSAL_REASON_PRIVATE,
                  "this world is private: ask its owner for an invite");
  }
  if (IsStaff(user)) return Allow(v1::ROOM_ROLE_MODERATOR);
  return Allow(v1::ROOM_ROLE_PEER);
}

absl::StatusOr<platform::EventAudioChange> ToEventChange(
    const v1::UpdateRoomSettingsRequest& request) {
  if (request.has_venue_asset_url()) {
    return absl::FailedPreconditionError(
        "an event's venue_asset_url comes from its venue and cannot be changed per event");
  }
  platform::EventAudioChange change;
  if (request.has_volume()) change.audio_level_pct = VolumeToPercent(request.volume());
  if (request.has_bgm_url()) change.bgm_track_url = request.bgm_url();
  return change;
}

platform::WorldSettingsChange ToWorldChange(const v1::UpdateRoomSettingsRequest& request) {
  platform::WorldSettingsChange change;
  if (request.has_volume()) change.master_volume_pct = VolumeToPercent(request.volume());
  if (request.has_bgm_url()) change.ambient_track_url = request.bgm_url();
  if (request.has_venue_asset_url()) change.scene_url = request.venue_asset_url();
  return change;
}

}  // namespace plaza::adapter::translation
