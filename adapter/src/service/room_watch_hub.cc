// The hub's poll loop. Database reads happen without the hub's lock; only the
// comparison and the hand-over to watchers hold it.
#include "service/room_watch_hub.h"

#include <vector>

namespace plaza::adapter::service {

RoomWatchHub::RoomWatchHub(RoomDirectory& directory, std::chrono::milliseconds poll_interval)
    : directory_(directory), poll_interval_(poll_interval) {
  thread_ = std::thread([this] { Run(); });
}

RoomWatchHub::~RoomWatchHub() {
  Stop(grpc::Status(grpc::StatusCode::UNAVAILABLE, "adapter stopping"));
}

void RoomWatchHub::Subscribe(const RoomRef& ref, RoomWatcher* watcher) {
  {
    std::lock_guard lock(mu_);
    if (stopped_) {
      watcher->OnEnd(stop_status_);
      return;
    }
    const std::string room_id = ref.ToString();
    Watched& watched = rooms_[room_id];
    watched.ref = ref;
    watched.watchers.insert(watcher);
    watched.fresh.insert(watcher);
    room_of_[watcher] = room_id;
    urgent_.insert(room_id);
  }
  wake_.notify_one();
}

void RoomWatchHub::Unsubscribe(RoomWatcher* watcher) {
  std::lock_guard lock(mu_);
  auto it = room_of_.find(watcher);
  if (it == room_of_.end()) return;
  auto room = rooms_.find(it->second);
  if (room != rooms_.end()) {
    room->second.watchers.erase(watcher);
    room->second.fresh.erase(watcher);
    if (room->second.watchers.empty()) rooms_.erase(room);
  }
  room_of_.erase(it);
}

void RoomWatchHub::NotifyChanged(const RoomRef& ref) {
  {
    std::lock_guard lock(mu_);
    if (rooms_.count(ref.ToString()) == 0) return;
    urgent_.insert(ref.ToString());
  }
  wake_.notify_one();
}

void RoomWatchHub::Stop(const grpc::Status& status) {
  {
    std::lock_guard lock(mu_);
    if (!stopped_) {
      stopped_ = true;
      stop_status_ = status;
      for (auto& [room_id, watched] : rooms_) {
        for (RoomWatcher* watcher : watched.watchers) watcher->OnEnd(status);
      }
      rooms_.clear();
      room_of_.clear();
    }
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

size_t RoomWatchHub::watcher_count() const {
  std::lock_guard lock(mu_);
  return room_of_.size();
}

void RoomWatchHub::Run() {
  auto next_poll = std::chrono::steady_clock::now() + poll_interval_;
  for (;;) {
    std::vector<RoomRef> refs;
    {
      std::unique_lock lock(mu_);
      wake_.wait_until(lock, next_poll, [this] { return stopped_ || !urgent_.empty(); });
      if (stopped_) return;
      const bool poll = std::chrono::steady_clock::now() >= next_poll;
      if (poll) {
        next_poll = std::chrono::steady_clock::now() + poll_interval_;
        for (const auto& [room_id, watched] : rooms_) refs.push_back(watched.ref);
      } else {
        for (const std::string& room_id : urgent_) {
          auto it = rooms_.find(room_id);
          if (it != rooms_.end()) refs.push_back(it->second.ref);
        }
      }
      urgent_.clear();
    }
    for (const RoomRef& ref : refs) Refresh(ref);
  }
}

void RoomWatchHub::Refresh(const RoomRef& ref) {
  absl::StatusOr<v1::Room> room = directory_.DescribeRoom(ref, /*fresh=*/true);
  const std::string room_id = ref.ToString();
  std::lock_guard lock(mu_);
  auto it = rooms_.find(room_id);
  if (it == rooms_.end() || stopped_) return;
  Watched& watched = it->second;
  if (absl::IsNotFound(room.status())) {
    const grpc::Status gone(grpc::StatusCode::NOT_FOUND, std::string(room.status().message()));
    for (RoomWatcher* watcher : watched.watchers) {
      watcher->OnEnd(gone);
      room_of_.erase(watcher);
    }
    rooms_.erase(it);
    return;
  }
  // A database hiccup: keep the streams, try again at the next poll.
  if (!room.ok()) return;
  const std::string serialized = room->SerializeAsString();
  if (serialized != watched.last_sent) {
    watched.last_sent = serialized;
    for (RoomWatcher* watcher : watched.watchers) watcher->OnRoom(*room);
  } else {
    for (RoomWatcher* watcher : watched.fresh) watcher->OnRoom(*room);
  }
  watched.fresh.clear();
}

}  // namespace plaza::adapter::service
