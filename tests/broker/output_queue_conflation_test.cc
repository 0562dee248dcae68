// Conflation in the output queue: a newer QoS 0 state message replaces the
// one on the same topic still waiting untouched, keeps its place, and never
// touches a frame the socket has begun to write or a non-conflated one.
#include <gtest/gtest.h>

#include "core/output_queue.h"
#include "mqtt/codec.h"

namespace plaza::broker {
namespace {

std::string Encoded(std::string_view topic, std::string_view payload) {
  std::string bytes;
  mqtt::Encode(mqtt::Publish{topic, payload, 0, false, false, 0}, &bytes);
  return bytes;
}

TEST(OutputQueueConflationTest, NewerStateReplacesTheWaitingOneInPlace) {
  OutputQueue queue;
  EXPECT_FALSE(queue.PushPublish(MakeMessage("pose/a", "a1", 0, false), 0, false, false, 0, true));
  EXPECT_FALSE(queue.PushPublish(MakeMessage("pose/b", "b1", 0, false), 0, false, false, 0, true));
  EXPECT_TRUE(queue.Waiting("pose/a"));
  EXPECT_FALSE(queue.Waiting("pose/c"));
  EXPECT_TRUE(
      queue.PushPublish(MakeMessage("pose/a", "a2-longer", 0, false), 0, false, false, 0, true));
  EXPECT_EQ(queue.frames(), 2u);
  const std::string expected = Encoded("pose/a", "a2-longer") + Encoded("pose/b", "b1");
  EXPECT_EQ(queue.Concatenate(), expected);
  EXPECT_EQ(queue.bytes(), expected.size());
}

TEST(OutputQueueConflationTest, AFrameBeingWrittenIsNotReplaced) {
  OutputQueue queue;
  queue.PushPublish(MakeMessage("pose/a", "a1", 0, false), 0, false, false, 0, true);
  queue.Consume(1);  // the socket took the first byte
  EXPECT_FALSE(queue.Waiting("pose/a"));
  EXPECT_FALSE(queue.PushPublish(MakeMessage("pose/a", "a2", 0, false), 0, false, false, 0, true));
  EXPECT_EQ(queue.frames(), 2u);
  // The next one replaces the second, untouched frame.
  EXPECT_TRUE(queue.PushPublish(MakeMessage("pose/a", "a3", 0, false), 0, false, false, 0, true));
  EXPECT_EQ(queue.Concatenate(), Encoded("pose/a", "a1").substr(1) + Encoded("pose/a", "a3"));
}

TEST(OutputQueueConflationTest, OnlyConflatedQos0FramesAreReplaced) {
  OutputQueue queue;
  // Not conflated, then QoS 1: neither is a candidate.
  queue.PushPublish(MakeMessage("pose/a", "a1", 0, false), 0, false, false, 0, false);
  EXPECT_FALSE(queue.PushPublish(MakeMessage("pose/a", "a2", 0, false), 0, false, false, 0, true));
  EXPECT_FALSE(queue.PushPublish(MakeMessage("pose/b", "b1", 1, false), 1, false, false, 5, true));
  EXPECT_FALSE(queue.PushPublish(MakeMessage("pose/b", "b2", 1, false), 1, false, false, 6, true));
  EXPECT_EQ(queue.frames(), 4u);
  // pose/a's conflated frame (the second) is the one replaced now.
  EXPECT_TRUE(queue.PushPublish(MakeMessage("pose/a", "a3", 0, false), 0, false, false, 0, true));
  EXPECT_EQ(queue.frames(), 4u);
}

TEST(OutputQueueConflationTest, ADrainedQueueForgetsWhatItHeld) {
  OutputQueue queue;
  queue.PushPublish(MakeMessage("pose/a", "a1", 0, false), 0, false, false, 0, true);
  queue.Consume(queue.bytes());
  EXPECT_TRUE(queue.empty());
  EXPECT_FALSE(queue.PushPublish(MakeMessage("pose/a", "a2", 0, false), 0, false, false, 0, true));
  EXPECT_EQ(queue.Concatenate(), Encoded("pose/a", "a2"));
}

TEST(OutputQueueConflationTest, Mqtt5FramesAreReplacedWithTheirOwnProperties) {
  OutputQueue queue;
  const std::string expiry = std::string("\x02\x00\x00\x00\x05", 5);
  queue.PushPublish5(MakeMessage("pose/a", "a1", 0, false), 0, false, false, 0, expiry, true);
  EXPECT_TRUE(
      queue.PushPublish5(MakeMessage("pose/a", "a2", 0, false), 0, false, false, 0, {}, true));
  OutputQueue plain;
  plain.PushPublish5(MakeMessage("pose/a", "a2", 0, false), 0, false, false, 0, {});
  EXPECT_EQ(queue.Concatenate(), plain.Concatenate());
  EXPECT_EQ(queue.bytes(), plain.bytes());
}

}  // namespace
}  // namespace plaza::broker
