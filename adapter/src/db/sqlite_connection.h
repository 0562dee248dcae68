// SqlConnection on an SQLite file: the adapter's embedded default.
#ifndef PLAZA_ADAPTER_DB_SQLITE_CONNECTION_H_
#define PLAZA_ADAPTER_DB_SQLITE_CONNECTION_H_

#include <chrono>
#include <string>

#include "absl/status/statusor.h"
#include "db/sql.h"

namespace plaza::adapter::db {

// Opens (creating if missing) the SQLite database at `path` in WAL mode with
// foreign keys on. A statement running longer than `statement_timeout` is
// interrupted; a locked database is waited on for as long.
absl::StatusOr<SqlConnectionPtr> OpenSqlite(const std::string& path,
                                            std::chrono::milliseconds statement_timeout);

}  // namespace plaza::adapter::db

#endif  // PLAZA_ADAPTER_DB_SQLITE_CONNECTION_H_
