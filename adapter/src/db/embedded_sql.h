// The SQL files under adapter/migrations and adapter/demo, compiled into the
// binary (see adapter/CMakeLists.txt) so the adapter needs no files beside it.
#ifndef PLAZA_ADAPTER_DB_EMBEDDED_SQL_H_
#define PLAZA_ADAPTER_DB_EMBEDDED_SQL_H_

#include <string_view>
#include <vector>

namespace plaza::adapter::db {

struct EmbeddedSql {
  // The file name without ".sql", e.g. "0001_platform_schema".
  std::string_view name;
  std::string_view sql;
};

// The migrations, sorted by name (their order of application).
const std::vector<EmbeddedSql>& Migrations();

// The demo data loaded into an empty database on request.
std::string_view DemoData();

}  // namespace plaza::adapter::db

#endif  // PLAZA_ADAPTER_DB_EMBEDDED_SQL_H_
