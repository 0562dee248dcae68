// What an idle connection's output queue keeps: a small control packet
// alone (a PINGRESP, a 3.1.1 CONNACK) needs no frame buffer, a quiet tick
// gives the buffer back, a busy queue keeps it, and none of this loses or
// reorders a queued byte.
#include <gtest/gtest.h>

#include "codec_test_bytes.h"
#include "core/output_queue.h"

namespace plaza::broker {
namespace {

using mqtt::wire::EncodeToString;

void Drain(OutputQueue& queue) { queue.Consume(queue.bytes()); }

TEST(OutputQueueTrimTest, ASmallControlPacketAloneAllocatesNothing) {
  OutputQueue queue;
  const std::string pingresp = EncodeToString(mqtt::Pingresp{});
  queue.PushControl(pingresp);
  EXPECT_EQ(queue.capacity(), 0u);
  EXPECT_EQ(queue.frames(), 1u);
  EXPECT_FALSE(queue.empty());
  EXPECT_EQ(queue.Concatenate(), pingresp);
  queue.Consume(1);  // a partial write
  EXPECT_EQ(queue.Concatenate(), pingresp.substr(1));
  iovec iov[4];
  ASSERT_EQ(queue.Gather(iov, 4), 1u);
  EXPECT_EQ(std::string(static_cast<const char*>(iov[0].iov_base), iov[0].iov_len),
            pingresp.substr(1));
  queue.Consume(queue.bytes());
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.frames(), 0u);
  EXPECT_EQ(queue.capacity(), 0u);
  // A 3.1.1 CONNACK too.
  queue.PushControl(EncodeToString(mqtt::Connack{false, mqtt::ConnectReturnCode::kAccepted}));
  EXPECT_EQ(queue.capacity(), 0u);
  Drain(queue);
  EXPECT_TRUE(queue.empty());
}

TEST(OutputQueueTrimTest, ALonePacketStaysBeforeWhatFollowsIt) {
  const MessagePtr message = MakeMessage("room/1/pose", std::string(40, 'p'), 1, false);
  OutputQueue queue;
  const std::string puback = EncodeToString(mqtt::Puback{7});
  queue.PushControl(puback);
  queue.Consume(2);  // half of it written
  queue.PushPublish(message, 1, false, false, 9);
  const std::string big = EncodeToString(mqtt::Suback{3, {0, 1, 2, 0x80, 0, 1, 2}});
  queue.PushControl(big);
  const std::string publish =
      EncodeToString(mqtt::Publish{"room/1/pose", message->payload(), 1, false, false, 9});
  EXPECT_EQ(queue.frames(), 3u);
  EXPECT_EQ(queue.Concatenate(), puback.substr(2) + publish + big);
  EXPECT_EQ(queue.bytes(), puback.size() - 2 + publish.size() + big.size());
  std::string written;
  while (!queue.empty()) {  // a byte at a time, through Gather
    iovec iov[16];
    ASSERT_GT(queue.Gather(iov, 16), 0u);
    written.push_back(*static_cast<const char*>(iov[0].iov_base));
    queue.Consume(1);
  }
  EXPECT_EQ(written, puback.substr(2) + publish + big);
}

TEST(OutputQueueTrimTest, OnlyAQuietQueueGivesItBack) {
  const MessagePtr message = MakeMessage("room/1/pose", "p", 0, false);
  OutputQueue queue;
  queue.PushPublish(message, 0, false, false, 0);
  queue.PushPublish(message, 0, false, false, 0);
  Drain(queue);  // a batch of two: the buffer is kept
  queue.Trim();  // something was queued since the last call: kept
  EXPECT_GT(queue.capacity(), 0u);
  queue.Trim();  // quiet since the last call: given back
  EXPECT_EQ(queue.capacity(), 0u);
}

TEST(OutputQueueTrimTest, NeverDropsWhatIsQueued) {
  const MessagePtr message = MakeMessage("room/1/pose", std::string(50, 'x'), 1, false);
  OutputQueue queue;
  queue.PushControl(EncodeToString(mqtt::Pingresp{}));
  Drain(queue);
  queue.PushPublish(message, 1, false, false, 3);
  queue.PushControl(EncodeToString(mqtt::Puback{4}));
  const std::string before = queue.Concatenate();
  queue.Trim();
  queue.Trim();
  queue.Trim();
  EXPECT_EQ(queue.Concatenate(), before);
  EXPECT_EQ(queue.bytes(), before.size());
}

TEST(OutputQueueTrimTest, ConflationWorksAfterATrim) {
  const MessagePtr first = MakeMessage("room/1/pose/a", "1", 0, false);
  const MessagePtr second = MakeMessage("room/1/pose/a", "2", 0, false);
  OutputQueue queue;
  queue.PushPublish(first, 0, false, false, 0, /*conflate=*/true);
  Drain(queue);
  queue.Trim();
  queue.Trim();  // buffer and conflation table gone
  EXPECT_FALSE(queue.PushPublish(first, 0, false, false, 0, /*conflate=*/true));
  EXPECT_TRUE(queue.Waiting("room/1/pose/a"));
  EXPECT_TRUE(queue.PushPublish(second, 0, false, false, 0, /*conflate=*/true));
  EXPECT_EQ(queue.frames(), 1u);
  EXPECT_EQ(queue.Concatenate(),
            EncodeToString(mqtt::Publish{"room/1/pose/a", "2", 0, false, false, 0}));
}

}  // namespace
}  // namespace plaza::broker
