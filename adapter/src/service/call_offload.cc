// Deadline and cancellation checks around offloaded work.
#include "service/call_offload.h"

#include <chrono>

namespace plaza::adapter::service {
namespace {

bool DeadlinePassed(grpc::CallbackServerContext* context) {
  return std::chrono::system_clock::now() >= context->deadline();
}

}  // namespace

grpc::ServerUnaryReactor* Offload(grpc::CallbackServerContext* context, WorkerPool& pool,
                                  const absl::Status& invalid, std::function<absl::Status()> work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!invalid.ok()) {
    reactor->Finish(ToGrpcStatus(invalid));
    return reactor;
  }
  const bool queued = pool.TrySubmit([context, reactor, work = std::move(work)] {
    // A call nobody waits for any more costs no database work.
    if (context->IsCancelled()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled"));
      return;
    }
    if (DeadlinePassed(context)) {
      reactor->Finish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                   "deadline passed before the work began"));
      return;
    }
    absl::Status status = work();
    if (status.ok() && DeadlinePassed(context)) {
      status = absl::DeadlineExceededError("deadline passed during the work");
    }
    reactor->Finish(ToGrpcStatus(status));
  });
  if (!queued) {
    reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                 "adapter overloaded: work queue full, retry later"));
  }
  return reactor;
}

}  // namespace plaza::adapter::service
