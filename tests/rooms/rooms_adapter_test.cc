// The rooms plugin with `source: adapter` in the real plaza-broker, next to
// the auth plugin (which sets user.id from the platform token), against the
// real plaza-adapter on its SQLite demo data (adapter/demo/demo_data.sql):
// the roles the adapter gives (a performer and an audience member of
// event:1), its refusals (a banned user, an unknown room), a settings change
// made through PlatformService reaching a member live, and the adapter
// stopped (joins refused clearly, members unaffected) and started again.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "plaza/adapter/v1/platform.grpc.pb.h"
#include "plaza/adapter/v1/room_messages.pb.h"
#include "rooms_test_support.h"
#include "support/adapter_process.h"
#include "support/test_database.h"

namespace plaza::testing {
namespace {

using adapter::testing::AdapterProcess;
using adapter::testing::Backend;
using adapter::testing::TestDatabase;
namespace v1 = plaza::adapter::v1;

// Demo tokens: Aiko is event:1's artist, Ben an ordinary user, Dario is
// banned from event:1.
constexpr char kAiko[] = "demo-token-aiko-0001";
constexpr char kBen[] = "demo-token-ben-0002";
constexpr char kDario[] = "demo-token-dario-0004";

class RoomsAdapterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = TestDatabase::Create(Backend::kSqlite);
    ASSERT_TRUE(database_);
    adapter_ = std::make_unique<AdapterProcess>(database_->url(), AdapterProcess::DefaultConfig());
    ASSERT_TRUE(adapter_->Start());
    const std::string target = adapter_->grpc_target();
    const std::string auth = std::string("  - path: ") + PLAZA_AUTH_PLUGIN +
                             "\n    name: auth\n    config:\n      adapter: " + target +
                             "\n      deadline_ms: 1000\n";
    const std::string yaml = "plugins:\n" + auth +
                             RoomsBrokerYaml("source: adapter\nadapter: " + target +
                                             "\ndeadline_ms: 1000\nsnapshot_interval_ms: 0\n")
                                 .substr(std::string("plugins:\n").size());
    ASSERT_TRUE(broker_.Start(WithConfig(yaml, {"--threads", "2"}))) << broker_.error();
    ASSERT_TRUE(broker_.WaitForLog("[rooms] serving the rooms of plaza-adapter"));
  }

  void TearDown() override {
    if (HasFailure()) std::cerr << "broker log:\n" << broker_.log() << "\n";
  }

  // A client connected with a demo token, subscribed to its room's server
  // topics.
  std::unique_ptr<MosqClient> Member(const std::string& id, const std::string& token,
                                     const std::string& room) {
    auto client = std::make_unique<MosqClient>(broker_.port(), id);
    if (!client->SetCredentials("user", token) || !client->Connect() ||
        client->Subscribe("rooms/" + room + "/server/#", 1) < 0) {
      ADD_FAILURE() << id << ": " << client->error();
      return nullptr;
    }
    return client;
  }

  // Joins and returns the Reply; what arrived before it goes to *seen.
  std::optional<room::v1::Reply> Join(MosqClient& client, const std::string& room,
                                      std::vector<Received>* seen = nullptr) {
    if (!client.Publish("rooms/" + room + "/join", "", 1)) return std::nullopt;
    return ReceiveMatching<room::v1::Reply>(
        client, "rooms/" + room + "/server/reply", [](const room::v1::Reply&) { return true; },
        seen);
  }

