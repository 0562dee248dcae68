// Early-return helpers for absl::Status and absl::StatusOr. Debian 12's
// Abseil predates the public macros, so Plaza names its own.
#ifndef PLAZA_ADAPTER_COMMON_STATUS_MACROS_H_
#define PLAZA_ADAPTER_COMMON_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define PLAZA_STATUS_CONCAT_INNER(a, b) a##b
#define PLAZA_STATUS_CONCAT(a, b) PLAZA_STATUS_CONCAT_INNER(a, b)

// Returns the status of `expr` from the enclosing function unless it is OK.
#define PLAZA_RETURN_IF_ERROR(expr)                          \
  do {                                                       \
    ::absl::Status plaza_status_value = (expr);              \
    if (!plaza_status_value.ok()) return plaza_status_value; \
  } while (0)

// Evaluates a StatusOr `expr`; returns its status unless OK, else moves the
// value into `lhs` (which may be a declaration).
#define PLAZA_ASSIGN_OR_RETURN(lhs, expr) \
  PLAZA_ASSIGN_OR_RETURN_IMPL(PLAZA_STATUS_CONCAT(plaza_statusor_, __LINE__), lhs, expr)

#define PLAZA_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(*tmp)

#endif  // PLAZA_ADAPTER_COMMON_STATUS_MACROS_H_
