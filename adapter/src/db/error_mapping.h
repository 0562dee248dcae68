// The one place where database errors become statuses whose codes are the
// gRPC codes callers see. Callers get a short category; the engine's own
// message (which may name tables and values) goes only to the log.
#ifndef PLAZA_ADAPTER_DB_ERROR_MAPPING_H_
#define PLAZA_ADAPTER_DB_ERROR_MAPPING_H_

#include <string_view>

#include "absl/status/status.h"

namespace plaza::adapter::db {

// `extended_code` is sqlite3_extended_errcode(); `detail` is logged.
absl::Status MapSqliteError(int extended_code, std::string_view detail);

// `sqlstate` is PG_DIAG_SQLSTATE (empty when libpq lost the connection
// before the server answered); `connection_lost` is PQstatus() ==
// CONNECTION_BAD.
absl::Status MapPostgresError(std::string_view sqlstate, bool connection_lost,
                              std::string_view detail);

}  // namespace plaza::adapter::db

#endif  // PLAZA_ADAPTER_DB_ERROR_MAPPING_H_
