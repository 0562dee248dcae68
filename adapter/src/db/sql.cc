// Column readers shared by every query of the platform schema.
#include "db/sql.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace plaza::adapter::db {

absl::StatusOr<int64_t> ColumnInt(const Row& row, size_t index) {
  if (index >= row.size() || !row[index].has_value()) {
    return absl::InternalError(absl::StrCat("platform data: column ", index, " is NULL"));
  }
  int64_t value = 0;
  if (!absl::SimpleAtoi(*row[index], &value)) {
    return absl::InternalError(absl::StrCat("platform data: column ", index, " is not a number"));
  }
  return value;
}

std::optional<int64_t> ColumnOptionalInt(const Row& row, size_t index) {
  if (index >= row.size() || !row[index].has_value()) return std::nullopt;
  int64_t value = 0;
  if (!absl::SimpleAtoi(*row[index], &value)) return std::nullopt;
  return value;
}

std::string ColumnText(const Row& row, size_t index) {
  if (index >= row.size() || !row[index].has_value()) return "";
  return *row[index];
}

}  // namespace plaza::adapter::db
