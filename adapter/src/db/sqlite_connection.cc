// SQLite behind the SqlConnection interface. Every column is read as text so
// results look the same as libpq's.
#include "db/sqlite_connection.h"

#include <sqlite3.h>

#include <string>
#include <type_traits>

#include "db/error_mapping.h"

namespace plaza::adapter::db {
namespace {

class SqliteConnection final : public SqlConnection {
 public:
  SqliteConnection(sqlite3* handle, std::chrono::milliseconds statement_timeout)
      : handle_(handle), statement_timeout_(statement_timeout) {
    // Checked every few thousand VM steps: cheap, and ends runaway statements.
    sqlite3_progress_handler(handle_, 1000, &SqliteConnection::OnProgress, this);
  }
  ~SqliteConnection() override { sqlite3_close_v2(handle_); }

  absl::StatusOr<ResultSet> Query(std::string_view sql,
                                  const std::vector<SqlValue>& params) override {
    StartClock();
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(handle_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) return Error();
    ResultSet result;
    absl::Status status = Bind(stmt, params);
    while (status.ok()) {
      rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        status = Error();
        break;
      }
      const int columns = sqlite3_column_count(stmt);
      Row& row = result.rows.emplace_back();
      row.reserve(columns);
      for (int i = 0; i < columns; ++i) {
        if (sqlite3_column_type(stmt, i) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
          row.emplace_back(std::string(text, sqlite3_column_bytes(stmt, i)));
        }
      }
    }
    sqlite3_finalize(stmt);
    if (!status.ok()) return status;
    result.affected_rows = sqlite3_changes(handle_);
    return result;
  }

  absl::Status ExecuteScript(std::string_view sql) override {
    StartClock();
    const std::string script(sql);
    if (sqlite3_exec(handle_, script.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Error();
    }
    return absl::OkStatus();
  }

  bool IsHealthy() const override { return true; }

 private:
  static int OnProgress(void* self) {
    auto* connection = static_cast<SqliteConnection*>(self);
    return std::chrono::steady_clock::now() > connection->deadline_ ? 1 : 0;
  }

  void StartClock() { deadline_ = std::chrono::steady_clock::now() + statement_timeout_; }

  absl::Status Bind(sqlite3_stmt* stmt, const std::vector<SqlValue>& params) {
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      int rc = std::visit(
          [&](const auto& value) {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
              return sqlite3_bind_null(stmt, index);
            } else if constexpr (std::is_same_v<T, int64_t>) {
              return sqlite3_bind_int64(stmt, index, value);
            } else {
              return sqlite3_bind_text(stmt, index, value.data(), static_cast<int>(value.size()),
                                       SQLITE_TRANSIENT);
            }
          },
          params[i]);
      if (rc != SQLITE_OK) return Error();
    }
    return absl::OkStatus();
  }

  absl::Status Error() {
    return MapSqliteError(sqlite3_extended_errcode(handle_), sqlite3_errmsg(handle_));
  }

  sqlite3* handle_;
  std::chrono::milliseconds statement_timeout_;
  std::chrono::steady_clock::time_point deadline_{};
};

}  // namespace

absl::StatusOr<SqlConnectionPtr> OpenSqlite(const std::string& path,
                                            std::chrono::milliseconds statement_timeout) {
  sqlite3* handle = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status =
        MapSqliteError(handle != nullptr ? sqlite3_extended_errcode(handle) : rc,
                       handle != nullptr ? sqlite3_errmsg(handle) : "cannot allocate a connection");
    sqlite3_close_v2(handle);
    return status;
  }
  sqlite3_extended_result_codes(handle, 1);
  sqlite3_busy_timeout(handle, static_cast<int>(statement_timeout.count()));
  auto connection = std::make_unique<SqliteConnection>(handle, statement_timeout);
  // WAL lets the pool's readers run beside a writer.
  absl::Status status =
      connection->ExecuteScript("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;");
  if (!status.ok()) return status;
  return connection;
}

}  // namespace plaza::adapter::db
