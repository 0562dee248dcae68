// The real plaza-adapter process over real gRPC, on SQLite and PostgreSQL:
// every RPC's answers, its INVALID_ARGUMENT and NOT_FOUND cases, WatchRoom,
// and reflection.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <thread>

#include "db/database.h"
#include "plaza/adapter/v1/identity.grpc.pb.h"
#include "plaza/adapter/v1/platform.grpc.pb.h"
#include "plaza/adapter/v1/rooms.grpc.pb.h"
#include "support/adapter_process.h"
#include "support/test_database.h"

namespace plaza::adapter {
namespace {

using testing::AdapterProcess;
using testing::Backend;

class GrpcIntegrationTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    PLAZA_REQUIRE_BACKEND(GetParam());
    db_ = testing::TestDatabase::Create(GetParam());
    ASSERT_NE(db_, nullptr);
    adapter_ = std::make_unique<AdapterProcess>(db_->url(), AdapterProcess::DefaultConfig());
    ASSERT_TRUE(adapter_->Start());
    channel_ = grpc::CreateChannel(adapter_->grpc_target(), grpc::InsecureChannelCredentials());
    identity_ = v1::IdentityService::NewStub(channel_);
    rooms_ = v1::RoomService::NewStub(channel_);
    platform_ = v1::PlatformService::NewStub(channel_);
  }

  void TearDown() override {
    if (adapter_ != nullptr && adapter_->pid() > 0) {
      EXPECT_EQ(adapter_->Stop(), 0);
    }
  }

  static void Deadline(grpc::ClientContext& context) {
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  }

  grpc::Status Describe(const std::string& room_id, v1::DescribeRoomResponse* response) {
    grpc::ClientContext context;
    Deadline(context);
    v1::DescribeRoomRequest request;
    request.set_room_id(room_id);
    return rooms_->DescribeRoom(&context, request, response);
  }

