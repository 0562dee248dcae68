// URL parsing, engine selection and the retry-once policy on dead
// connections.
#include "db/database.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "db/postgres_connection.h"
#include "db/sqlite_connection.h"

namespace plaza::adapter::db {

absl::StatusOr<ParsedUrl> ParseDatabaseUrl(std::string_view url) {
  if (url.starts_with("sqlite:")) {
    std::string_view path = url.substr(7);
    if (path.starts_with("//")) path.remove_prefix(2);  // sqlite://PATH
    if (path.empty()) return absl::InvalidArgumentError("database URL: sqlite: needs a file path");
    return ParsedUrl{Engine::kSqlite, std::string(path)};
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return ParsedUrl{Engine::kPostgres, std::string(url)};
  }
  return absl::InvalidArgumentError(
      "database URL must be sqlite:PATH or postgresql://USER@HOST:PORT/DBNAME");
}

absl::StatusOr<std::unique_ptr<Database>> Database::Create(const DatabaseOptions& options) {
  PLAZA_ASSIGN_OR_RETURN(ParsedUrl parsed, ParseDatabaseUrl(options.url));
  ConnectionPool::Factory factory;
  if (parsed.engine == Engine::kSqlite) {
    factory = [path = parsed.target, timeout = options.statement_timeout] {
      return OpenSqlite(path, timeout);
    };
  } else {
    factory = [url = parsed.target, timeout = options.statement_timeout,
               connect = options.connect_timeout] { return OpenPostgres(url, timeout, connect); };
  }
  ConnectionPool::Options pool_options;
  pool_options.max_connections = options.pool_size;
  pool_options.acquire_timeout = options.acquire_timeout;
  return std::unique_ptr<Database>(new Database(
      parsed.engine, std::make_unique<ConnectionPool>(std::move(factory), pool_options)));
}

absl::StatusOr<ResultSet> Database::Query(std::string_view sql,
                                          const std::vector<SqlValue>& params) {
  for (int attempt = 0;; ++attempt) {
    PLAZA_ASSIGN_OR_RETURN(ConnectionPool::Lease lease, pool_->Acquire());
    absl::StatusOr<ResultSet> result = lease->Query(sql, params);
    if (result.ok() || lease->IsHealthy() || attempt > 0) return result;
  }
}

absl::Status Database::Transaction(const std::function<absl::Status(SqlConnection&)>& work) {
  PLAZA_ASSIGN_OR_RETURN(ConnectionPool::Lease lease, pool_->Acquire());
  // SQLite takes the write lock up front, so two writers wait on the busy
  // timeout instead of failing to upgrade a read lock.
  PLAZA_RETURN_IF_ERROR(
      lease->ExecuteScript(engine_ == Engine::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN"));
  absl::Status status = work(*lease);
  if (status.ok()) status = lease->ExecuteScript("COMMIT");
  if (!status.ok()) (void)lease->ExecuteScript("ROLLBACK");
  return status;
}

absl::Status Database::Ping() { return Query("SELECT 1").status(); }

}  // namespace plaza::adapter::db
