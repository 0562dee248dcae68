// IdentityService on gRPC's callback API.
#ifndef PLAZA_ADAPTER_SERVICE_IDENTITY_SERVICE_H_
#define PLAZA_ADAPTER_SERVICE_IDENTITY_SERVICE_H_

#include "plaza/adapter/v1/identity.grpc.pb.h"
#include "service/room_directory.h"
#include "service/worker_pool.h"

namespace plaza::adapter::service {

class IdentityServiceImpl final : public v1::IdentityService::CallbackService {
 public:
  IdentityServiceImpl(RoomDirectory& directory, WorkerPool& pool)
      : directory_(directory), pool_(pool) {}

  grpc::ServerUnaryReactor* Authenticate(grpc::CallbackServerContext* context,
                                         const v1::AuthenticateRequest* request,
                                         v1::AuthenticateResponse* response) override;

 private:
  RoomDirectory& directory_;
  WorkerPool& pool_;
};

}  // namespace plaza::adapter::service

#endif  // PLAZA_ADAPTER_SERVICE_IDENTITY_SERVICE_H_
