// PostgreSQL behind the SqlConnection interface. Parameters travel as text
// and the server infers their types; results are read as text.
#include "db/postgres_connection.h"

#include <libpq-fe.h>

#include <string>
#include <type_traits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "db/error_mapping.h"

namespace plaza::adapter::db {
namespace {

class PostgresConnection final : public SqlConnection {
 public:
  explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  absl::StatusOr<ResultSet> Query(std::string_view sql,
                                  const std::vector<SqlValue>& params) override {
    const std::string statement = ToPostgresPlaceholders(sql);
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      std::visit(
          [&](const auto& value) {
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, int64_t>) {
              texts[i] = absl::StrCat(value);
              values[i] = texts[i].c_str();
            } else if constexpr (std::is_same_v<T, std::string>) {
              values[i] = value.c_str();
            }
          },
          params[i]);
    }
    PGresult* res = PQexecParams(conn_, statement.c_str(), static_cast<int>(params.size()), nullptr,
                                 values.data(), nullptr, nullptr, 0);
    absl::Status status = Check(res);
    if (!status.ok()) {
      PQclear(res);
      return status;
    }
    ResultSet result;
    const int rows = PQntuples(res);
    const int columns = PQnfields(res);
    result.rows.reserve(rows);
    for (int r = 0; r < rows; ++r) {
      Row& row = result.rows.emplace_back();
      row.reserve(columns);
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(res, r, c)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c)));
        }
      }
    }
    int64_t affected = 0;
    if (absl::SimpleAtoi(PQcmdTuples(res), &affected)) result.affected_rows = affected;
    PQclear(res);
    return result;
  }

  absl::Status ExecuteScript(std::string_view sql) override {
    const std::string script(sql);
    PGresult* res = PQexec(conn_, script.c_str());
    absl::Status status = Check(res);
    PQclear(res);
    return status;
  }

  bool IsHealthy() const override { return PQstatus(conn_) == CONNECTION_OK; }

 private:
  absl::Status Check(PGresult* res) {
    const ExecStatusType state = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (state == PGRES_COMMAND_OK || state == PGRES_TUPLES_OK) return absl::OkStatus();
    const char* sqlstate = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    return MapPostgresError(sqlstate != nullptr ? sqlstate : "", PQstatus(conn_) == CONNECTION_BAD,
                            PQerrorMessage(conn_));
  }

  PGconn* conn_;
};

}  // namespace

std::string ToPostgresPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 8);
  int next = 1;
  char quote = 0;
  for (char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      out.push_back(c);
    } else if (c == '\'' || c == '"') {
      quote = c;
      out.push_back(c);
    } else if (c == '?') {
      absl::StrAppend(&out, "$", next++);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

absl::StatusOr<SqlConnectionPtr> OpenPostgres(const std::string& url,
                                              std::chrono::milliseconds statement_timeout,
                                              std::chrono::seconds connect_timeout) {
  const std::string timeout = absl::StrCat(connect_timeout.count());
  const std::string options = absl::StrCat("-c statement_timeout=", statement_timeout.count());
  // Later keywords override what the URL says.
  const char* keywords[] = {"dbname", "connect_timeout", "options", "application_name", nullptr};
  const char* values[] = {url.c_str(), timeout.c_str(), options.c_str(), "plaza-adapter", nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) {
    return absl::UnavailableError("database: cannot allocate a connection");
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    absl::Status status = MapPostgresError("", true, PQerrorMessage(conn));
    PQfinish(conn);
    return status;
  }
  return std::make_unique<PostgresConnection>(conn);
}

}  // namespace plaza::adapter::db
