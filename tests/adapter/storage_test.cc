// The storage layer on both engines: migrations (idempotent), demo data,
// every PlatformStore query, and RoomDirectory on top of them. The same
// tests, parameterized by engine.
#include <gtest/gtest.h>

#include "db/database.h"
#include "db/embedded_sql.h"
#include "db/migrator.h"
#include "platform/platform_store.h"
#include "service/room_directory.h"
#include "support/test_database.h"

namespace plaza::adapter {
namespace {

using testing::Backend;

class StorageTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    PLAZA_REQUIRE_BACKEND(GetParam());
    test_db_ = testing::TestDatabase::Create(GetParam());
    ASSERT_NE(test_db_, nullptr);
    db::DatabaseOptions options;
    options.url = test_db_->url();
    options.pool_size = 2;
    absl::StatusOr<std::unique_ptr<db::Database>> database = db::Database::Create(options);
    ASSERT_TRUE(database.ok()) << database.status();
    database_ = std::move(*database);
    ASSERT_TRUE(db::Migrate(*database_, db::Migrations()).ok());
    ASSERT_TRUE(db::LoadDemoDataIfEmpty(*database_, db::DemoData()).ok());
    store_ = std::make_unique<platform::PlatformStore>(*database_);
    directory_ = std::make_unique<service::RoomDirectory>(*store_, cache_,
                                                          [] { return int64_t{1'800'000'000}; });
    directory_->SetSchemaReady(true);
  }

  std::unique_ptr<testing::TestDatabase> test_db_;
  std::unique_ptr<db::Database> database_;
  std::unique_ptr<platform::PlatformStore> store_;
  service::RoomCache cache_{std::chrono::seconds(60), 100};
  std::unique_ptr<service::RoomDirectory> directory_;
};

TEST_P(StorageTest, MigrationsAndDemoDataRunOnce) {
  EXPECT_TRUE(db::Migrate(*database_, db::Migrations()).ok());
  EXPECT_TRUE(db::LoadDemoDataIfEmpty(*database_, db::DemoData()).ok());
  const absl::StatusOr<db::ResultSet> users = database_->Query("SELECT COUNT(*) FROM users");
  ASSERT_TRUE(users.ok());
  EXPECT_EQ(*db::ColumnInt(users->rows.at(0), 0), 8);
  const absl::StatusOr<db::ResultSet> versions =
      database_->Query("SELECT version FROM schema_migrations");
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->rows.size(), db::Migrations().size());
}

TEST_P(StorageTest, StoreReadsThePlatformSchema) {
  const auto session = store_->FindSessionByToken("demo-token-ben-revoked");
  ASSERT_TRUE(session.ok() && session->has_value());
  EXPECT_EQ((*session)->user_id, 2);
  EXPECT_TRUE((*session)->revoked_at.has_value());
  EXPECT_FALSE(store_->FindSessionByToken("nope-nope-nope-nope")->has_value());
  const auto user = store_->FindUser(1);
  ASSERT_TRUE(user.ok() && user->has_value());
  EXPECT_EQ((*user)->avatar_model_url, "https://assets.example.com/avatars/aiko.vrm");
  EXPECT_EQ((*store_->FindUser(2))->avatar_model_url, "");  // NULL
  const auto event = store_->FindEvent(1);
  ASSERT_TRUE(event.ok() && event->has_value());
  EXPECT_EQ((*event)->venue.name, "Neon Dome");
  EXPECT_EQ((*event)->ticket_limit, 3000);
  EXPECT_FALSE((*store_->FindEvent(2))->ticket_limit.has_value());
  const auto cast = store_->ListCast(1);
  ASSERT_TRUE(cast.ok());
  ASSERT_EQ(cast->size(), 3u);
  EXPECT_EQ(cast->front().display_name, "Aiko Stage");
  EXPECT_EQ(*store_->IsInvited(2, 1), true);
  EXPECT_EQ(*store_->IsInvited(2, 2), false);
  EXPECT_EQ(store_->ActiveBans(4)->size(), 2u);
  EXPECT_EQ(store_->ActiveBans(2)->size(), 0u);  // lifted
  EXPECT_FALSE(store_->FindWorld(99)->has_value());
}

TEST_P(StorageTest, UpdatesStoreAndNullEmptyUrls) {
  platform::WorldSettingsChange change;
  change.master_volume_pct = 33;
  change.ambient_track_url = "";
  ASSERT_TRUE(store_->UpdateWorldSettings(1, change, 1'800'000'000).ok());
  const auto world = store_->FindWorld(1);
  EXPECT_EQ((*world)->master_volume_pct, 33);
  EXPECT_EQ((*world)->ambient_track_url, "");
  const absl::StatusOr<db::ResultSet> null_check =
      database_->Query("SELECT COUNT(*) FROM worlds WHERE id = 1 AND ambient_track_url IS NULL");
  EXPECT_EQ(*db::ColumnInt(null_check->rows.at(0), 0), 1);
  EXPECT_EQ(store_->UpdateWorldSettings(99, change, 0).code(), absl::StatusCode::kNotFound);
}

TEST_P(StorageTest, DirectoryAnswersInRoomTerms) {
  const auto auth = directory_->Authenticate("demo-token-aiko-0001");
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->user().display_name(), "Aiko Stage");
  EXPECT_EQ(directory_->Authenticate("demo-token-hana-0008")->refusal().reason(),
            v1::AUTH_REFUSAL_REASON_BANNED);
  const auto room = directory_->DescribeRoom({v1::ROOM_KIND_EVENT, 1});
  ASSERT_TRUE(room.ok());
  EXPECT_EQ(room->performers_size(), 3);
  EXPECT_EQ(directory_->DescribeRoom({v1::ROOM_KIND_EVENT, 4}).status().code(),
            absl::StatusCode::kNotFound);  // a draft
  EXPECT_EQ(directory_->DescribeRoom({v1::ROOM_KIND_WORLD, 3}).status().code(),
            absl::StatusCode::kNotFound);  // archived
  EXPECT_EQ(directory_->AuthorizeJoin(2, {v1::ROOM_KIND_EVENT, 2})->refusal_reason(),
            v1::JOIN_REFUSAL_REASON_NOT_OPEN_YET);
  EXPECT_EQ(directory_->AuthorizeJoin(2, {v1::ROOM_KIND_EVENT, 5})->refusal_reason(),
            v1::JOIN_REFUSAL_REASON_ENDED);
  EXPECT_EQ(directory_->AuthorizeJoin(99, {v1::ROOM_KIND_EVENT, 1}).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(StorageTest, UpdateSettingsInvalidatesTheCache) {
  const RoomRef world{v1::ROOM_KIND_WORLD, 1};
  ASSERT_FLOAT_EQ(directory_->DescribeRoom(world)->settings().volume(), 0.7f);
  v1::UpdateRoomSettingsRequest request;
  request.set_volume(0.25f);
  const auto updated = directory_->UpdateSettings(world, request);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_FLOAT_EQ(updated->settings().volume(), 0.25f);
  EXPECT_FLOAT_EQ(directory_->DescribeRoom(world)->settings().volume(), 0.25f);
  request.set_venue_asset_url("https://x.example/stage.bundle");
  EXPECT_EQ(directory_->UpdateSettings({v1::ROOM_KIND_EVENT, 1}, request).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_P(StorageTest, NotReadyBeforeMigration) {
  directory_->SetSchemaReady(false);
  EXPECT_EQ(directory_->DescribeRoom({v1::ROOM_KIND_WORLD, 1}).status().code(),
            absl::StatusCode::kUnavailable);
}

INSTANTIATE_TEST_SUITE_P(Engines, StorageTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendTestName<::testing::TestParamInfo<Backend>>);

}  // namespace
}  // namespace plaza::adapter
