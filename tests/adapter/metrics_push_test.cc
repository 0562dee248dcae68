// What the ALB cannot tell: /metrics after a mix of OK and failing calls;
// and pushes into live rooms, observed by a real MQTT subscriber on a real
// broker (Debian's mosquitto for now), across a broker restart.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "plaza/adapter/v1/platform.grpc.pb.h"
#include "plaza/adapter/v1/room_messages.pb.h"
#include "plaza/adapter/v1/rooms.grpc.pb.h"
#include "support/adapter_process.h"
#include "support/mqtt_helpers.h"
#include "support/test_database.h"

namespace plaza::adapter {
namespace {

using testing::AdapterProcess;

// The value of the sample whose line starts with `prefix` (name{labels}).
double Sample(const std::string& metrics, const std::string& prefix) {
  size_t at = 0;
  while ((at = metrics.find(prefix, at)) != std::string::npos) {
    if (at == 0 || metrics[at - 1] == '\n') {
      const size_t end = metrics.find('\n', at);
      return std::stod(metrics.substr(at + prefix.size(), end - at - prefix.size()));
    }
    at += prefix.size();
  }
  return -1;
}

TEST(MetricsTest, CountsCallsPerMethodAndCode) {
  auto db = testing::TestDatabase::Create(testing::Backend::kSqlite);
  ASSERT_NE(db, nullptr);
  AdapterProcess adapter(db->url(), AdapterProcess::DefaultConfig());
  ASSERT_TRUE(adapter.Start());
  auto channel = grpc::CreateChannel(adapter.grpc_target(), grpc::InsecureChannelCredentials());
  auto rooms = v1::RoomService::NewStub(channel);
  const auto describe = [&](const std::string& room_id) {
    grpc::ClientContext context;
    v1::DescribeRoomRequest request;
    request.set_room_id(room_id);
    v1::DescribeRoomResponse response;
    return rooms->DescribeRoom(&context, request, &response).error_code();
  };
  for (int i = 0; i < 3; ++i) ASSERT_EQ(describe("event:1"), grpc::StatusCode::OK);
  ASSERT_EQ(describe("event:999"), grpc::StatusCode::NOT_FOUND);
  ASSERT_EQ(describe("bad"), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_EQ(describe("bad"), grpc::StatusCode::INVALID_ARGUMENT);

  const std::string metrics = testing::HttpGet(adapter.metrics_port(), "/metrics");
  ASSERT_FALSE(metrics.empty());
  const std::string method =
      "grpc_method=\"DescribeRoom\",grpc_service=\"plaza.adapter.v1.RoomService\"";
  // prometheus-cpp sorts labels by name.
  EXPECT_EQ(Sample(metrics, "grpc_server_handled_total{grpc_code=\"OK\"," + method +
                                ",grpc_type=\"unary\"} "),
            3);
  EXPECT_EQ(Sample(metrics, "grpc_server_handled_total{grpc_code=\"NotFound\"," + method +
                                ",grpc_type=\"unary\"} "),
            1);
  EXPECT_EQ(Sample(metrics, "grpc_server_handled_total{grpc_code=\"InvalidArgument\"," + method +
                                ",grpc_type=\"unary\"} "),
            2);
  EXPECT_EQ(Sample(metrics, "grpc_server_started_total{" + method + ",grpc_type=\"unary\"} "), 6);
  EXPECT_EQ(
      Sample(metrics, "grpc_server_handling_seconds_count{" + method + ",grpc_type=\"unary\"} "),
      6);
  EXPECT_NE(metrics.find("grpc_server_handling_seconds_bucket{" + method +
                         ",grpc_type=\"unary\",le=\"0.005\"}"),
            std::string::npos);
  EXPECT_EQ(Sample(metrics, "plaza_adapter_db_pool_max_connections "), 4);
  EXPECT_GE(Sample(metrics, "plaza_adapter_db_pool_connections{state=\"idle\"} "), 1);
  EXPECT_EQ(Sample(metrics, "plaza_adapter_db_pool_connections{state=\"in_use\"} "), 0);
  EXPECT_EQ(Sample(metrics, "plaza_adapter_serving "), 1);
  EXPECT_GE(Sample(metrics, "plaza_adapter_room_cache_lookups_total{result=\"hit\"} "), 2);
  EXPECT_EQ(adapter.Stop(), 0);
}

class PushTest : public ::testing::Test {
 protected:
  static constexpr char kUser[] = "plaza-adapter";
  static constexpr char kPassword[] = "adapter-secret";

  std::string Config(const std::string& format) {
    std::string config = AdapterProcess::DefaultConfig();
    config.replace(
        config.find("mqtt:\n  enabled: false\n"), std::string::npos,
        "mqtt:\n  enabled: true\n  host: 127.0.0.1\n  port: " + std::to_string(broker_.port()) +
            "\n  username: " + kUser + "\n  password: " + kPassword +
            "\n  reconnect_delay_min_s: 1\n  reconnect_delay_max_s: 1\n"
            "  payload_format: " +
            format + "\n");
    return config;
  }

  v1::LivePush UpdateVolume(const std::shared_ptr<grpc::Channel>& channel, float volume) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::UpdateRoomSettingsRequest request;
    request.set_room_id("world:1");
    request.set_volume(volume);
    v1::UpdateRoomSettingsResponse response;
    EXPECT_TRUE(v1::PlatformService::NewStub(channel)
                    ->UpdateRoomSettings(&context, request, &response)
                    .ok());
    return response.live_push();
  }

  testing::MosquittoBroker broker_{kUser, kPassword};
};

TEST_F(PushTest, SettingsAndAnnouncementsReachASubscriber) {
  ASSERT_TRUE(broker_.Start());
  auto db = testing::TestDatabase::Create(testing::Backend::kSqlite);
  ASSERT_NE(db, nullptr);
  AdapterProcess adapter(db->url(), Config("json"));
  ASSERT_TRUE(adapter.Start());
  auto channel = grpc::CreateChannel(adapter.grpc_target(), grpc::InsecureChannelCredentials());
  testing::MqttSubscriber subscriber;
  ASSERT_TRUE(subscriber.Connect(broker_.port(), kUser, kPassword, "rooms/#"));

  // The adapter connects in the background: wait until a push is published.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (UpdateVolume(channel, 0.42f) != v1::LIVE_PUSH_PUBLISHED &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto settings = subscriber.WaitFor("rooms/world:1/server/settings", "\"volume\":0.42",
                                     std::chrono::seconds(5));
  ASSERT_TRUE(settings.has_value());
  EXPECT_NE(settings->payload.find("\"room_id\":\"world:1\""), std::string::npos);

