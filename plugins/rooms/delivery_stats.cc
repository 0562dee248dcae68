// Per-thread room counters; see delivery_stats.h.
#include "delivery_stats.h"

namespace plaza::rooms {
namespace {

std::atomic<uint64_t> next_instance{1};

struct ThreadSlot {
  uint64_t instance = 0;
  void* cells = nullptr;
};
thread_local ThreadSlot thread_slot;

}  // namespace

DeliveryStats::DeliveryStats(uint32_t size)
    : instance_(next_instance.fetch_add(1)), size_(size == 0 ? 1 : size) {}

DeliveryStats::Cell* DeliveryStats::Mine(uint32_t room) {
  if (room >= size_) return nullptr;
  ThreadSlot& slot = thread_slot;
  if (slot.instance != instance_) {
    // This thread last counted for another instance (or never): find or
    // make its cells here, so alternating instances never allocate anew.
    const std::thread::id me = std::this_thread::get_id();
    std::lock_guard lock(mutex_);
    Cell* cells = nullptr;
    for (const Slot& known : slots_) {
      if (known.thread == me) cells = known.cells.get();
    }
    if (!cells) {
      slots_.push_back({me, std::make_unique<Cell[]>(size_)});
      cells = slots_.back().cells.get();
    }
    slot.cells = cells;
    slot.instance = instance_;
  }
  return static_cast<Cell*>(slot.cells) + room;
}

void DeliveryStats::AddIn(uint32_t room, uint64_t bytes) {
  if (Cell* cell = Mine(room)) {
    Bump(cell->messages_in, 1);
    Bump(cell->bytes_in, bytes);
  }
}

void DeliveryStats::AddDelivered(uint32_t room) { AddDelivered(Mine(room)); }

void DeliveryStats::AddDropped(uint32_t room) { AddDropped(Mine(room)); }

std::vector<RoomCounts> DeliveryStats::Totals() const {
  std::vector<RoomCounts> totals(size_);
  std::lock_guard lock(mutex_);
  for (const Slot& slot : slots_) {
    const Cell* cells = slot.cells.get();
    for (uint32_t i = 0; i < size_; ++i) {
      totals[i].messages_in += cells[i].messages_in.load(std::memory_order_relaxed);
      totals[i].bytes_in += cells[i].bytes_in.load(std::memory_order_relaxed);
      totals[i].delivered += cells[i].delivered.load(std::memory_order_relaxed);
      totals[i].dropped += cells[i].dropped.load(std::memory_order_relaxed);
    }
  }
  return totals;
}

}  // namespace plaza::rooms
