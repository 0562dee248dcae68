// The output queue: frames share message bytes, partial writes resume at the
// right byte, and the wire form of a queued PUBLISH is exactly MQTT's.
#include "core/output_queue.h"

#include <gtest/gtest.h>

#include "mqtt/codec.h"

namespace plaza::broker {
namespace {

std::string Encoded(const mqtt::Packet& packet) {
  std::string bytes;
  mqtt::Encode(packet, &bytes);
  return bytes;
}

TEST(OutputQueueTest, PublishFramesEncodeLikeTheCodec) {
  const MessagePtr message = MakeMessage("room/1/pose", std::string(300, 'p'), 1, false);
  OutputQueue queue;
  queue.PushPublish(message, 1, true, true, 0x1234);
  queue.PushPublish(message, 0, false, false, 0);
  mqtt::Publish q1{"room/1/pose", message->payload(), 1, true, true, 0x1234};
  mqtt::Publish q0{"room/1/pose", message->payload(), 0, false, false, 0};
  EXPECT_EQ(queue.Concatenate(), Encoded(q1) + Encoded(q0));
  EXPECT_EQ(queue.bytes(), Encoded(q1).size() + Encoded(q0).size());
}

TEST(OutputQueueTest, ConsumeResumesMidFrame) {
  const MessagePtr message = MakeMessage("t", "payload", 2, false);
  OutputQueue queue;
  queue.PushControl(Encoded(mqtt::Puback{7}));
  queue.PushPublish(message, 2, false, false, 9);
  const std::string all = queue.Concatenate();
  for (size_t step = 1; step <= all.size(); ++step) {
    OutputQueue copy;
    copy.PushControl(Encoded(mqtt::Puback{7}));
    copy.PushPublish(message, 2, false, false, 9);
    std::string written;
    while (!copy.empty()) {
      iovec iov[8];
      const size_t n = copy.Gather(iov, 8);
      ASSERT_GT(n, 0u);
      // Write at most `step` bytes, like a socket with a small buffer.
      size_t budget = step;
      size_t taken = 0;
      for (size_t i = 0; i < n && budget > 0; ++i) {
        const size_t len = std::min(budget, iov[i].iov_len);
        written.append(static_cast<const char*>(iov[i].iov_base), len);
        budget -= len;
        taken += len;
      }
      copy.Consume(taken);
    }
    EXPECT_EQ(written, all) << "step " << step;
  }
}

TEST(OutputQueueTest, GatherNeverSplitsAFrameAcrossTheIovecLimit) {
  const MessagePtr message = MakeMessage("t", "x", 1, false);
  OutputQueue queue;
  for (int i = 0; i < 10; ++i) queue.PushPublish(message, 1, false, false, 1);
  iovec iov[6];
  EXPECT_EQ(queue.Gather(iov, 6), 4u);  // one whole QoS 1 frame; the next needs 4 more
}

}  // namespace
}  // namespace plaza::broker