  grpc::ClientContext context;
  v1::AnnounceToRoomRequest request;
  request.set_room_id("event:1");
  request.set_text("Encore in 2 minutes");
  request.set_level(v1::ANNOUNCEMENT_LEVEL_IMPORTANT);
  v1::AnnounceToRoomResponse response;
  ASSERT_TRUE(
      v1::PlatformService::NewStub(channel)->AnnounceToRoom(&context, request, &response).ok());
  EXPECT_EQ(response.live_push(), v1::LIVE_PUSH_PUBLISHED);
  auto announcement = subscriber.WaitFor("rooms/event:1/server/announcements",
                                         "Encore in 2 minutes", std::chrono::seconds(5));
  ASSERT_TRUE(announcement.has_value());
  EXPECT_NE(announcement->payload.find(response.announcement_id()), std::string::npos);
  EXPECT_NE(announcement->payload.find("ANNOUNCEMENT_LEVEL_IMPORTANT"), std::string::npos);

  // Settings are retained: a late joiner gets them at once.
  testing::MqttSubscriber late;
  ASSERT_TRUE(late.Connect(broker_.port(), kUser, kPassword, "rooms/world:1/server/settings"));
  auto retained = late.WaitFor("rooms/world:1/server/settings", "0.42", std::chrono::seconds(5));
  ASSERT_TRUE(retained.has_value());
  EXPECT_TRUE(retained->retained);
  EXPECT_EQ(adapter.Stop(), 0);
}

TEST_F(PushTest, BrokerRestartIsSurvived) {
  ASSERT_TRUE(broker_.Start());
  auto db = testing::TestDatabase::Create(testing::Backend::kSqlite);
  ASSERT_NE(db, nullptr);
  AdapterProcess adapter(db->url(), Config("protobuf"));
  ASSERT_TRUE(adapter.Start());
  auto channel = grpc::CreateChannel(adapter.grpc_target(), grpc::InsecureChannelCredentials());
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (UpdateVolume(channel, 0.5f) != v1::LIVE_PUSH_PUBLISHED &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  broker_.Stop();
  // The broker is down: the change is stored, and the caller is told.
  const auto down = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  v1::LivePush push = v1::LIVE_PUSH_PUBLISHED;
  while (push == v1::LIVE_PUSH_PUBLISHED && std::chrono::steady_clock::now() < down) {
    push = UpdateVolume(channel, 0.25f);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(push, v1::LIVE_PUSH_BROKER_UNAVAILABLE);

  // The broker comes back without its retained messages (no persistence);
  // the adapter reconnects and republishes the latest settings.
  ASSERT_TRUE(broker_.Start());
  testing::MqttSubscriber subscriber;
  ASSERT_TRUE(subscriber.Connect(broker_.port(), kUser, kPassword, "rooms/+/server/settings"));
  auto republished =
      subscriber.WaitFor("rooms/world:1/server/settings", "", std::chrono::seconds(10));
  ASSERT_TRUE(republished.has_value());
  v1::RoomSettingsMessage message;
  ASSERT_TRUE(message.ParseFromString(republished->payload));
  EXPECT_EQ(message.room_id(), "world:1");
  EXPECT_FLOAT_EQ(message.settings().volume(), 0.25f);
  EXPECT_EQ(adapter.Stop(), 0);
}

}  // namespace
}  // namespace plaza::adapter
