// The set of QoS 2 packet ids a session has received and not yet released:
// a sorted vector standing in for a hash set, so it must answer like one.
#include <gtest/gtest.h>

#include "core/session.h"

namespace plaza::broker {
namespace {

TEST(PacketIdSetTest, InsertContainsErase) {
  PacketIdSet ids;
  EXPECT_FALSE(ids.contains(7));
  EXPECT_TRUE(ids.insert(7));
  EXPECT_FALSE(ids.insert(7));  // already there
  EXPECT_TRUE(ids.insert(65535));
  EXPECT_TRUE(ids.insert(1));
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_TRUE(ids.contains(1));
  EXPECT_TRUE(ids.contains(7));
  EXPECT_TRUE(ids.contains(65535));
  EXPECT_FALSE(ids.contains(2));
  EXPECT_TRUE(ids.erase(7));
  EXPECT_FALSE(ids.erase(7));
  EXPECT_FALSE(ids.contains(7));
  EXPECT_EQ(ids.size(), 2u);
}

TEST(PacketIdSetTest, AgreesWithAReferenceSetOnAnyOrder) {
  PacketIdSet ids;
  std::vector<bool> reference(65536, false);
  uint32_t state = 12345;
  for (int step = 0; step < 20000; ++step) {
    state = state * 1103515245u + 12345u;
    const auto id = static_cast<uint16_t>((state >> 8) % 300);
    if ((state >> 20) & 1) {
      EXPECT_EQ(ids.insert(id), !reference[id]);
      reference[id] = true;
    } else {
      EXPECT_EQ(ids.erase(id), reference[id]);
      reference[id] = false;
    }
    ASSERT_EQ(ids.contains(id), reference[id]);
  }
  size_t count = 0;
  for (bool present : reference) count += present ? 1 : 0;
  EXPECT_EQ(ids.size(), count);
}

}  // namespace
}  // namespace plaza::broker
