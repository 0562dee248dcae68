// RoomService on gRPC's callback API: two unary calls offloaded to the
// worker pool and WatchRoom, a server stream fed by the RoomWatchHub.
#ifndef PLAZA_ADAPTER_SERVICE_ROOM_SERVICE_H_
#define PLAZA_ADAPTER_SERVICE_ROOM_SERVICE_H_

#include "plaza/adapter/v1/rooms.grpc.pb.h"
#include "service/room_directory.h"
#include "service/room_watch_hub.h"
#include "service/worker_pool.h"

namespace plaza::adapter::service {

class RoomServiceImpl final : public v1::RoomService::CallbackService {
 public:
  RoomServiceImpl(RoomDirectory& directory, WorkerPool& pool, RoomWatchHub& hub)
      : directory_(directory), pool_(pool), hub_(hub) {}

  grpc::ServerUnaryReactor* DescribeRoom(grpc::CallbackServerContext* context,
                                         const v1::DescribeRoomRequest* request,
                                         v1::DescribeRoomResponse* response) override;
  grpc::ServerUnaryReactor* AuthorizeJoin(grpc::CallbackServerContext* context,
                                          const v1::AuthorizeJoinRequest* request,
                                          v1::AuthorizeJoinResponse* response) override;
  grpc::ServerWriteReactor<v1::RoomUpdate>* WatchRoom(grpc::CallbackServerContext* context,
                                                      const v1::WatchRoomRequest* request) override;

 private:
  RoomDirectory& directory_;
  WorkerPool& pool_;
  RoomWatchHub& hub_;
};

}  // namespace plaza::adapter::service

#endif  // PLAZA_ADAPTER_SERVICE_ROOM_SERVICE_H_
