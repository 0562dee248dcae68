// SqlConnection on PostgreSQL through libpq: the production database.
#ifndef PLAZA_ADAPTER_DB_POSTGRES_CONNECTION_H_
#define PLAZA_ADAPTER_DB_POSTGRES_CONNECTION_H_

#include <chrono>
#include <string>

#include "absl/status/statusor.h"
#include "db/sql.h"

namespace plaza::adapter::db {

// Connects to `url` (a postgresql:// URL). The server cancels any statement
// running longer than `statement_timeout`; connecting gives up after
// `connect_timeout`.
absl::StatusOr<SqlConnectionPtr> OpenPostgres(const std::string& url,
                                              std::chrono::milliseconds statement_timeout,
                                              std::chrono::seconds connect_timeout);

// Rewrites '?' placeholders to PostgreSQL's $1, $2, ... leaving quoted text
// alone.
std::string ToPostgresPlaceholders(std::string_view sql);

}  // namespace plaza::adapter::db

#endif  // PLAZA_ADAPTER_DB_POSTGRES_CONNECTION_H_
