// Unit tests of the ownership plugin's payloads (plugins/ownership/
// payload_codec.h) and of its publishing thread's order
// (serial_publisher.h).
#include "payload_codec.h"

#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "plaza/room/v1/room.pb.h"
#include "serial_publisher.h"

namespace plaza::ownership {
namespace {

using plaza::room::v1::ItemOwner;
using plaza::room::v1::ItemRequest;
using plaza::room::v1::Reply;

TEST(PayloadCodecTest, AnEmptyRequestHasNoFields) {
  ItemRequest request;
  request.set_epoch(9);
  std::string error;
  ASSERT_TRUE(ParseRequest("", PayloadFormat::kProtobuf, &request, &error));
  EXPECT_EQ(request.epoch(), 0u);
  EXPECT_EQ(request.to_user_id(), "");
}

TEST(PayloadCodecTest, RequestsAreReadAsProtobufAndInJsonModeAsJson) {
  ItemRequest sent;
  sent.set_to_user_id("ben");
  sent.set_epoch(4);
  ItemRequest got;
  std::string error;
  ASSERT_TRUE(ParseRequest(sent.SerializeAsString(), PayloadFormat::kJson, &got, &error));
  EXPECT_EQ(got.to_user_id(), "ben");
  ASSERT_TRUE(
      ParseRequest(R"({"to_user_id": "cid", "epoch": "7"})", PayloadFormat::kJson, &got, &error));
  EXPECT_EQ(got.to_user_id(), "cid");
  EXPECT_EQ(got.epoch(), 7u);
  EXPECT_FALSE(ParseRequest(R"({"epoch": "x"})", PayloadFormat::kJson, &got, &error));
  EXPECT_EQ(error, "not an ItemRequest in JSON");
  EXPECT_FALSE(ParseRequest("\xff\xff\xff", PayloadFormat::kProtobuf, &got, &error));
  EXPECT_EQ(error, "not an ItemRequest");
}

TEST(PayloadCodecTest, OwnerStatesEncodeInEitherFormat) {
  OwnerChange change{"r", "left", "ann", 3, ChangeKind::kTransferred, {"left", "right"}};
  ItemOwner owner;
  ASSERT_TRUE(owner.ParseFromString(EncodeOwner(change, 1234, PayloadFormat::kProtobuf)));
  EXPECT_EQ(owner.room_id(), "r");
  EXPECT_EQ(owner.item_id(), "left");
  EXPECT_EQ(owner.owner_user_id(), "ann");
  EXPECT_EQ(owner.epoch(), 3u);
  EXPECT_EQ(owner.change(), plaza::room::v1::OWNER_CHANGE_TRANSFERRED);
  EXPECT_EQ(owner.group_item_ids_size(), 2);
  EXPECT_EQ(owner.changed_at_unix_ms(), 1234);
  change.owner_user_id.clear();
  const std::string json = EncodeOwner(change, 1234, PayloadFormat::kJson);
  EXPECT_NE(json.find(R"("owner_user_id":"")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("epoch":"3")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("change":"OWNER_CHANGE_TRANSFERRED")"), std::string::npos) << json;
}

TEST(PayloadCodecTest, RepliesCarryTheRequestAndItsCorrelationData) {
  Reply reply;
  ASSERT_TRUE(reply.ParseFromString(
      EncodeReply("rooms/r/items/i/claim", 0x80, "held", "\x01\x02", PayloadFormat::kProtobuf)));
  EXPECT_EQ(reply.request_topic(), "rooms/r/items/i/claim");
  EXPECT_EQ(reply.reason_code(), 0x80u);
  EXPECT_EQ(reply.reason(), "held");
  EXPECT_EQ(reply.correlation_data(), "\x01\x02");
  EXPECT_NE(EncodeReply("t", 0, "ok", "", PayloadFormat::kJson).find(R"("reason_code":0)"),
            std::string::npos);
}

TEST(SerialPublisherTest, ChangesArePublishedInTheirOrderAndAllBeforeItStops) {
  std::mutex mutex;
  std::vector<uint64_t> epochs;
  int batches = 0;
  {
    SerialPublisher publisher(
        [&](const OwnerChange& change, int64_t stamp) {
          EXPECT_GT(stamp, 0);
          std::lock_guard lock(mutex);
          epochs.push_back(change.epoch);
        },
        [&] {
          std::lock_guard lock(mutex);
          ++batches;
        });
    for (uint64_t epoch = 1; epoch <= 500; ++epoch) {
      publisher.OnOwnerChanged({"r", "i", "", epoch, ChangeKind::kClaimed, {}});
    }
  }
  ASSERT_EQ(epochs.size(), 500u);
  for (size_t i = 0; i < epochs.size(); ++i) EXPECT_EQ(epochs[i], i + 1);
  EXPECT_GE(batches, 1);
}

}  // namespace
}  // namespace plaza::ownership
