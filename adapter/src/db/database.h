// The adapter's handle on the platform database: a connection pool for the
// engine named by a URL ("sqlite:PATH" or "postgresql://..."), with one
// retry when a pooled connection turns out to be dead.
#ifndef PLAZA_ADAPTER_DB_DATABASE_H_
#define PLAZA_ADAPTER_DB_DATABASE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "db/connection_pool.h"
#include "db/sql.h"

namespace plaza::adapter::db {

enum class Engine { kSqlite, kPostgres };

struct DatabaseOptions {
  std::string url;
  int pool_size = 4;
  std::chrono::milliseconds statement_timeout{5000};
  std::chrono::seconds connect_timeout{5};
  std::chrono::milliseconds acquire_timeout{2000};
};

// Which engine a URL names and its engine-specific part (the SQLite path, or
// the whole postgresql:// URL). INVALID_ARGUMENT for anything else.
struct ParsedUrl {
  Engine engine;
  std::string target;
};
absl::StatusOr<ParsedUrl> ParseDatabaseUrl(std::string_view url);

class Database {
 public:
  // Connects lazily: creating a Database never fails for an unreachable
  // server, only for a malformed URL.
  static absl::StatusOr<std::unique_ptr<Database>> Create(const DatabaseOptions& options);

  Engine engine() const { return engine_; }

  // Runs one statement on a pooled connection. Statements given here must be
  // safe to run twice: after a connection is found dead it runs once more on
  // a fresh one.
  absl::StatusOr<ResultSet> Query(std::string_view sql, const std::vector<SqlValue>& params = {});

  // Runs `work` on one connection inside BEGIN/COMMIT (ROLLBACK on error).
  absl::Status Transaction(const std::function<absl::Status(SqlConnection&)>& work);

  // Borrows a connection for work that needs one session (migrations).
  absl::StatusOr<ConnectionPool::Lease> Acquire() { return pool_->Acquire(); }

  // SELECT 1: does the database answer?
  absl::Status Ping();

  ConnectionPool::Stats PoolStats() const { return pool_->GetStats(); }

 private:
  Database(Engine engine, std::unique_ptr<ConnectionPool> pool)
      : engine_(engine), pool_(std::move(pool)) {}

  Engine engine_;
  std::unique_ptr<ConnectionPool> pool_;
};

}  // namespace plaza::adapter::db

#endif  // PLAZA_ADAPTER_DB_DATABASE_H_
