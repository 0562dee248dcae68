// The broadcaster: messages go out in the order they were posted, from one
// thread; a room's snapshot is built when it goes out (so it is the newest)
// and at most once per interval however many changes asked for it; and a
// broker that is not serving yet is waited for.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "broadcaster.h"

namespace plaza::rooms {
namespace {

using std::chrono::milliseconds;

// What the broadcaster published, and the state its snapshots read.
struct Sink {
  std::mutex mutex;
  std::vector<std::string> published;  // "topic=payload"
  int state = 0;
  int snapshots_built = 0;
  int refusals_left = 0;  // kUnsupported answers before accepting

  plaza::Status Publish(const plaza::Message& m) {
    std::lock_guard lock(mutex);
    if (refusals_left > 0) {
      --refusals_left;
      return plaza::Status::kUnsupported;
    }
    published.push_back(m.topic + "=" + m.payload);
    return plaza::Status::kOk;
  }
  std::optional<plaza::Message> Snapshot(const std::string& room) {
    std::lock_guard lock(mutex);
    ++snapshots_built;
    plaza::Message m;
    m.topic = room + "/members";
    m.payload = std::to_string(state);
    return m;
  }
  std::vector<std::string> Published() {
    std::lock_guard lock(mutex);
    return published;
  }
};

std::unique_ptr<Broadcaster> Make(Sink& sink, milliseconds interval) {
  return std::make_unique<Broadcaster>(
      [&sink](const plaza::Message& m) { return sink.Publish(m); },
      [&sink](const std::string& room) { return sink.Snapshot(room); }, interval,
      [](const std::string&) {});
}

plaza::Message Msg(const std::string& topic, const std::string& payload) {
  plaza::Message m;
  m.topic = topic;
  m.payload = payload;
  return m;
}

TEST(BroadcasterTest, PublishesInPostedOrder) {
  Sink sink;
  auto broadcaster = Make(sink, milliseconds(0));
  for (int i = 0; i < 100; ++i) broadcaster->Post(Msg("t", std::to_string(i)));
  ASSERT_TRUE(broadcaster->Drain(milliseconds(10'000)));
  const std::vector<std::string> published = sink.Published();
  ASSERT_EQ(published.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(published[i], "t=" + std::to_string(i));
}

TEST(BroadcasterTest, SnapshotsAreCoalescedAndShowTheNewestState) {
  Sink sink;
  // A long interval: the first snapshot goes at once, the rest wait.
  auto broadcaster = Make(sink, milliseconds(300));
  broadcaster->SnapshotDue("r");
  ASSERT_TRUE(broadcaster->Drain(milliseconds(10'000)));
  for (int i = 1; i <= 50; ++i) {
    {
      std::lock_guard lock(sink.mutex);
      sink.state = i;
    }
    broadcaster->SnapshotDue("r");
  }
  ASSERT_TRUE(broadcaster->Drain(milliseconds(10'000)));
  const std::vector<std::string> published = sink.Published();
  ASSERT_EQ(published.size(), 2u);
  EXPECT_EQ(published[0], "r/members=0");
  EXPECT_EQ(published[1], "r/members=50");
}

TEST(BroadcasterTest, WaitsForTheBrokerToServe) {
  Sink sink;
  sink.refusals_left = 3;
  auto broadcaster = Make(sink, milliseconds(0));
  broadcaster->Post(Msg("settings", "s"));
  broadcaster->Post(Msg("after", "a"));
  ASSERT_TRUE(broadcaster->Drain(milliseconds(10'000)));
  EXPECT_EQ(sink.Published(), (std::vector<std::string>{"settings=s", "after=a"}));
}

TEST(BroadcasterTest, StopsWithWorkQueued) {
  Sink sink;
  sink.refusals_left = 1'000'000;  // never serving
  auto broadcaster = Make(sink, milliseconds(0));
  broadcaster->Post(Msg("stuck", "s"));
  broadcaster.reset();  // must not hang
  EXPECT_TRUE(sink.Published().empty());
}

}  // namespace
}  // namespace plaza::rooms
