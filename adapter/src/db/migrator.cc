// Migration bookkeeping in the schema_migrations table.
#include "db/migrator.h"

#include <chrono>
#include <cstdio>
#include <string>

#include "common/status_macros.h"

namespace plaza::adapter::db {
namespace {

// Any fixed number shared by all adapter instances.
constexpr int64_t kMigrationLockKey = 7270501;

int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

absl::Status ApplyPending(Database& database, SqlConnection& connection,
                          const std::vector<EmbeddedSql>& migrations) {
  PLAZA_RETURN_IF_ERROR(
      connection.ExecuteScript("CREATE TABLE IF NOT EXISTS schema_migrations ("
                               " version VARCHAR(128) PRIMARY KEY, applied_at BIGINT NOT NULL)"));
  for (const EmbeddedSql& migration : migrations) {
    PLAZA_ASSIGN_OR_RETURN(ResultSet applied,
                           connection.Query("SELECT 1 FROM schema_migrations WHERE version = ?",
                                            {std::string(migration.name)}));
    if (!applied.rows.empty()) continue;
    const char* begin = database.engine() == Engine::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN";
    PLAZA_RETURN_IF_ERROR(connection.ExecuteScript(begin));
    absl::Status status = connection.ExecuteScript(migration.sql);
    if (status.ok()) {
      status = connection
                   .Query("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                          {std::string(migration.name), NowUnix()})
                   .status();
    }
    if (status.ok()) status = connection.ExecuteScript("COMMIT");
    if (!status.ok()) {
      (void)connection.ExecuteScript("ROLLBACK");
      return status;
    }
    std::fprintf(stderr, "plaza-adapter: applied migration %.*s\n",
                 static_cast<int>(migration.name.size()), migration.name.data());
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Migrate(Database& database, const std::vector<EmbeddedSql>& migrations) {
  PLAZA_ASSIGN_OR_RETURN(ConnectionPool::Lease lease, database.Acquire());
  const bool postgres = database.engine() == Engine::kPostgres;
  if (postgres) {
    PLAZA_RETURN_IF_ERROR(lease->Query("SELECT pg_advisory_lock(?)", {kMigrationLockKey}).status());
  }
  absl::Status status = ApplyPending(database, *lease, migrations);
  if (postgres) (void)lease->Query("SELECT pg_advisory_unlock(?)", {kMigrationLockKey});
  return status;
}

absl::Status LoadDemoDataIfEmpty(Database& database, std::string_view demo_sql) {
  return database.Transaction([&](SqlConnection& connection) -> absl::Status {
    PLAZA_ASSIGN_OR_RETURN(ResultSet users, connection.Query("SELECT COUNT(*) FROM users", {}));
    PLAZA_ASSIGN_OR_RETURN(int64_t count, ColumnInt(users.rows.at(0), 0));
    if (count > 0) return absl::OkStatus();
    PLAZA_RETURN_IF_ERROR(connection.ExecuteScript(demo_sql));
    std::fprintf(stderr, "plaza-adapter: loaded the demo data\n");
    return absl::OkStatus();
  });
}

}  // namespace plaza::adapter::db
