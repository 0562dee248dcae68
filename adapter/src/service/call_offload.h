// The bridge between gRPC's callback threads and the worker pool: a unary
// handler validates its input, then hands the blocking part here. The work
// runs on a worker only if the call is still wanted (not cancelled, deadline
// not passed), and an absl::Status result becomes the call's gRPC status.
#ifndef PLAZA_ADAPTER_SERVICE_CALL_OFFLOAD_H_
#define PLAZA_ADAPTER_SERVICE_CALL_OFFLOAD_H_

#include <grpcpp/grpcpp.h>

#include <functional>

#include "absl/status/status.h"
#include "service/worker_pool.h"

namespace plaza::adapter::service {

// absl and gRPC share their code numbers.
inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

// Finishes at once with `invalid` when it is not OK; otherwise queues `work`.
// `work` fills the response and returns the call's status.
grpc::ServerUnaryReactor* Offload(grpc::CallbackServerContext* context, WorkerPool& pool,
                                  const absl::Status& invalid, std::function<absl::Status()> work);

}  // namespace plaza::adapter::service

#endif  // PLAZA_ADAPTER_SERVICE_CALL_OFFLOAD_H_
