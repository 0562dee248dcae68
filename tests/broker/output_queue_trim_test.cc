// What an idle connection's output queue keeps: the first drain (the CONNACK)
// and a quiet tick give the frame buffer back, a busy queue keeps it, and
// giving it back never loses or reorders a queued byte.
#include <gtest/gtest.h>

#include "codec_test_bytes.h"
#include "core/output_queue.h"

namespace plaza::broker {
namespace {

using mqtt::wire::EncodeToString;

void Drain(OutputQueue& queue) { queue.Consume(queue.bytes()); }

TEST(OutputQueueTrimTest, FirstDrainGivesTheBufferBack) {
  OutputQueue queue;
  queue.PushControl(EncodeToString(mqtt::Connack{false, mqtt::ConnectReturnCode::kAccepted}));
  EXPECT_GT(queue.capacity(), 0u);
  Drain(queue);
  EXPECT_EQ(queue.capacity(), 0u);
  // Later drains keep it for the next packet.
  queue.PushControl(EncodeToString(mqtt::Pingresp{}));
  Drain(queue);
  EXPECT_GT(queue.capacity(), 0u);
}

TEST(OutputQueueTrimTest, OnlyAQuietQueueGivesItBack) {
  const MessagePtr message = MakeMessage("room/1/pose", "p", 0, false);
  OutputQueue queue;
  queue.PushControl(EncodeToString(mqtt::Pingresp{}));
  Drain(queue);  // the first drain
  queue.PushPublish(message, 0, false, false, 0);
  Drain(queue);
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
