// The small SQL interface the adapter's storage code is written against, so
// the same queries run on SQLite and PostgreSQL. Statements use '?'
// placeholders; results come back as text, as both engines can give them.
#ifndef PLAZA_ADAPTER_DB_SQL_H_
#define PLAZA_ADAPTER_DB_SQL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace plaza::adapter::db {

// A statement parameter: NULL, an integer or text.
using SqlValue = std::variant<std::monostate, int64_t, std::string>;

// One result row; a NULL column is std::nullopt.
using Row = std::vector<std::optional<std::string>>;

// The rows a statement returned (none for an UPDATE).
struct ResultSet {
  std::vector<Row> rows;
  // Rows an INSERT, UPDATE or DELETE changed.
  int64_t affected_rows = 0;
};

// One connection to a database. Used by one thread at a time (the pool
// guarantees it).
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;

  // Runs one statement with '?' placeholders bound to `params` in order.
  virtual absl::StatusOr<ResultSet> Query(std::string_view sql,
                                          const std::vector<SqlValue>& params) = 0;
  // Runs several ';'-separated statements without parameters (migrations).
  virtual absl::Status ExecuteScript(std::string_view sql) = 0;
  // False once the connection is known to be broken; the pool then drops it
  // and opens a new one.
  virtual bool IsHealthy() const = 0;
};

using SqlConnectionPtr = std::unique_ptr<SqlConnection>;

// Column readers: a malformed or NULL value where one is required is an
// INTERNAL error (the platform's data broke its own schema).
absl::StatusOr<int64_t> ColumnInt(const Row& row, size_t index);
std::optional<int64_t> ColumnOptionalInt(const Row& row, size_t index);
// NULL reads as "".
std::string ColumnText(const Row& row, size_t index);

}  // namespace plaza::adapter::db

#endif  // PLAZA_ADAPTER_DB_SQL_H_
