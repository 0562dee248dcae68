// PlatformService on gRPC's callback API: store a change, then push it into
// the live room through the broker, and wake WatchRoom streams.
#ifndef PLAZA_ADAPTER_SERVICE_PLATFORM_SERVICE_H_
#define PLAZA_ADAPTER_SERVICE_PLATFORM_SERVICE_H_

#include "plaza/adapter/v1/platform.grpc.pb.h"
#include "push/room_push.h"
#include "service/room_directory.h"
#include "service/room_watch_hub.h"
#include "service/worker_pool.h"

namespace plaza::adapter::service {

class PlatformServiceImpl final : public v1::PlatformService::CallbackService {
 public:
  PlatformServiceImpl(RoomDirectory& directory, WorkerPool& pool, RoomWatchHub& hub,
                      push::RoomPush& push)
      : directory_(directory), pool_(pool), hub_(hub), push_(push) {}

  grpc::ServerUnaryReactor* UpdateRoomSettings(grpc::CallbackServerContext* context,
                                               const v1::UpdateRoomSettingsRequest* request,
                                               v1::UpdateRoomSettingsResponse* response) override;
  grpc::ServerUnaryReactor* AnnounceToRoom(grpc::CallbackServerContext* context,
                                           const v1::AnnounceToRoomRequest* request,
                                           v1::AnnounceToRoomResponse* response) override;

 private:
  RoomDirectory& directory_;
  WorkerPool& pool_;
  RoomWatchHub& hub_;
  push::RoomPush& push_;
};

}  // namespace plaza::adapter::service

#endif  // PLAZA_ADAPTER_SERVICE_PLATFORM_SERVICE_H_
