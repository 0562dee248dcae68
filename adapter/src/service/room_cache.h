// A short-TTL cache of room descriptions. DescribeRoom and AuthorizeJoin are
// called on every join; the platform's rows change rarely. The adapter
// invalidates an entry itself when it changes that room; changes made by the
// web API show after at most the TTL.
#ifndef PLAZA_ADAPTER_SERVICE_ROOM_CACHE_H_
#define PLAZA_ADAPTER_SERVICE_ROOM_CACHE_H_

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "plaza/adapter/v1/room.pb.h"

namespace plaza::adapter::service {

class RoomCache {
 public:
  using Clock = std::chrono::steady_clock;

  // A TTL of zero turns the cache off. At most `max_entries` rooms are kept.
  RoomCache(std::chrono::milliseconds ttl, size_t max_entries);

  std::optional<v1::Room> Get(const std::string& room_id, Clock::time_point now = Clock::now());
  void Put(const v1::Room& room, Clock::time_point now = Clock::now());
  void Invalidate(const std::string& room_id);

  uint64_t hits() const;
  uint64_t misses() const;

 private:
  struct Entry {
    v1::Room room;
    Clock::time_point expires;
  };

  const std::chrono::milliseconds ttl_;
  const size_t max_entries_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace plaza::adapter::service

#endif  // PLAZA_ADAPTER_SERVICE_ROOM_CACHE_H_
