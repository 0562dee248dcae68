// The delivery hook's view of the rooms: seat changes copy only what they
// touch, a reader sees a change on its next Current(), and readers on many
// threads run against a writer without a lock (the TSan flavour checks it).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "delivery_table.h"

namespace plaza::rooms {
namespace {

TEST(RoomSeatsTest, WithAppliesChangesAndSharesTheRest) {
  const auto empty = std::make_shared<const RoomSeats>(RoomKind::kEvent, 3);
  EXPECT_EQ(empty->Find("a"), nullptr);
  const auto one = empty->With({{"a", Seat{4, false}}, {"s", Seat{kNoGroup, true}}});
  ASSERT_NE(one->Find("a"), nullptr);
  EXPECT_EQ(one->Find("a")->group, 4u);
  EXPECT_TRUE(one->Find("s")->stage);
  EXPECT_EQ(one->kind(), RoomKind::kEvent);
  EXPECT_EQ(one->stats_index(), 3u);
  EXPECT_EQ(empty->Find("a"), nullptr) << "the original changed";
  const auto two = one->With({{"a", std::nullopt}, {"b", Seat{1, false}}});
  EXPECT_EQ(two->Find("a"), nullptr);
  EXPECT_NE(two->Find("b"), nullptr);
  EXPECT_NE(one->Find("a"), nullptr);
  EXPECT_EQ(two->WithKind(RoomKind::kWorld)->kind(), RoomKind::kWorld);
}

TEST(RoomSeatsTest, ManySeatsAcrossBuckets) {
  std::vector<SeatChange> changes;
  for (int i = 0; i < 1000; ++i)
    changes.push_back({"c" + std::to_string(i), Seat{uint32_t(i), false}});
  const auto seats = std::make_shared<const RoomSeats>(RoomKind::kEvent, 0)->With(changes);
  for (int i = 0; i < 1000; ++i) {
    const Seat* seat = seats->Find("c" + std::to_string(i));
    ASSERT_NE(seat, nullptr) << i;
    EXPECT_EQ(seat->group, uint32_t(i));
  }
  EXPECT_EQ(seats->Find("c1000"), nullptr);
}

TEST(DeliveryTableTest, ReadersSeeEachChange) {
  DeliveryTable table;
  EXPECT_EQ(table.Current().Find("r"), nullptr);
  table.PutRoom("r", RoomKind::kEvent, 0);
  ASSERT_NE(table.Current().Find("r"), nullptr);
  EXPECT_EQ(table.Current().Find("r")->Find("a"), nullptr);
  table.Apply("r", {{"a", Seat{0, false}}});
  EXPECT_NE(table.Current().Find("r")->Find("a"), nullptr);
  table.PutRoom("r", RoomKind::kWorld, 0);  // the kind changes, the seats stay
  EXPECT_EQ(table.Current().Find("r")->kind(), RoomKind::kWorld);
  EXPECT_NE(table.Current().Find("r")->Find("a"), nullptr);
  table.Apply("unknown", {{"a", Seat{}}});  // ignored
  EXPECT_EQ(table.Current().Find("unknown"), nullptr);
}

TEST(DeliveryTableTest, TwoTablesOnOneThreadDoNotMix) {
  DeliveryTable first;
  DeliveryTable second;
  first.PutRoom("only-first", RoomKind::kWorld, 0);
  EXPECT_NE(first.Current().Find("only-first"), nullptr);
  EXPECT_EQ(second.Current().Find("only-first"), nullptr);
  EXPECT_NE(first.Current().Find("only-first"), nullptr);
}

TEST(DeliveryTableTest, ConcurrentReadersAndAWriter) {
  DeliveryTable table;
  table.PutRoom("r", RoomKind::kEvent, 0);
  std::atomic<int> finished{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      // Reads until the writer's last change shows (or a generous deadline).
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (std::chrono::steady_clock::now() < deadline) {
        const RoomSeats* room = table.Current().Find("r");
        if (room && room->Find("done")) {
          finished.fetch_add(1);
          return;
        }
      }
    });
  }
  for (int i = 0; i < 2000; ++i) {
    table.Apply("r", {{"c" + std::to_string(i % 50), Seat{uint32_t(i), false}}});
    if (i % 100 == 99) table.Apply("r", {{"c7", std::nullopt}});
  }
  table.Apply("r", {{"done", Seat{}}});
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(finished.load(), 3);
}

}  // namespace
}  // namespace plaza::rooms
