// A fresh, empty platform database per test, on SQLite (a file in a temp
// directory) or PostgreSQL (a new database in the server named by
// PLAZA_TEST_POSTGRES_URL, dropped afterwards), so the same tests run on
// both engines without seeing each other's data.
#ifndef PLAZA_TESTS_ADAPTER_SUPPORT_TEST_DATABASE_H_
#define PLAZA_TESTS_ADAPTER_SUPPORT_TEST_DATABASE_H_

#include <memory>
#include <string>

namespace plaza::adapter::testing {

enum class Backend { kSqlite, kPostgres };

std::string BackendName(Backend backend);
// Names parameterized tests "Sqlite" and "Postgres".
template <typename ParamInfo>
std::string BackendTestName(const ParamInfo& param_info) {
  return BackendName(param_info.param);
}

// Why a PostgreSQL test cannot run, or "" if it can. Under scripts/test.sh
// (PLAZA_TEST_POSTGRES_REQUIRED=1) a missing server is a failure, otherwise
// a skip: see PLAZA_REQUIRE_BACKEND.
std::string PostgresUnavailableReason();
bool PostgresRequired();

class TestDatabase {
 public:
  // Aborts the test (ADD_FAILURE) and returns nullptr on error.
  static std::unique_ptr<TestDatabase> Create(Backend backend);
  ~TestDatabase();

  // A database URL plaza-adapter accepts.
  const std::string& url() const { return url_; }
  // The same engine, but a database that does not exist (yet): CreateMissing
  // makes it exist.
  std::string MissingUrl() const { return missing_url_; }
  void CreateMissing();
  // PostgreSQL only: drops the database under the adapter's feet.
  void DropWhileInUse();

 private:
  Backend backend_ = Backend::kSqlite;
  std::string dir_;
  std::string url_;
  std::string missing_url_;
  std::string admin_url_;
  std::string name_;
  bool dropped_ = false;
};

// Runs an SQL command through libpq on `url`; returns libpq's error or "".
std::string PostgresExec(const std::string& url, const std::string& sql);

}  // namespace plaza::adapter::testing

// Skips (or fails, when PostgreSQL is required) a test whose backend is not
// available.
#define PLAZA_REQUIRE_BACKEND(backend)                                                         \
  do {                                                                                         \
    if ((backend) == ::plaza::adapter::testing::Backend::kPostgres) {                          \
      const std::string plaza_reason = ::plaza::adapter::testing::PostgresUnavailableReason(); \
      if (!plaza_reason.empty()) {                                                             \
        if (::plaza::adapter::testing::PostgresRequired()) {                                   \
          FAIL() << plaza_reason;                                                              \
        } else {                                                                               \
          GTEST_SKIP() << plaza_reason;                                                        \
        }                                                                                      \
      }                                                                                        \
    }                                                                                          \
  } while (0)

#endif  // PLAZA_TESTS_ADAPTER_SUPPORT_TEST_DATABASE_H_
