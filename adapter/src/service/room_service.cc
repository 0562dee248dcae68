// RoomService's handlers and the WatchRoom stream reactor.
#include "service/room_service.h"

#include <mutex>

#include "common/room_ref.h"
#include "common/status_macros.h"
#include "service/call_offload.h"
#include "service/validation.h"
#include "translation/room_translation.h"

namespace plaza::adapter::service {
namespace {

// One WatchRoom stream. At most one write is in flight; descriptions that
// arrive meanwhile replace each other, so a slow client gets the latest state
// rather than a backlog. Lock order: hub, then this reactor.
class WatchRoomReactor final : public grpc::ServerWriteReactor<v1::RoomUpdate>, public RoomWatcher {
 public:
  explicit WatchRoomReactor(RoomWatchHub& hub) : hub_(hub) {}

  void Begin(const RoomRef& ref) { hub_.Subscribe(ref, this); }

  void OnRoom(const v1::Room& room) override {
    std::lock_guard lock(mu_);
    if (finished_) return;
    *pending_.mutable_room() = room;
    has_pending_ = true;
    if (!writing_) WriteNextLocked();
  }

  void OnEnd(const grpc::Status& status) override {
    std::lock_guard lock(mu_);
    if (finished_) return;
    end_status_ = status;
    ending_ = true;
    if (!writing_) FinishLocked(status);
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (finished_) return;
    if (!ok) {
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "stream broken"));
    } else if (has_pending_) {
      WriteNextLocked();
    } else if (ending_) {
      FinishLocked(end_status_);
    }
  }

  void OnCancel() override {
    std::lock_guard lock(mu_);
    if (!finished_) FinishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    hub_.Unsubscribe(this);
    delete this;
  }

 private:
  void WriteNextLocked() {
    in_flight_ = std::move(pending_);
    pending_.Clear();
    has_pending_ = false;
    in_flight_.set_sequence(++sequence_);
    writing_ = true;
    StartWrite(&in_flight_);
  }

  void FinishLocked(const grpc::Status& status) {
    finished_ = true;
    Finish(status);
  }

  RoomWatchHub& hub_;
  std::mutex mu_;
  v1::RoomUpdate pending_;
  v1::RoomUpdate in_flight_;
  bool has_pending_ = false;
  bool writing_ = false;
  bool ending_ = false;
  bool finished_ = false;
  grpc::Status end_status_;
  int64_t sequence_ = 0;
};

}  // namespace

grpc::ServerUnaryReactor* RoomServiceImpl::DescribeRoom(grpc::CallbackServerContext* context,
                                                        const v1::DescribeRoomRequest* request,
                                                        v1::DescribeRoomResponse* response) {
  return Offload(context, pool_, Validate(*request), [this, request, response]() -> absl::Status {
    PLAZA_ASSIGN_OR_RETURN(RoomRef ref, ParseRoomId(request->room_id()));
    PLAZA_ASSIGN_OR_RETURN(*response->mutable_room(), directory_.DescribeRoom(ref));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* RoomServiceImpl::AuthorizeJoin(grpc::CallbackServerContext* context,
                                                         const v1::AuthorizeJoinRequest* request,
                                                         v1::AuthorizeJoinResponse* response) {
  return Offload(context, pool_, Validate(*request), [this, request, response]() -> absl::Status {
    PLAZA_ASSIGN_OR_RETURN(RoomRef ref, ParseRoomId(request->room_id()));
    PLAZA_ASSIGN_OR_RETURN(int64_t user_id, translation::ParseUserId(request->user_id()));
    PLAZA_ASSIGN_OR_RETURN(*response, directory_.AuthorizeJoin(user_id, ref));
    return absl::OkStatus();
  });
}

grpc::ServerWriteReactor<v1::RoomUpdate>* RoomServiceImpl::WatchRoom(
    grpc::CallbackServerContext* context, const v1::WatchRoomRequest* request) {
  auto* reactor = new WatchRoomReactor(hub_);
  absl::StatusOr<RoomRef> ref = ParseRoomId(request->room_id());
  if (!ref.ok()) {
    reactor->OnEnd(ToGrpcStatus(ref.status()));
  } else {
    reactor->Begin(*ref);
  }
  return reactor;
}

}  // namespace plaza::adapter::service
