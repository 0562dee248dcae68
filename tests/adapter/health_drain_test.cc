// Readiness and the drain, on both engines, against the real process:
// SERVING only while the database answers, NOT_SERVING first on SIGTERM
// while calls are still served, then a clean exit within the deadline.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "plaza/adapter/v1/probe.grpc.pb.h"
#include "plaza/adapter/v1/rooms.grpc.pb.h"
#include "support/adapter_process.h"
#include "support/test_database.h"

namespace plaza::adapter {
namespace {

using testing::AdapterProcess;
using testing::Backend;

// grpc.health.v1.Health/Check by hand (the generated health stubs are not
// part of Debian's gRPC): the request {service: ""} is empty on the wire, and
// the response's field 1 is the status enum.
enum class Health { kServing, kNotServing, kError };

Health CheckHealth(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::ByteBuffer request, response;
  grpc::Slice empty("");
  request = grpc::ByteBuffer(&empty, 1);
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;
  grpc::Status status;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   std::lock_guard lock(mu);
                   status = std::move(s);
                   done = true;
                   done_cv.notify_one();
                 });
  std::unique_lock lock(mu);
  done_cv.wait(lock, [&] { return done; });
  if (!status.ok()) return Health::kError;
  std::vector<grpc::Slice> slices;
  response.Dump(&slices);
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  // 0x08 <status>: SERVING is 1, NOT_SERVING 2.
  if (bytes.size() == 2 && bytes[0] == 0x08 && bytes[1] == 1) return Health::kServing;
  return Health::kNotServing;
}

grpc::StatusCode Probe(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::ProbeResponse response;
  return v1::LoadBalancerProbe::NewStub(channel)
      ->Check(&context, v1::ProbeRequest(), &response)
      .error_code();
}

bool Eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < give_up) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return condition();
}

grpc::StatusCode Describe(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::DescribeRoomRequest request;
  request.set_room_id("event:1");
  v1::DescribeRoomResponse response;
  return v1::RoomService::NewStub(channel)->DescribeRoom(&context, request, &response).error_code();
}

class HealthDrainTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    PLAZA_REQUIRE_BACKEND(GetParam());
    db_ = testing::TestDatabase::Create(GetParam());
    ASSERT_NE(db_, nullptr);
  }
  std::unique_ptr<testing::TestDatabase> db_;
};

TEST_P(HealthDrainTest, NotServingUntilTheDatabaseAnswers) {
  AdapterProcess adapter(db_->MissingUrl(), AdapterProcess::DefaultConfig());
  ASSERT_TRUE(adapter.Start());
  auto channel = grpc::CreateChannel(adapter.grpc_target(), grpc::InsecureChannelCredentials());
  EXPECT_EQ(CheckHealth(channel), Health::kNotServing);
  EXPECT_EQ(Probe(channel), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Describe(channel), grpc::StatusCode::UNAVAILABLE);
  db_->CreateMissing();
  EXPECT_TRUE(Eventually([&] { return CheckHealth(channel) == Health::kServing; }));
  EXPECT_EQ(Probe(channel), grpc::StatusCode::OK);
  EXPECT_EQ(Describe(channel), grpc::StatusCode::OK);
  EXPECT_EQ(adapter.Stop(), 0);
}

TEST_P(HealthDrainTest, SigtermDrainsGracefully) {
  std::string config = AdapterProcess::DefaultConfig();
  config.replace(config.find("grace_ms: 800"), 13, "grace_ms: 1500");
  AdapterProcess adapter(db_->url(), config);
  ASSERT_TRUE(adapter.Start());
  auto channel = grpc::CreateChannel(adapter.grpc_target(), grpc::InsecureChannelCredentials());
  ASSERT_EQ(CheckHealth(channel), Health::kServing);
  ASSERT_EQ(Probe(channel), grpc::StatusCode::OK);

  // A stream open before the drain is ended with UNAVAILABLE, not cut.
  grpc::ClientContext watch_context;
  v1::WatchRoomRequest watch;
  watch.set_room_id("world:1");
  auto reader = v1::RoomService::NewStub(channel)->WatchRoom(&watch_context, watch);
  v1::RoomUpdate update;
  ASSERT_TRUE(reader->Read(&update));

  const auto signalled = std::chrono::steady_clock::now();
  adapter.Signal(SIGTERM);
  // First: NOT_SERVING, while calls are still answered.
  EXPECT_TRUE(Eventually([&] { return CheckHealth(channel) == Health::kNotServing; },
                         std::chrono::milliseconds(1000)));
  EXPECT_EQ(Probe(channel), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Describe(channel), grpc::StatusCode::OK);
  // Then the stream ends and the process exits cleanly after the grace.
  while (reader->Read(&update)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(adapter.WaitForExit(std::chrono::seconds(10)), 0);
  EXPECT_GE(std::chrono::steady_clock::now() - signalled, std::chrono::milliseconds(1400));
}

TEST_P(HealthDrainTest, ReflectionListsTheServices) {
  AdapterProcess adapter(db_->url(), AdapterProcess::DefaultConfig());
  ASSERT_TRUE(adapter.Start());
  auto channel = grpc::CreateChannel(adapter.grpc_target(), grpc::InsecureChannelCredentials());
  // ServerReflectionInfo, list_services: field 7 (string "") = 0x3a 0x00.
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(
      &context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag;
  bool ok;
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  const char list[] = {0x3a, 0x00};
  grpc::Slice slice(list, 2);
  grpc::ByteBuffer request(&slice, 1);
  call->Write(request, reinterpret_cast<void*>(2));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  grpc::ByteBuffer response;
  call->Read(&response, reinterpret_cast<void*>(3));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  std::vector<grpc::Slice> slices;
  response.Dump(&slices);
  std::string bytes;
  for (const grpc::Slice& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  for (const char* service : {"plaza.adapter.v1.RoomService", "plaza.adapter.v1.IdentityService",
                              "plaza.adapter.v1.PlatformService", "grpc.health.v1.Health"}) {
    EXPECT_NE(bytes.find(service), std::string::npos) << service;
  }
  call->WritesDone(reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  while (cq.Next(&tag, &ok) && tag != reinterpret_cast<void*>(5)) {
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  EXPECT_EQ(adapter.Stop(), 0);
}

// PostgreSQL only: an open SQLite file cannot go away under the adapter.
TEST(PostgresHealthTest, DatabaseLostMeansNotServing) {
  PLAZA_REQUIRE_BACKEND(Backend::kPostgres);
  auto db = testing::TestDatabase::Create(Backend::kPostgres);
  ASSERT_NE(db, nullptr);
  AdapterProcess adapter(db->url(), AdapterProcess::DefaultConfig());
  ASSERT_TRUE(adapter.Start());
  auto channel = grpc::CreateChannel(adapter.grpc_target(), grpc::InsecureChannelCredentials());
  ASSERT_EQ(CheckHealth(channel), Health::kServing);
  db->DropWhileInUse();
  EXPECT_TRUE(Eventually([&] { return CheckHealth(channel) == Health::kNotServing; }));
  EXPECT_EQ(Probe(channel), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Describe(channel), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(adapter.Stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, HealthDrainTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName<::testing::TestParamInfo<Backend>>);

}  // namespace
}  // namespace plaza::adapter
