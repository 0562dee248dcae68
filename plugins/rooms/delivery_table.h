// What the delivery hook knows of every room: its kind and, by client id,
// each member's seat (audience neighbourhood, stage or not). The hook runs
// for every delivery on every worker at once, so readers take no lock and
// write no shared memory: writers publish an immutable DeliveryWorld and
// bump a generation counter; each thread keeps its own reference to the
// world and swaps it only when the generation moved. A change copies the
// room map and the one bucket of seats it touches, never a whole room.
#ifndef PLAZA_PLUGINS_ROOMS_DELIVERY_TABLE_H_
#define PLAZA_PLUGINS_ROOMS_DELIVERY_TABLE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "payloads.h"
#include "room.h"
#include "rooms_config.h"

namespace plaza::rooms {

// std::hash for strings, looked up with string_views (no temporary string).
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// The newest member views of a room (payloads.h), for the delivery hook to
// hand each subscriber its copy of the snapshot. One per room, shared by
// every version of its RoomSeats; read only on snapshot deliveries, so a
// mutex is cheap enough.
class ViewsSlot {
 public:
  void Set(std::shared_ptr<const MemberViews> views) {
    std::lock_guard lock(mutex_);
    views_ = std::move(views);
  }
  std::shared_ptr<const MemberViews> Get() const {
    std::lock_guard lock(mutex_);
    return views_;
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const MemberViews> views_;  // guarded by mutex_
};

// One room's seats. Immutable once shared (but for its views slot).
class RoomSeats {
 public:
  RoomSeats(RoomKind kind, uint32_t stats_index)
      : kind_(kind), stats_index_(stats_index), views_(std::make_shared<ViewsSlot>()) {}

  RoomKind kind() const { return kind_; }
  // The room's slot in DeliveryStats.
  uint32_t stats_index() const { return stats_index_; }
  const Seat* Find(std::string_view client_id) const;
  // A copy with `changes` applied (sharing the buckets they do not touch).
  std::shared_ptr<const RoomSeats> With(const std::vector<SeatChange>& changes) const;
  // A copy of another kind (the room source changed it).
  std::shared_ptr<const RoomSeats> WithKind(RoomKind kind) const;
  ViewsSlot& views() const { return *views_; }

 private:
  static constexpr size_t kBuckets = 64;
  using Bucket = std::unordered_map<std::string, Seat, StringHash, std::equal_to<>>;
  static size_t BucketOf(std::string_view client_id) { return StringHash{}(client_id) % kBuckets; }

  RoomKind kind_;
  uint32_t stats_index_;
  std::shared_ptr<ViewsSlot> views_;
  std::array<std::shared_ptr<const Bucket>, kBuckets> buckets_;  // null = empty
};

// Every room's seats, by room id. Immutable once shared.
struct DeliveryWorld {
  std::unordered_map<std::string, std::shared_ptr<const RoomSeats>, StringHash, std::equal_to<>>
      rooms;
  const RoomSeats* Find(std::string_view room) const {
    const auto it = rooms.find(room);
    return it == rooms.end() ? nullptr : it->second.get();
  }
};

class DeliveryTable {
 public:
  DeliveryTable();
  DeliveryTable(const DeliveryTable&) = delete;
  DeliveryTable& operator=(const DeliveryTable&) = delete;

  // Writers; the caller serialises them (the plugin's membership lock).
  // Adds a room with no seats, or changes a known room's kind.
  void PutRoom(const std::string& room_id, RoomKind kind, uint32_t stats_index);
  // Applies seat changes to a known room.
  void Apply(const std::string& room_id, const std::vector<SeatChange>& changes);
  // Replaces a known room's member views.
  void SetViews(const std::string& room_id, std::shared_ptr<const MemberViews> views);

  // Readers, from any thread: the current world. The reference stays valid
  // until this thread calls Current() again.
  const DeliveryWorld& Current() const;
  // For readers that keep their own copy of the world (DeliveryRouter): a
  // number that grows with every change, and the current world with its
  // number, read together.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  std::shared_ptr<const DeliveryWorld> Snapshot(uint64_t* generation) const;

 private:
  void Swap(std::shared_ptr<const DeliveryWorld> world);
  std::shared_ptr<const DeliveryWorld> Latest() const;

  const uint64_t instance_;  // tells this table's per-thread copies from another's
  std::atomic<uint64_t> generation_{1};
  mutable std::mutex mutex_;
  std::shared_ptr<const DeliveryWorld> world_;  // guarded by mutex_; never null
};

}  // namespace plaza::rooms

#endif  // PLAZA_PLUGINS_ROOMS_DELIVERY_TABLE_H_