  // Changes event:1's volume through the adapter's PlatformService.
  grpc::Status SetVolume(const std::string& room, float volume) {
    auto stub = v1::PlatformService::NewStub(
        grpc::CreateChannel(adapter_->grpc_target(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::UpdateRoomSettingsRequest request;
    request.set_room_id(room);
    request.set_volume(volume);
    v1::UpdateRoomSettingsResponse response;
    return stub->UpdateRoomSettings(&context, request, &response);
  }

  // Waits until `client` receives event:1's settings with `volume` (or
  // finds them among `earlier`).
  static bool WaitForVolume(MosqClient& client, float volume,
                            const std::vector<Received>& earlier = {}) {
    const auto matches = [&](const v1::RoomSettingsMessage& m) {
      return m.room_id() == "event:1" && m.settings().volume() == volume;
    };
    for (const Received& message : earlier) {
      v1::RoomSettingsMessage decoded;
      if (message.topic == "rooms/event:1/server/settings" &&
          DecodePayload(message.payload, &decoded) && matches(decoded)) {
        return true;
      }
    }
    return ReceiveMatching<v1::RoomSettingsMessage>(client, "rooms/event:1/server/settings",
                                                    matches)
        .has_value();
  }

  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<AdapterProcess> adapter_;
  BrokerProcess broker_;
};

TEST_F(RoomsAdapterTest, ThePerformerAndTheAudienceGetTheRolesOfTheAdapter) {
  auto aiko = Member("aiko", kAiko, "event:1");
  auto ben = Member("ben", kBen, "event:1");
  ASSERT_TRUE(aiko && ben);
  auto reply = Join(*aiko, "event:1");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->reason_code(), 0u);
  EXPECT_EQ(reply->reason(), "joined as performer");
  reply = Join(*ben, "event:1");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->reason_code(), 0u);
  EXPECT_EQ(reply->reason(), "joined as audience");
  // The member list everyone sees: user ids from the auth plugin, roles from
  // the adapter.
  const auto members = WaitForMembers(*aiko, "event:1", {"1", "2"});
  ASSERT_TRUE(members);
  EXPECT_EQ(members->kind(), "event");
  EXPECT_EQ(members->members(0).role(), "performer");
  EXPECT_EQ(members->members(1).role(), "audience");
}

TEST_F(RoomsAdapterTest, ABannedUserAndAnUnknownRoomAreRefused) {
  auto dario = Member("dario", kDario, "event:1");
  ASSERT_TRUE(dario);
  auto reply = Join(*dario, "event:1");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->reason_code(), 0x8Au);
  EXPECT_FALSE(reply->reason().empty());
  auto ben = Member("ben", kBen, "event:999");
  ASSERT_TRUE(ben);
  reply = Join(*ben, "event:999");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->reason_code(), 0x90u);
  EXPECT_EQ(reply->reason(), "no such room 'event:999'");
}

TEST_F(RoomsAdapterTest, ASettingsChangeThroughTheAdapterReachesMembersLive) {
  auto ben = Member("ben", kBen, "event:1");
  ASSERT_TRUE(ben);
  std::vector<Received> seen;
  auto reply = Join(*ben, "event:1", &seen);
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->reason_code(), 0u);
  ASSERT_TRUE(WaitForVolume(*ben, 0.9f, seen));  // the demo's audio_level_pct
  const grpc::Status status = SetVolume("event:1", 0.25f);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(WaitForVolume(*ben, 0.25f));
}

TEST_F(RoomsAdapterTest, WithTheAdapterStoppedJoinsAreRefusedAndMembersStay) {
  auto ben = Member("ben", kBen, "event:1");
  auto aiko = Member("aiko", kAiko, "event:1");
  ASSERT_TRUE(ben && aiko);
  std::vector<Received> seen;
  auto reply = Join(*ben, "event:1", &seen);
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->reason_code(), 0u);
  ASSERT_TRUE(WaitForVolume(*ben, 0.9f, seen));

  const std::string port = adapter_->grpc_target().substr(adapter_->grpc_target().rfind(':') + 1);
  ASSERT_EQ(adapter_->Stop(), 0);
  reply = Join(*aiko, "event:1");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->reason_code(), 0x88u);
  EXPECT_NE(reply->reason().find("room service unavailable"), std::string::npos) << reply->reason();

  // Started again on the same port: the watch comes back by itself, and
  // Ben, still a member, hears the next change.
  adapter_->set_grpc_listen("127.0.0.1:" + port);
  ASSERT_TRUE(adapter_->Start());
  const grpc::Status status = SetVolume("event:1", 0.5f);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(WaitForVolume(*ben, 0.5f));
  reply = Join(*aiko, "event:1");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->reason(), "joined as performer");
  const auto members = WaitForMembers(*ben, "event:1", {"2", "1"});
  EXPECT_TRUE(members);
}

}  // namespace
}  // namespace plaza::testing
