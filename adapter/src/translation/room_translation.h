// THE translation between the platform model and the room model, in one
// place: platform records in, room messages and decisions out. Pure
// functions of their arguments (the time is passed in), so every rule is
// unit-tested without a database.
#ifndef PLAZA_ADAPTER_TRANSLATION_ROOM_TRANSLATION_H_
#define PLAZA_ADAPTER_TRANSLATION_ROOM_TRANSLATION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "platform/platform_records.h"
#include "plaza/adapter/v1/identity.pb.h"
#include "plaza/adapter/v1/platform.pb.h"
#include "plaza/adapter/v1/room.pb.h"
#include "plaza/adapter/v1/rooms.pb.h"

namespace plaza::adapter::translation {

// Room ids the room side uses for the platform's rows.
std::string EventRoomId(int64_t event_id);
std::string WorldRoomId(int64_t world_id);
std::string UserId(int64_t platform_user_id);
// The platform user id behind a room-side user id; INVALID_ARGUMENT if it
// is not one the adapter hands out.
absl::StatusOr<int64_t> ParseUserId(std::string_view user_id);

// Percent 0..100 (platform) <-> volume 0.0..1.0 (room). Out-of-range
// platform values are clamped: the room never sees an impossible volume.
float PercentToVolume(int64_t percent);
int64_t VolumeToPercent(float volume);

// staff_level -> platform roles (always including MEMBER).
std::vector<v1::PlatformRole> PlatformRolesFor(const platform::UserRecord& user);

// A session and its user -> the authenticated user, or why not. `bans` are
// the user's bans in force.
v1::AuthenticateResponse Authenticate(const platform::SessionRecord& session,
                                      const platform::UserRecord& user,
                                      const std::vector<platform::BanRecord>& bans, int64_t now);
v1::AuthenticateResponse UnknownToken();

// A room exists for a published or cancelled event (not a draft) and an
// unarchived world; std::nullopt otherwise.
std::optional<v1::Room> EventToRoom(const platform::EventRecord& event,
                                    const std::vector<platform::CastRecord>& cast);
std::optional<v1::Room> WorldToRoom(const platform::WorldRecord& world);

// Who may join an event, and as what: bans first, then the account, then the
// event's state and schedule (staff and cast may enter before the doors
// open), then the role (cast type, organizer, platform staff, audience).
v1::AuthorizeJoinResponse DecideEventJoin(const platform::UserRecord& user,
                                          const platform::EventRecord& event,
                                          const std::vector<platform::CastRecord>& cast,
                                          const std::vector<platform::BanRecord>& bans,
                                          int64_t now);
// Who may join a world: bans, account, privacy (owner and invitees only),
// then owner / staff moderator / peer.
v1::AuthorizeJoinResponse DecideWorldJoin(const platform::UserRecord& user,
                                          const platform::WorldRecord& world, bool invited,
                                          const std::vector<platform::BanRecord>& bans);

// A validated settings request -> the platform columns to change.
// FAILED_PRECONDITION for an event's venue asset (it belongs to the venue).
absl::StatusOr<platform::EventAudioChange> ToEventChange(
    const v1::UpdateRoomSettingsRequest& request);
platform::WorldSettingsChange ToWorldChange(const v1::UpdateRoomSettingsRequest& request);

}  // namespace plaza::adapter::translation

#endif  // PLAZA_ADAPTER_TRANSLATION_ROOM_TRANSLATION_H_