  grpc::Status Authorize(const std::string& user, const std::string& room,
                         v1::AuthorizeJoinResponse* response) {
    grpc::ClientContext context;
    Deadline(context);
    v1::AuthorizeJoinRequest request;
    request.set_user_id(user);
    request.set_room_id(room);
    return rooms_->AuthorizeJoin(&context, request, response);
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<AdapterProcess> adapter_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::IdentityService::Stub> identity_;
  std::unique_ptr<v1::RoomService::Stub> rooms_;
  std::unique_ptr<v1::PlatformService::Stub> platform_;
};

TEST_P(GrpcIntegrationTest, Authenticate) {
  const auto call = [&](const std::string& token, v1::AuthenticateResponse* response) {
    grpc::ClientContext context;
    Deadline(context);
    v1::AuthenticateRequest request;
    request.set_token(token);
    return identity_->Authenticate(&context, request, response);
  };
  v1::AuthenticateResponse response;
  ASSERT_TRUE(call("demo-token-gina-0007", &response).ok());
  EXPECT_EQ(response.user().user_id(), "7");
  EXPECT_EQ(response.user().display_name(), "Gina Admin");
  EXPECT_EQ(response.user().platform_roles_size(), 3);
  ASSERT_TRUE(call("demo-token-ben-expired", &response).ok());
  EXPECT_EQ(response.refusal().reason(), v1::AUTH_REFUSAL_REASON_EXPIRED);
  ASSERT_TRUE(call("demo-token-emi-0005", &response).ok());
  EXPECT_EQ(response.refusal().reason(), v1::AUTH_REFUSAL_REASON_SUSPENDED);
  ASSERT_TRUE(call("no-such-token-at-all", &response).ok());
  EXPECT_EQ(response.refusal().reason(), v1::AUTH_REFUSAL_REASON_UNKNOWN_TOKEN);
  const grpc::Status invalid = call("short", &response);
  EXPECT_EQ(invalid.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(invalid.error_message().find("token"), std::string::npos);
}

TEST_P(GrpcIntegrationTest, DescribeRoom) {
  v1::DescribeRoomResponse response;
  ASSERT_TRUE(Describe("event:1", &response).ok());
  EXPECT_EQ(response.room().kind(), v1::ROOM_KIND_EVENT);
  EXPECT_EQ(response.room().capacity(), 3000);
  EXPECT_EQ(response.room().performers_size(), 3);
  ASSERT_TRUE(Describe("world:2", &response).ok());
  EXPECT_EQ(response.room().title(), "Felix's Workshop");
  EXPECT_EQ(Describe("event:4", &response).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Describe("world:424242", &response).error_code(), grpc::StatusCode::NOT_FOUND);
  const grpc::Status invalid = Describe("lobby", &response);
  EXPECT_EQ(invalid.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(invalid.error_message().find("room_id"), std::string::npos);
}

TEST_P(GrpcIntegrationTest, AuthorizeJoin) {
  v1::AuthorizeJoinResponse response;
  ASSERT_TRUE(Authorize("2", "event:1", &response).ok());
  EXPECT_TRUE(response.allowed());
  EXPECT_EQ(response.role(), v1::ROOM_ROLE_AUDIENCE);
  ASSERT_TRUE(Authorize("1", "event:1", &response).ok());
  EXPECT_EQ(response.role(), v1::ROOM_ROLE_PERFORMER);
  ASSERT_TRUE(Authorize("4", "event:1", &response).ok());
  EXPECT_FALSE(response.allowed());
  EXPECT_EQ(response.refusal_reason(), v1::JOIN_REFUSAL_REASON_BANNED);
  ASSERT_TRUE(Authorize("2", "event:3", &response).ok());
  EXPECT_EQ(response.refusal_reason(), v1::JOIN_REFUSAL_REASON_CANCELLED);
  ASSERT_TRUE(Authorize("6", "world:1", &response).ok());
  EXPECT_EQ(response.role(), v1::ROOM_ROLE_OWNER);
  ASSERT_TRUE(Authorize("1", "world:2", &response).ok());
  EXPECT_EQ(response.role(), v1::ROOM_ROLE_PEER);  // invited
  EXPECT_EQ(Authorize("999", "world:1", &response).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Authorize("x", "world:1", &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_P(GrpcIntegrationTest, UpdateSettingsThenDescribeSeesIt) {
  grpc::ClientContext context;
  Deadline(context);
  v1::UpdateRoomSettingsRequest request;
  request.set_room_id("world:1");
  request.set_volume(0.3f);
  request.set_venue_asset_url("https://assets.example.com/worlds/night.bundle");
  v1::UpdateRoomSettingsResponse response;
  ASSERT_TRUE(platform_->UpdateRoomSettings(&context, request, &response).ok());
  EXPECT_FLOAT_EQ(response.settings().volume(), 0.3f);
  EXPECT_EQ(response.live_push(), v1::LIVE_PUSH_DISABLED);
  v1::DescribeRoomResponse described;
  ASSERT_TRUE(Describe("world:1", &described).ok());  // not the stale cached one
  EXPECT_EQ(described.room().settings().venue_asset_url(),
            "https://assets.example.com/worlds/night.bundle");

  grpc::ClientContext event_context;
  Deadline(event_context);
  request.set_room_id("event:1");
  EXPECT_EQ(platform_->UpdateRoomSettings(&event_context, request, &response).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  grpc::ClientContext bad_context;
  Deadline(bad_context);
  request.set_volume(2.0f);
  const grpc::Status bad = platform_->UpdateRoomSettings(&bad_context, request, &response);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(bad.error_message().find("volume"), std::string::npos);
}

TEST_P(GrpcIntegrationTest, AnnounceToRoom) {
  grpc::ClientContext context;
  Deadline(context);
  v1::AnnounceToRoomRequest request;
  request.set_room_id("event:1");
  request.set_text("Doors open in five minutes");
  v1::AnnounceToRoomResponse response;
  ASSERT_TRUE(platform_->AnnounceToRoom(&context, request, &response).ok());
  EXPECT_FALSE(response.announcement_id().empty());
  grpc::ClientContext missing;
  Deadline(missing);
  request.set_room_id("event:999");
  EXPECT_EQ(platform_->AnnounceToRoom(&missing, request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_P(GrpcIntegrationTest, WatchRoomStreamsChanges) {
  grpc::ClientContext context;
  Deadline(context);
  v1::WatchRoomRequest request;
  request.set_room_id("world:1");
  std::unique_ptr<grpc::ClientReader<v1::RoomUpdate>> reader = rooms_->WatchRoom(&context, request);
  v1::RoomUpdate update;
  ASSERT_TRUE(reader->Read(&update));
  EXPECT_EQ(update.sequence(), 1);
  EXPECT_FLOAT_EQ(update.room().settings().volume(), 0.7f);

  grpc::ClientContext change_context;
  Deadline(change_context);
  v1::UpdateRoomSettingsRequest change;
  change.set_room_id("world:1");
  change.set_volume(0.1f);
  v1::UpdateRoomSettingsResponse changed;
  ASSERT_TRUE(platform_->UpdateRoomSettings(&change_context, change, &changed).ok());
  ASSERT_TRUE(reader->Read(&update));
  EXPECT_EQ(update.sequence(), 2);
  EXPECT_FLOAT_EQ(update.room().settings().volume(), 0.1f);

  // A change made by the web API directly in its database shows within the
  // poll interval.
  db::DatabaseOptions options;
  options.url = db_->url();
  absl::StatusOr<std::unique_ptr<db::Database>> web_api = db::Database::Create(options);
  ASSERT_TRUE(web_api.ok());
  ASSERT_TRUE((*web_api)->Query("UPDATE worlds SET name = 'Renamed Plaza' WHERE id = 1").ok());
  ASSERT_TRUE(reader->Read(&update));
  EXPECT_EQ(update.sequence(), 3);
  EXPECT_EQ(update.room().title(), "Renamed Plaza");

  context.TryCancel();
  while (reader->Read(&update)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_P(GrpcIntegrationTest, WatchRoomRefusesBadAndMissingRooms) {
  for (const auto& [room_id, code] : std::vector<std::pair<std::string, grpc::StatusCode>>{
           {"nope", grpc::StatusCode::INVALID_ARGUMENT},
           {"event:4", grpc::StatusCode::NOT_FOUND}}) {
    grpc::ClientContext context;
    Deadline(context);
    v1::WatchRoomRequest request;
    request.set_room_id(room_id);
    auto reader = rooms_->WatchRoom(&context, request);
    v1::RoomUpdate update;
    EXPECT_FALSE(reader->Read(&update));
    EXPECT_EQ(reader->Finish().error_code(), code) << room_id;
  }
}

TEST_P(GrpcIntegrationTest, ExpiredDeadlineIsHonoured) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() - std::chrono::seconds(1));
  v1::DescribeRoomRequest request;
  request.set_room_id("event:1");
  v1::DescribeRoomResponse response;
  EXPECT_EQ(rooms_->DescribeRoom(&context, request, &response).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  // The adapter is unharmed.
  EXPECT_TRUE(Describe("event:1", &response).ok());
}

INSTANTIATE_TEST_SUITE_P(Engines, GrpcIntegrationTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName<::testing::TestParamInfo<Backend>>);

}  // namespace
}  // namespace plaza::adapter
