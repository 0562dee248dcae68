// One thread's memo of subscribers' seats, for the delivery hook: by
// connection handle, the seat its client id holds in one room as of one
// generation of the delivery table. A hit costs a few compares where a
// RoomSeats::Find hashes the client id; the hook asks it once per candidate
// subscriber of every event-room message, so it must not thrash: an open
// addressing table that grows with the live entries (entries of an older
// generation are dropped when it grows), never a fixed set of slots that
// two subscribers can keep evicting each other from. An entry is taken only
// when its generation, room and client id all match, so a seat that changed,
// a room replaced by a newer version, or a handle that came back with
// another client id is looked up again. Not thread-safe: one per thread.
#ifndef PLAZA_PLUGINS_ROOMS_SEAT_CACHE_H_
#define PLAZA_PLUGINS_ROOMS_SEAT_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "delivery_table.h"
#include "room.h"

namespace plaza::rooms {

class SeatCache {
 public:
  // The seat of `client_id`, on connection `handle`, in `room`, a room of
  // the table's world of `generation` (which the caller keeps alive);
  // nullptr for none. The pointer is valid until the next call.
  const Seat* Find(uint64_t generation, uint64_t handle, const RoomSeats& room,
                   std::string_view client_id) {
    // The hit, inline: the hook asks for it once per candidate subscriber.
    if (handle != 0 && !slots_.empty()) {
      const Entry& entry = SlotOf(handle);
      if (entry.handle == handle && entry.generation == generation && entry.room == &room &&
          entry.client_id == client_id) {
        return entry.seated ? &entry.seat : nullptr;
      }
    }
    return Miss(generation, handle, room, client_id);
  }
  // Entries held, for tests.
  size_t size() const { return used_; }

 private:
  struct Entry {
    uint64_t handle = 0;  // 0: free (0 is never a client)
    uint64_t generation = 0;
    const RoomSeats* room = nullptr;
    std::string client_id;
    bool seated = false;
    Seat seat;
  };
  static constexpr size_t kMinSlots = 256;

  // Its slot, or the free one it would take.
  Entry& SlotOf(uint64_t handle) {
    // Fibonacci hashing spreads the broker's sequential handles evenly.
    const size_t mask = slots_.size() - 1;
    size_t i = static_cast<size_t>((handle * 0x9E3779B97F4A7C15ull) >> 32) & mask;
    while (slots_[i].handle != 0 && slots_[i].handle != handle) i = (i + 1) & mask;
    return slots_[i];
  }
  const Seat* Miss(uint64_t generation, uint64_t handle, const RoomSeats& room,
                   std::string_view client_id);
  // Room for one more entry: keeps the entries of `generation`, in a table
  // at most a quarter full.
  void Grow(uint64_t generation);

  std::vector<Entry> slots_;  // a power of two in size, or empty
  size_t used_ = 0;
};

}  // namespace plaza::rooms

#endif  // PLAZA_PLUGINS_ROOMS_SEAT_CACHE_H_
