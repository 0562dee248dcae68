// One Call object per unary call and one Watch (a gRPC read reactor) per
// followed room; the source keeps both sets so that shutting down can
// cancel them and wait. A thread restarts the streams that ended, with
// backoff. See adapter_room_source.h.
#include "adapter_room_source.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "adapter_channel.h"

namespace plaza::rooms {

namespace v1 = plaza::adapter::v1;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint8_t kNotAuthorized = 0x87;
constexpr uint8_t kServerUnavailable = 0x88;
constexpr uint8_t kBanned = 0x8A;
constexpr uint8_t kTopicNameInvalid = 0x90;

constexpr std::chrono::milliseconds kFirstRetry(200);
constexpr std::chrono::milliseconds kLongestRetry(5000);

std::string Unavailable(const grpc::Status& status) {
  return "room service unavailable, try again later (" +
         (status.error_message().empty() ? "gRPC status " + std::to_string(status.error_code())
                                         : status.error_message()) +
         ")";
}

}  // namespace

struct AdapterRoomSource::Call {
  virtual ~Call() = default;
  grpc::ClientContext context;
};

class AdapterRoomSource::Watch final : public grpc::ClientReadReactor<v1::RoomUpdate> {
 public:
  Watch(AdapterRoomSource* owner, std::string room_id)
      : owner_(owner), room_id_(std::move(room_id)) {
    request_.set_room_id(room_id_);
  }
  const std::string& room_id() const { return room_id_; }
  void Cancel() { context_.TryCancel(); }

  void Start() {
    owner_->stub_->async()->WatchRoom(&context_, &request_, this);
    StartRead(&update_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;  // OnDone follows
    owner_->Updated(this, update_);
    StartRead(&update_);
  }
  void OnDone(const grpc::Status& status) override {
    AdapterRoomSource* owner = owner_;
    owner->WatchEnded(this, status);
    // Deleted before the owner can see it gone: then the plugin (and this
    // code) may be unloaded.
    delete this;
    owner->Released();
  }

 private:
  AdapterRoomSource* const owner_;
  const std::string room_id_;
  grpc::ClientContext context_;
  v1::WatchRoomRequest request_;
  v1::RoomUpdate update_;
};

AdapterRoomSource::AdapterRoomSource(const std::string& target, std::chrono::milliseconds deadline)
    : deadline_(deadline) {
  // Its WatchRoom streams must notice a dead adapter between calls too.
  channel_ = plugins::MakeAdapterChannel(target, /*ping_when_idle=*/true);
  stub_ = v1::RoomService::NewStub(channel_);
  retry_thread_ = std::thread([this] { RetryLoop(); });
}

AdapterRoomSource::~AdapterRoomSource() {
  std::unique_lock lock(mutex_);
  stopping_ = true;
  follows_.clear();
  changed_.notify_all();
  // Copies: a callback run inline by a cancel changes the sets.
  for (Call* call : std::vector<Call*>(calls_.begin(), calls_.end())) call->context.TryCancel();
  for (Watch* watch : std::vector<Watch*>(watches_.begin(), watches_.end())) watch->Cancel();
  changed_.wait(lock, [this] { return calls_.empty() && watches_.empty() && ending_ == 0; });
  lock.unlock();
  retry_thread_.join();
}

void AdapterRoomSource::Track(Call* call) {
  std::lock_guard lock(mutex_);
  calls_.insert(call);
}

void AdapterRoomSource::Finish(Call* call) {
  // Deleted before the destructor can see it gone: once it has, the plugin
  // (and this code) may be unloaded.
  delete call;
  std::lock_guard lock(mutex_);
  calls_.erase(call);
  changed_.notify_all();
}

void AdapterRoomSource::Lookup(std::string_view room_id, Found found) {
  struct Describe final : Call {
    v1::DescribeRoomRequest request;
    v1::DescribeRoomResponse response;
    Found found;
  };
  auto* call = new Describe;
  call->request.set_room_id(std::string(room_id));
  call->found = std::move(found);
  call->context.set_deadline(std::chrono::system_clock::now() + deadline_);
  Track(call);
  stub_->async()->DescribeRoom(
      &call->context, &call->request, &call->response, [this, call](grpc::Status status) {
        const std::string& id = call->request.room_id();
        if (status.ok()) {
          RoomConfig room = Translate(call->response.room());
          room.id = id;  // the topic's id, whatever the adapter echoes
          call->found(std::move(room));
        } else if (status.error_code() == grpc::StatusCode::NOT_FOUND ||
                   status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
          call->found(Refusal{kTopicNameInvalid, "no such room '" + id + "'"});
        } else {
          call->found(Refusal{kServerUnavailable, Unavailable(status)});
        }
        Finish(call);
      });
}

void AdapterRoomSource::AuthorizeJoin(const std::string& user_id, const std::string& room_id,
                                      Admitted done) {
  struct Authorize final : Call {
    v1::AuthorizeJoinRequest request;
    v1::AuthorizeJoinResponse response;
    Admitted done;
  };
  auto* call = new Authorize;
  call->request.set_user_id(user_id);
  call->request.set_room_id(room_id);
  call->done = std::move(done);
  call->context.set_deadline(std::chrono::system_clock::now() + deadline_);
  Track(call);
  stub_->async()->AuthorizeJoin(
      &call->context, &call->request, &call->response, [this, call](grpc::Status status) {
        Admission admission;
        if (status.ok()) {
          admission = Translate(call->response);
        } else if (status.error_code() == grpc::StatusCode::NOT_FOUND ||
                   status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
          admission.refusal = Refusal{kNotAuthorized, "user '" + call->request.user_id() +
                                                          "' is not known to the platform (" +
                                                          status.error_message() + ")"};
        } else {
          admission.refusal = Refusal{kServerUnavailable, Unavailable(status)};
        }
        call->done(std::move(admission));
        Finish(call);
      });
}

void AdapterRoomSource::SetChangeListener(Changed changed) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(changed);
}

