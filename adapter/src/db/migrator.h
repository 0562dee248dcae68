// Brings the platform schema up to date at start: applies each migration
// not yet recorded in schema_migrations, in name order, one transaction
// each, and optionally loads the demo data into an empty database.
#ifndef PLAZA_ADAPTER_DB_MIGRATOR_H_
#define PLAZA_ADAPTER_DB_MIGRATOR_H_

#include <vector>

#include "absl/status/status.h"
#include "db/database.h"
#include "db/embedded_sql.h"

namespace plaza::adapter::db {

// Several adapter instances may start at once against one PostgreSQL: they
// serialize on an advisory lock, and the second finds nothing to do.
absl::Status Migrate(Database& database, const std::vector<EmbeddedSql>& migrations);

// Loads `demo_sql` when the users table is empty; otherwise does nothing.
absl::Status LoadDemoDataIfEmpty(Database& database, std::string_view demo_sql);

}  // namespace plaza::adapter::db

#endif  // PLAZA_ADAPTER_DB_MIGRATOR_H_
