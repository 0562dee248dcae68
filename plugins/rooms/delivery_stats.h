// Per-room traffic counters, counted on the hot paths without contention:
// each thread counts into its own slot (plain stores to memory no other
// thread writes), and the metrics timer sums the slots. Rooms are counted
// by a dense index; the last index is shared by rooms beyond the limit.
#ifndef PLAZA_PLUGINS_ROOMS_DELIVERY_STATS_H_
#define PLAZA_PLUGINS_ROOMS_DELIVERY_STATS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace plaza::rooms {

struct RoomCounts {
  uint64_t messages_in = 0;  // members' publishes under rooms/R/
  uint64_t bytes_in = 0;     // their payload bytes
  uint64_t delivered = 0;    // deliveries under rooms/R/ the plugin let through
  uint64_t dropped = 0;      // deliveries the event policy dropped
};

class DeliveryStats {
 public:
  // Counts rooms 0 .. size-1.
  explicit DeliveryStats(uint32_t size);
  DeliveryStats(const DeliveryStats&) = delete;
  DeliveryStats& operator=(const DeliveryStats&) = delete;

  uint32_t size() const { return size_; }
  // Indexes at or past size() are ignored.
  void AddIn(uint32_t room, uint64_t bytes);
  void AddDelivered(uint32_t room);
  void AddDropped(uint32_t room);
  // The sums over every thread, one entry per room index.
  std::vector<RoomCounts> Totals() const;

  // One thread's counters of one room.
  struct Cell {
    std::atomic<uint64_t> messages_in{0};
    std::atomic<uint64_t> bytes_in{0};
    std::atomic<uint64_t> delivered{0};
    std::atomic<uint64_t> dropped{0};
  };
  // For a caller that counts into one room many times in a row (the
  // delivery hook, per message): this thread's cell of `room`, nullptr at
  // or past size(). Use it on this thread only, while the stats live.
  Cell* ThreadCell(uint32_t room) { return Mine(room); }
  // Counts into a cell of ThreadCell(); a nullptr cell is ignored.
  static void AddDelivered(Cell* cell) {
    if (cell) Bump(cell->delivered, 1);
  }
  static void AddDropped(Cell* cell) {
    if (cell) Bump(cell->dropped, 1);
  }

 private:
  // This thread's cells (allocated on its first count).
  Cell* Mine(uint32_t room);
  static void Bump(std::atomic<uint64_t>& counter, uint64_t amount) {
    // Only this thread writes the cell: a load and a store, no locked op.
    counter.store(counter.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
  }

  const uint64_t instance_;
  const uint32_t size_;
  mutable std::mutex mutex_;
  struct Slot {
    std::thread::id thread;
    std::unique_ptr<Cell[]> cells;
  };
  std::vector<Slot> slots_;  // guarded by mutex_; one per thread that counted
};

}  // namespace plaza::rooms

#endif  // PLAZA_PLUGINS_ROOMS_DELIVERY_STATS_H_