void AdapterRoomSource::Follow(const std::string& room_id) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || !follows_.emplace(room_id, Followed{}).second) return;
  }
  StartWatch(room_id);
}

void AdapterRoomSource::StartWatch(const std::string& room_id) {
  auto* watch = new Watch(this, room_id);
  {
    std::lock_guard lock(mutex_);
    const auto it = follows_.find(room_id);
    if (stopping_ || it == follows_.end() || it->second.watch != nullptr) {
      delete watch;
      return;
    }
    it->second.watch = watch;
    watches_.insert(watch);
  }
  watch->Start();
}

void AdapterRoomSource::Unfollow(const std::string& room_id) {
  std::lock_guard lock(mutex_);
  const auto it = follows_.find(room_id);
  if (it == follows_.end()) return;
  Watch* watch = it->second.watch;
  follows_.erase(it);
  // Its OnDone finds the room no longer followed and starts nothing.
  if (watch) watch->Cancel();
}

bool AdapterRoomSource::Stale(std::string_view room_id) const {
  std::lock_guard lock(mutex_);
  const auto it = follows_.find(room_id);
  return it == follows_.end() || !it->second.current;
}

void AdapterRoomSource::Updated(Watch* watch, const v1::RoomUpdate& update) {
  Changed listener;
  {
    std::lock_guard lock(mutex_);
    const auto it = follows_.find(watch->room_id());
    if (it == follows_.end() || it->second.watch != watch) return;
    it->second.current = true;
    it->second.failures = 0;
    listener = listener_;
  }
  if (!listener) return;
  RoomConfig room = Translate(update.room());
  room.id = watch->room_id();
  listener(std::move(room));
}

void AdapterRoomSource::Released() {
  std::lock_guard lock(mutex_);
  --ending_;
  changed_.notify_all();
}

void AdapterRoomSource::WatchEnded(Watch* watch, const grpc::Status& status) {
  std::lock_guard lock(mutex_);
  watches_.erase(watch);
  ++ending_;
  const auto it = follows_.find(watch->room_id());
  if (it != follows_.end() && it->second.watch == watch) {
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
      // The room is gone: the next join looks it up (and is refused).
      follows_.erase(it);
    } else {
      Followed& followed = it->second;
      followed.watch = nullptr;
      followed.current = false;
      const auto backoff = std::min<std::chrono::milliseconds>(
          kFirstRetry * (1 << std::min(followed.failures, 5)), kLongestRetry);
      ++followed.failures;
      followed.retry_at = Clock::now() + backoff;
    }
  }
  changed_.notify_all();
}

void AdapterRoomSource::RetryLoop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    std::vector<std::string> due;
    auto next = Clock::time_point::max();
    const auto now = Clock::now();
    for (const auto& [room_id, followed] : follows_) {
      if (followed.watch != nullptr) continue;
      if (followed.retry_at <= now) {
        due.push_back(room_id);
      } else {
        next = std::min(next, followed.retry_at);
      }
    }
    if (!due.empty()) {
      lock.unlock();
      for (const std::string& room_id : due) StartWatch(room_id);
      lock.lock();
      continue;
    }
    if (next == Clock::time_point::max()) {
      changed_.wait(lock);
    } else {
      changed_.wait_until(lock, next);
    }
  }
}

std::optional<Role> AdapterRoomSource::RoleOf(v1::RoomRole role) {
  switch (role) {
    case v1::ROOM_ROLE_AUDIENCE:
      return Role::kAudience;
    case v1::ROOM_ROLE_PERFORMER:
      return Role::kPerformer;
    case v1::ROOM_ROLE_HOST:
      return Role::kHost;
    case v1::ROOM_ROLE_MODERATOR:
      return Role::kModerator;
    case v1::ROOM_ROLE_PEER:
      return Role::kPeer;
    case v1::ROOM_ROLE_OWNER:
      return Role::kOwner;
    default:
      return std::nullopt;  // unspecified or newer than this plugin
  }
}

RoomConfig AdapterRoomSource::Translate(const v1::Room& room) {
  RoomConfig config;
  config.id = room.room_id();
  config.kind = room.kind() == v1::ROOM_KIND_EVENT ? RoomKind::kEvent : RoomKind::kWorld;
  config.capacity = static_cast<uint32_t>(std::max(room.capacity(), 0));
  config.settings.volume = std::clamp(room.settings().volume(), 0.0f, 1.0f);
  config.settings.bgm_url = room.settings().bgm_url();
  config.settings.venue_asset_url = room.settings().venue_asset_url();
  for (const v1::Performer& performer : room.performers()) {
    if (std::optional<Role> role = RoleOf(performer.role())) {
      config.cast[performer.user_id()] = *role;
    }
  }
  return config;
}

Admission AdapterRoomSource::Translate(const v1::AuthorizeJoinResponse& response) {
  Admission admission;
  if (response.allowed()) {
    admission.role = RoleOf(response.role());
    return admission;
  }
  Refusal refusal;
  refusal.reason_code =
      response.refusal_reason() == v1::JOIN_REFUSAL_REASON_BANNED ? kBanned : kNotAuthorized;
  refusal.reason = response.refusal_message().empty() ? "join refused" : response.refusal_message();
  admission.refusal = std::move(refusal);
  return admission;
}

}  // namespace plaza::rooms
