// The platform's pushes. The database is the source of truth: a change is
// stored first, and the push reports (never undoes) a broker that is down.
#include "service/platform_service.h"

#include "common/room_ref.h"
#include "common/status_macros.h"
#include "service/call_offload.h"
#include "service/validation.h"

namespace plaza::adapter::service {

grpc::ServerUnaryReactor* PlatformServiceImpl::UpdateRoomSettings(
    grpc::CallbackServerContext* context, const v1::UpdateRoomSettingsRequest* request,
    v1::UpdateRoomSettingsResponse* response) {
  return Offload(context, pool_, Validate(*request), [this, request, response]() -> absl::Status {
    PLAZA_ASSIGN_OR_RETURN(RoomRef ref, ParseRoomId(request->room_id()));
    PLAZA_ASSIGN_OR_RETURN(v1::Room room, directory_.UpdateSettings(ref, *request));
    *response->mutable_settings() = room.settings();
    response->set_live_push(push_.PushSettings(room.room_id(), room.settings()));
    hub_.NotifyChanged(ref);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* PlatformServiceImpl::AnnounceToRoom(
    grpc::CallbackServerContext* context, const v1::AnnounceToRoomRequest* request,
    v1::AnnounceToRoomResponse* response) {
  return Offload(context, pool_, Validate(*request), [this, request, response]() -> absl::Status {
    PLAZA_ASSIGN_OR_RETURN(RoomRef ref, ParseRoomId(request->room_id()));
    // Announcing into a room that does not exist is the caller's mistake.
    PLAZA_RETURN_IF_ERROR(directory_.DescribeRoom(ref).status());
    std::string id;
    response->set_live_push(push_.PushAnnouncement(*request, &id));
    response->set_announcement_id(id);
    return absl::OkStatus();
  });
}

}  // namespace plaza::adapter::service
