// Small parts with rules of their own: the room cache, the push topics and
// payloads, the metrics labels, the SQL placeholder rewrite, the worker pool.
#include <gtest/gtest.h>

#include <atomic>

#include "db/database.h"
#include "db/postgres_connection.h"
#include "metrics/grpc_metrics.h"
#include "plaza/adapter/v1/room_messages.pb.h"
#include "push/room_push.h"
#include "service/room_cache.h"
#include "service/worker_pool.h"

namespace plaza::adapter {
namespace {

v1::Room Room(const std::string& id, const std::string& title) {
  v1::Room room;
  room.set_room_id(id);
  room.set_title(title);
  return room;
}

TEST(RoomCacheTest, ExpiresAfterTheTtl) {
  service::RoomCache cache(std::chrono::milliseconds(100), 10);
  const auto t0 = service::RoomCache::Clock::now();
  cache.Put(Room("event:1", "a"), t0);
  EXPECT_EQ(cache.Get("event:1", t0 + std::chrono::milliseconds(99))->title(), "a");
  EXPECT_FALSE(cache.Get("event:1", t0 + std::chrono::milliseconds(100)).has_value());
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 1u);
}

TEST(RoomCacheTest, InvalidateAndBounds) {
  service::RoomCache cache(std::chrono::seconds(10), 2);
  cache.Put(Room("event:1", "a"));
  cache.Invalidate("event:1");
  EXPECT_FALSE(cache.Get("event:1").has_value());
  cache.Put(Room("event:1", "a"));
  cache.Put(Room("event:2", "b"));
  cache.Put(Room("event:3", "c"));  // full of live entries: starts over
  EXPECT_TRUE(cache.Get("event:3").has_value());
  EXPECT_FALSE(cache.Get("event:1").has_value());
}

TEST(RoomCacheTest, ZeroTtlDisablesIt) {
  service::RoomCache cache(std::chrono::milliseconds(0), 10);
  cache.Put(Room("event:1", "a"));
  EXPECT_FALSE(cache.Get("event:1").has_value());
}

TEST(RoomPushTest, TopicsAndPayloads) {
  EXPECT_EQ(push::SettingsTopic("event:1"), "rooms/event:1/server/settings");
  EXPECT_EQ(push::AnnouncementsTopic("world:2"), "rooms/world:2/server/announcements");
  v1::RoomSettingsMessage message;
  message.set_room_id("world:2");
  message.mutable_settings()->set_volume(0.5f);
  const std::string json = push::EncodePayload(message, push::PayloadFormat::kJson);
  EXPECT_NE(json.find("\"room_id\":\"world:2\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"bgm_url\":\"\""), std::string::npos) << json;  // always printed
  v1::RoomSettingsMessage decoded;
  ASSERT_TRUE(
      decoded.ParseFromString(push::EncodePayload(message, push::PayloadFormat::kProtobuf)));
  EXPECT_EQ(decoded.room_id(), "world:2");
  EXPECT_FALSE(push::ParsePayloadFormat("xml").ok());
}

TEST(RoomPushTest, DisabledPushesSayso) {
  push::RoomPush push(nullptr, push::PayloadFormat::kJson);
  EXPECT_EQ(push.PushSettings("world:1", v1::RoomSettings()), v1::LIVE_PUSH_DISABLED);
  v1::AnnounceToRoomRequest request;
  request.set_room_id("world:1");
  std::string first, second;
  EXPECT_EQ(push.PushAnnouncement(request, &first), v1::LIVE_PUSH_DISABLED);
  push.PushAnnouncement(request, &second);
  EXPECT_NE(first, second);
}

TEST(GrpcMetricsTest, Labels) {
  const metrics::MethodLabels labels =
      metrics::SplitMethod("/plaza.adapter.v1.RoomService/DescribeRoom");
  EXPECT_EQ(labels.service, "plaza.adapter.v1.RoomService");
  EXPECT_EQ(labels.method, "DescribeRoom");
  EXPECT_EQ(metrics::SplitMethod("/grpc.health.v1.Health/Check").method, "Check");
  EXPECT_EQ(metrics::SplitMethod("/evil.Random/Thing").service, "unknown");
  EXPECT_EQ(metrics::SplitMethod("garbage").method, "unknown");
  EXPECT_EQ(metrics::GrpcCodeName(grpc::StatusCode::OK), "OK");
  EXPECT_EQ(metrics::GrpcCodeName(grpc::StatusCode::INVALID_ARGUMENT), "InvalidArgument");
  EXPECT_EQ(metrics::GrpcCodeName(grpc::StatusCode::UNAVAILABLE), "Unavailable");
}

TEST(DatabaseUrlTest, Engines) {
  EXPECT_EQ(db::ParseDatabaseUrl("sqlite:run/x.db")->target, "run/x.db");
  EXPECT_EQ(db::ParseDatabaseUrl("sqlite:///tmp/x.db")->target, "/tmp/x.db");
  EXPECT_EQ(db::ParseDatabaseUrl("postgresql://u@h/d")->engine, db::Engine::kPostgres);
  EXPECT_FALSE(db::ParseDatabaseUrl("sqlite:").ok());
  EXPECT_FALSE(db::ParseDatabaseUrl("mysql://h").ok());
  EXPECT_EQ(db::ToPostgresPlaceholders("a = ? AND b = '?' AND c = ?"),
            "a = $1 AND b = '?' AND c = $2");
}

TEST(WorkerPoolTest, RunsQueuedWorkAndRefusesWhenFull) {
  std::atomic<int> ran{0};
  {
    service::WorkerPool pool(2, 1000);
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(pool.TrySubmit([&] { ran.fetch_add(1); }));
    pool.Shutdown();  // runs what was queued
    EXPECT_FALSE(pool.TrySubmit([] {}));
  }
  EXPECT_EQ(ran.load(), 100);
  service::WorkerPool tiny(1, 1);
  std::atomic<bool> release{false};
  ASSERT_TRUE(tiny.TrySubmit([&] {
    while (!release.load()) std::this_thread::yield();
  }));
  // One job runs, one waits in the queue, the third is refused.
  bool refused = false;
  for (int i = 0; i < 3 && !refused; ++i) refused = !tiny.TrySubmit([] {});
  EXPECT_TRUE(refused);
  release.store(true);
}

}  // namespace
}  // namespace plaza::adapter
