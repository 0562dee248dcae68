// Database error -> gRPC code. The rule: what a retry (perhaps on another
// adapter instance) can fix is UNAVAILABLE; a statement that ran out of time
// is DEADLINE_EXCEEDED; a constraint the platform data enforces is
// ALREADY_EXISTS or FAILED_PRECONDITION; corrupted storage is DATA_LOSS;
// anything else is the adapter's own bug, INTERNAL.
#include "db/error_mapping.h"

#include <sqlite3.h>

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace plaza::adapter::db {
namespace {

absl::Status Logged(absl::StatusCode code, std::string_view category, std::string_view engine,
                    std::string_view detail) {
  std::fprintf(stderr, "plaza-adapter: %.*s error (%.*s): %.*s\n", static_cast<int>(engine.size()),
               engine.data(), static_cast<int>(category.size()), category.data(),
               static_cast<int>(detail.size()), detail.data());
  return absl::Status(code, absl::StrCat("database: ", AsAbsl(category)));
}

}  // namespace

absl::Status MapSqliteError(int extended_code, std::string_view detail) {
  switch (extended_code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Logged(absl::StatusCode::kUnavailable, "busy, retry", "sqlite", detail);
    case SQLITE_INTERRUPT:
      return Logged(absl::StatusCode::kDeadlineExceeded, "statement timed out", "sqlite", detail);
    case SQLITE_CONSTRAINT:
      if (extended_code == SQLITE_CONSTRAINT_UNIQUE ||
          extended_code == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Logged(absl::StatusCode::kAlreadyExists, "already exists", "sqlite", detail);
      }
      return Logged(absl::StatusCode::kFailedPrecondition, "constraint violated", "sqlite", detail);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
      return Logged(absl::StatusCode::kUnavailable, "storage unavailable", "sqlite", detail);
    case SQLITE_FULL:
      return Logged(absl::StatusCode::kResourceExhausted, "storage full", "sqlite", detail);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Logged(absl::StatusCode::kDataLoss, "storage corrupted", "sqlite", detail);
    default:
      return Logged(absl::StatusCode::kInternal, "internal error", "sqlite", detail);
  }
}

absl::Status MapPostgresError(std::string_view sqlstate, bool connection_lost,
                              std::string_view detail) {
  const std::string_view klass = sqlstate.substr(0, 2);
  if (sqlstate == "57014") {
    return Logged(absl::StatusCode::kDeadlineExceeded, "statement timed out", "postgresql", detail);
  }
  if (sqlstate == "40001" || sqlstate == "40P01") {
    return Logged(absl::StatusCode::kAborted, "transaction conflict, retry", "postgresql", detail);
  }
  if (sqlstate == "23505") {
    return Logged(absl::StatusCode::kAlreadyExists, "already exists", "postgresql", detail);
  }
  if (klass == "23") {
    return Logged(absl::StatusCode::kFailedPrecondition, "constraint violated", "postgresql",
                  detail);
  }
  if (klass == "53") {
    return Logged(absl::StatusCode::kResourceExhausted, "database out of resources", "postgresql",
                  detail);
  }
  if (klass == "XX" && sqlstate == "XX001") {
    return Logged(absl::StatusCode::kDataLoss, "storage corrupted", "postgresql", detail);
  }
  // Connection failures, server shutdown or restart (57P0x), a database that
  // does not exist (3D000) or refused credentials (28xxx): all operational,
  // all fixed without changing the request.
  if (connection_lost || sqlstate.empty() || klass == "08" || klass == "28" || klass == "3D" ||
      sqlstate.starts_with("57P")) {
    return Logged(absl::StatusCode::kUnavailable, "database unavailable", "postgresql", detail);
  }
  return Logged(absl::StatusCode::kInternal, "internal error", "postgresql", detail);
}

}  // namespace plaza::adapter::db
