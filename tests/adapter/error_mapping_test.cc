// Database errors become the gRPC codes a caller can act on, and the
// engine's own message never reaches the caller.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "db/error_mapping.h"
#include "service/call_offload.h"

namespace plaza::adapter::db {
namespace {

using absl::StatusCode;

TEST(ErrorMappingTest, Sqlite) {
  EXPECT_EQ(MapSqliteError(SQLITE_BUSY, "").code(), StatusCode::kUnavailable);
  EXPECT_EQ(MapSqliteError(SQLITE_LOCKED, "").code(), StatusCode::kUnavailable);
  EXPECT_EQ(MapSqliteError(SQLITE_INTERRUPT, "").code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(MapSqliteError(SQLITE_CONSTRAINT_UNIQUE, "").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(MapSqliteError(SQLITE_CONSTRAINT_PRIMARYKEY, "").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(MapSqliteError(SQLITE_CONSTRAINT_FOREIGNKEY, "").code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(MapSqliteError(SQLITE_CANTOPEN, "").code(), StatusCode::kUnavailable);
  EXPECT_EQ(MapSqliteError(SQLITE_IOERR_READ, "").code(), StatusCode::kUnavailable);
  EXPECT_EQ(MapSqliteError(SQLITE_FULL, "").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(MapSqliteError(SQLITE_CORRUPT, "").code(), StatusCode::kDataLoss);
  EXPECT_EQ(MapSqliteError(SQLITE_ERROR, "no such table: users").code(), StatusCode::kInternal);
}

TEST(ErrorMappingTest, Postgres) {
  EXPECT_EQ(MapPostgresError("57014", false, "").code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(MapPostgresError("40001", false, "").code(), StatusCode::kAborted);
  EXPECT_EQ(MapPostgresError("40P01", false, "").code(), StatusCode::kAborted);
  EXPECT_EQ(MapPostgresError("23505", false, "").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(MapPostgresError("23503", false, "").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(MapPostgresError("53300", false, "").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(MapPostgresError("08006", false, "").code(), StatusCode::kUnavailable);
  EXPECT_EQ(MapPostgresError("57P01", false, "").code(), StatusCode::kUnavailable);
  EXPECT_EQ(MapPostgresError("3D000", false, "").code(), StatusCode::kUnavailable);
  EXPECT_EQ(MapPostgresError("28P01", false, "").code(), StatusCode::kUnavailable);
  EXPECT_EQ(MapPostgresError("", true, "server closed the connection").code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(MapPostgresError("XX001", false, "").code(), StatusCode::kDataLoss);
  EXPECT_EQ(MapPostgresError("42P01", false, "").code(), StatusCode::kInternal);
}

TEST(ErrorMappingTest, EngineDetailStaysInTheLog) {
  const absl::Status status = MapPostgresError("23505", false, "Key (access_token)=(secret)");
  EXPECT_EQ(std::string(status.message()).find("secret"), std::string::npos);
  EXPECT_EQ(std::string(status.message()).rfind("database: ", 0), 0u);
}

TEST(ErrorMappingTest, StatusCodesCarryOverToGrpc) {
  const grpc::Status status =
      service::ToGrpcStatus(absl::UnavailableError("database: database unavailable"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message(), "database: database unavailable");
  EXPECT_TRUE(service::ToGrpcStatus(absl::OkStatus()).ok());
}

}  // namespace
}  // namespace plaza::adapter::db
