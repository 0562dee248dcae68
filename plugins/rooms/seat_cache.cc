// The delivery hook's per-thread memo of seats; see seat_cache.h.
#include "seat_cache.h"

#include <utility>

namespace plaza::rooms {

const Seat* SeatCache::Miss(uint64_t generation, uint64_t handle, const RoomSeats& room,
                            std::string_view client_id) {
  if (handle == 0) return room.Find(client_id);  // a broker that gives no handles
  if (slots_.empty() || (used_ + 1) * 2 > slots_.size()) {
    // Only before an entry may be added, so a hit never moves an entry.
    Grow(generation);
  }
  Entry& entry = SlotOf(handle);
  if (entry.handle != handle) ++used_;  // a free slot: this handle is new here
  if (entry.handle != handle || entry.generation != generation || entry.room != &room ||
      entry.client_id != client_id) {
    const Seat* seat = room.Find(client_id);
    entry.handle = handle;
    entry.generation = generation;
    entry.room = &room;
    entry.client_id.assign(client_id);
    entry.seated = seat != nullptr;
    if (seat) entry.seat = *seat;
  }
  return entry.seated ? &entry.seat : nullptr;
}

void SeatCache::Grow(uint64_t generation) {
  std::vector<Entry> old;
  old.swap(slots_);
  size_t live = 0;
  for (const Entry& entry : old) live += entry.handle != 0 && entry.generation == generation;
  size_t size = kMinSlots;
  while (size < (live + 1) * 4) size *= 2;
  slots_.resize(size);
  used_ = 0;
  for (Entry& entry : old) {
    if (entry.handle == 0 || entry.generation != generation) continue;
    SlotOf(entry.handle) = std::move(entry);
    ++used_;
  }
}

}  // namespace plaza::rooms
