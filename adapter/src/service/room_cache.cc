// The cache's expiry and bounded size.
#include "service/room_cache.h"

namespace plaza::adapter::service {

RoomCache::RoomCache(std::chrono::milliseconds ttl, size_t max_entries)
    : ttl_(ttl), max_entries_(max_entries) {}

std::optional<v1::Room> RoomCache::Get(const std::string& room_id, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(room_id);
  if (it == entries_.end() || it->second.expires <= now) {
    if (it != entries_.end()) entries_.erase(it);
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  return it->second.room;
}

void RoomCache::Put(const v1::Room& room, Clock::time_point now) {
  if (ttl_.count() <= 0 || max_entries_ == 0) return;
  std::lock_guard lock(mu_);
  if (entries_.size() >= max_entries_) {
    std::erase_if(entries_, [&](const auto& entry) { return entry.second.expires <= now; });
    // Still full of live entries: start over rather than track recency.
    if (entries_.size() >= max_entries_) entries_.clear();
  }
  entries_[room.room_id()] = Entry{room, now + ttl_};
}

void RoomCache::Invalidate(const std::string& room_id) {
  std::lock_guard lock(mu_);
  entries_.erase(room_id);
}

uint64_t RoomCache::hits() const {
  std::lock_guard lock(mu_);
  return hits_;
}

uint64_t RoomCache::misses() const {
  std::lock_guard lock(mu_);
  return misses_;
}

}  // namespace plaza::adapter::service
