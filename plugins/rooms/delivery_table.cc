// The delivery hook's lock-free view of rooms and seats; see delivery_table.h.
#include "delivery_table.h"

namespace plaza::rooms {
namespace {

std::atomic<uint64_t> next_instance{1};

// This thread's copy of some table's world.
struct ThreadCopy {
  uint64_t instance = 0;
  uint64_t generation = 0;
  std::shared_ptr<const DeliveryWorld> world;
};
thread_local ThreadCopy thread_copy;

}  // namespace

const Seat* RoomSeats::Find(std::string_view client_id) const {
  const std::shared_ptr<const Bucket>& bucket = buckets_[BucketOf(client_id)];
  if (!bucket) return nullptr;
  const auto it = bucket->find(client_id);
  return it == bucket->end() ? nullptr : &it->second;
}

std::shared_ptr<const RoomSeats> RoomSeats::With(const std::vector<SeatChange>& changes) const {
  auto copy = std::make_shared<RoomSeats>(*this);
  std::array<std::shared_ptr<Bucket>, kBuckets> fresh;  // buckets copied by this call
  for (const SeatChange& change : changes) {
    const size_t b = BucketOf(change.client_id);
    if (!fresh[b]) {
      fresh[b] = buckets_[b] ? std::make_shared<Bucket>(*buckets_[b]) : std::make_shared<Bucket>();
      copy->buckets_[b] = fresh[b];
    }
    if (change.seat) {
      fresh[b]->insert_or_assign(change.client_id, *change.seat);
    } else {
      fresh[b]->erase(change.client_id);
    }
  }
  return copy;
}

std::shared_ptr<const RoomSeats> RoomSeats::WithKind(RoomKind kind) const {
  auto copy = std::make_shared<RoomSeats>(*this);
  copy->kind_ = kind;
  return copy;
}

DeliveryTable::DeliveryTable()
    : instance_(next_instance.fetch_add(1)), world_(std::make_shared<DeliveryWorld>()) {}

void DeliveryTable::PutRoom(const std::string& room_id, RoomKind kind, uint32_t stats_index) {
  std::shared_ptr<const DeliveryWorld> old = Latest();
  const RoomSeats* known = old->Find(room_id);
  if (known && known->kind() == kind) return;
  auto world = std::make_shared<DeliveryWorld>(*old);
  world->rooms[room_id] =
      known ? known->WithKind(kind) : std::make_shared<const RoomSeats>(kind, stats_index);
  Swap(std::move(world));
}

void DeliveryTable::Apply(const std::string& room_id, const std::vector<SeatChange>& changes) {
  if (changes.empty()) return;
  std::shared_ptr<const DeliveryWorld> old = Latest();
  const auto it = old->rooms.find(room_id);
  if (it == old->rooms.end()) return;
  auto world = std::make_shared<DeliveryWorld>(*old);
  world->rooms[room_id] = it->second->With(changes);
  Swap(std::move(world));
}

void DeliveryTable::SetViews(const std::string& room_id, std::shared_ptr<const MemberViews> views) {
  if (const RoomSeats* room = Latest()->Find(room_id)) room->views().Set(std::move(views));
}

const DeliveryWorld& DeliveryTable::Current() const {
  ThreadCopy& copy = thread_copy;
  const uint64_t generation = generation_.load(std::memory_order_acquire);
  if (copy.instance != instance_ || copy.generation != generation) {
    copy.world = Snapshot(&copy.generation);
    copy.instance = instance_;
  }
  return *copy.world;
}

std::shared_ptr<const DeliveryWorld> DeliveryTable::Snapshot(uint64_t* generation) const {
  std::lock_guard lock(mutex_);
  *generation = generation_.load(std::memory_order_relaxed);
  return world_;
}

void DeliveryTable::Swap(std::shared_ptr<const DeliveryWorld> world) {
  std::shared_ptr<const DeliveryWorld> old;
  {
    std::lock_guard lock(mutex_);
    old = std::move(world_);
    world_ = std::move(world);
    generation_.fetch_add(1, std::memory_order_release);
  }
  // `old` is freed here, outside the lock, unless a thread still reads it.
}

std::shared_ptr<const DeliveryWorld> DeliveryTable::Latest() const {
  std::lock_guard lock(mutex_);
  return world_;
}

}  // namespace plaza::rooms
