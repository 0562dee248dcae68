// Each use case: a few store reads, one translation call.
#include "service/room_directory.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "translation/room_translation.h"

namespace plaza::adapter::service {
namespace {

absl::Status RoomNotFound(const RoomRef& ref) {
  return absl::NotFoundError(absl::StrCat("room ", ref.ToString(), " does not exist"));
}

#define PLAZA_REQUIRE_SCHEMA()                                                  \
  if (!schema_ready_.load()) {                                                  \
    return absl::UnavailableError("database: not ready (schema not migrated)"); \
  }

}  // namespace

RoomDirectory::RoomDirectory(platform::PlatformStore& store, RoomCache& cache, UnixClock clock)
    : store_(store), cache_(cache), clock_(std::move(clock)) {
  if (!clock_) {
    clock_ = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
}

absl::StatusOr<v1::AuthenticateResponse> RoomDirectory::Authenticate(const std::string& token) {
  PLAZA_REQUIRE_SCHEMA();
  PLAZA_ASSIGN_OR_RETURN(std::optional<platform::SessionRecord> session,
                         store_.FindSessionByToken(token));
  if (!session) return translation::UnknownToken();
  PLAZA_ASSIGN_OR_RETURN(std::optional<platform::UserRecord> user,
                         store_.FindUser(session->user_id));
  if (!user) return translation::UnknownToken();
  PLAZA_ASSIGN_OR_RETURN(std::vector<platform::BanRecord> bans, store_.ActiveBans(user->id));
  return translation::Authenticate(*session, *user, bans, clock_());
}

absl::StatusOr<v1::Room> RoomDirectory::DescribeRoom(const RoomRef& ref, bool fresh) {
  PLAZA_REQUIRE_SCHEMA();
  const std::string room_id = ref.ToString();
  if (!fresh) {
    if (std::optional<v1::Room> cached = cache_.Get(room_id)) return *std::move(cached);
  }
  std::optional<v1::Room> room;
  if (ref.kind == v1::ROOM_KIND_EVENT) {
    PLAZA_ASSIGN_OR_RETURN(std::optional<platform::EventRecord> event, store_.FindEvent(ref.id));
    if (event) {
      PLAZA_ASSIGN_OR_RETURN(std::vector<platform::CastRecord> cast, store_.ListCast(ref.id));
      room = translation::EventToRoom(*event, cast);
    }
  } else {
    PLAZA_ASSIGN_OR_RETURN(std::optional<platform::WorldRecord> world, store_.FindWorld(ref.id));
    if (world) room = translation::WorldToRoom(*world);
  }
  if (!room) {
    cache_.Invalidate(room_id);
    return RoomNotFound(ref);
  }
  cache_.Put(*room);
  return *std::move(room);
}

absl::StatusOr<v1::AuthorizeJoinResponse> RoomDirectory::AuthorizeJoin(int64_t user_id,
                                                                       const RoomRef& ref) {
  PLAZA_REQUIRE_SCHEMA();
  PLAZA_ASSIGN_OR_RETURN(std::optional<platform::UserRecord> user, store_.FindUser(user_id));
  if (!user) return absl::NotFoundError(absl::StrCat("user ", user_id, " does not exist"));
  PLAZA_ASSIGN_OR_RETURN(std::vector<platform::BanRecord> bans, store_.ActiveBans(user_id));
  if (ref.kind == v1::ROOM_KIND_EVENT) {
    PLAZA_ASSIGN_OR_RETURN(std::optional<platform::EventRecord> event, store_.FindEvent(ref.id));
    if (!event || event->publish_state == "draft") return RoomNotFound(ref);
    PLAZA_ASSIGN_OR_RETURN(std::vector<platform::CastRecord> cast, store_.ListCast(ref.id));
    return translation::DecideEventJoin(*user, *event, cast, bans, clock_());
  }
  PLAZA_ASSIGN_OR_RETURN(std::optional<platform::WorldRecord> world, store_.FindWorld(ref.id));
  if (!world || world->archived) return RoomNotFound(ref);
  PLAZA_ASSIGN_OR_RETURN(bool invited, store_.IsInvited(ref.id, user_id));
  return translation::DecideWorldJoin(*user, *world, invited, bans);
}

absl::StatusOr<v1::Room> RoomDirectory::UpdateSettings(
    const RoomRef& ref, const v1::UpdateRoomSettingsRequest& request) {
  PLAZA_REQUIRE_SCHEMA();
  // Only rooms that exist for the room side can be changed (not drafts).
  PLAZA_RETURN_IF_ERROR(DescribeRoom(ref, /*fresh=*/true).status());
  absl::Status stored;
  if (ref.kind == v1::ROOM_KIND_EVENT) {
    PLAZA_ASSIGN_OR_RETURN(platform::EventAudioChange change, translation::ToEventChange(request));
    stored = store_.UpdateEventAudio(ref.id, change, clock_());
  } else {
    stored = store_.UpdateWorldSettings(ref.id, translation::ToWorldChange(request), clock_());
  }
  cache_.Invalidate(ref.ToString());
  if (absl::IsNotFound(stored)) return RoomNotFound(ref);
  PLAZA_RETURN_IF_ERROR(stored);
  return DescribeRoom(ref, /*fresh=*/true);
}

}  // namespace plaza::adapter::service
