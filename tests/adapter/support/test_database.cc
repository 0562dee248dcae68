// Per-test databases on both engines.
#include "support/test_database.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>

namespace plaza::adapter::testing {
namespace {

std::string EnvOrEmpty(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// postgresql://u@h:p/db?x -> postgresql://u@h:p/<name>?x
std::string WithDatabase(const std::string& url, const std::string& name) {
  const size_t query = url.find('?');
  const std::string base = url.substr(0, query);
  const std::string rest = query == std::string::npos ? "" : url.substr(query);
  const size_t slash = base.find('/', base.find("://") + 3);
  return (slash == std::string::npos ? base : base.substr(0, slash)) + "/" + name + rest;
}

std::string UniqueName() {
  static std::atomic<int> counter{0};
  std::random_device random;
  return "plaza_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(random() % 100000);
}

}  // namespace

std::string BackendName(Backend backend) {
  return backend == Backend::kSqlite ? "Sqlite" : "Postgres";
}

std::string PostgresUnavailableReason() {
  if (EnvOrEmpty("PLAZA_TEST_POSTGRES_URL").empty()) {
    return "PLAZA_TEST_POSTGRES_URL is not set (scripts/test.sh starts a PostgreSQL server "
           "for these tests; see scripts/postgres.sh)";
  }
  return "";
}

bool PostgresRequired() { return EnvOrEmpty("PLAZA_TEST_POSTGRES_REQUIRED") == "1"; }

std::string PostgresExec(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* result = PQexec(conn, sql.c_str());
    const ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) error = PQerrorMessage(conn);
    PQclear(result);
  }
  PQfinish(conn);
  return error;
}

std::unique_ptr<TestDatabase> TestDatabase::Create(Backend backend) {
  auto db = std::unique_ptr<TestDatabase>(new TestDatabase());
  db->backend_ = backend;
  db->name_ = UniqueName();
  if (backend == Backend::kSqlite) {
    std::string pattern = (std::filesystem::temp_directory_path() / "plaza-db.XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
      return nullptr;
    }
    db->dir_ = pattern;
    db->url_ = "sqlite:" + db->dir_ + "/platform.db";
    db->missing_url_ = "sqlite:" + db->dir_ + "/later/platform.db";
    return db;
  }
  db->admin_url_ = EnvOrEmpty("PLAZA_TEST_POSTGRES_URL");
  const std::string error = PostgresExec(db->admin_url_, "CREATE DATABASE " + db->name_);
  if (!error.empty()) {
    ADD_FAILURE() << "CREATE DATABASE failed: " << error;
    return nullptr;
  }
  db->url_ = WithDatabase(db->admin_url_, db->name_);
  db->missing_url_ = WithDatabase(db->admin_url_, db->name_ + "_later");
  return db;
}

void TestDatabase::CreateMissing() {
  if (backend_ == Backend::kSqlite) {
    std::filesystem::create_directories(dir_ + "/later");
  } else {
    EXPECT_EQ(PostgresExec(admin_url_, "CREATE DATABASE " + name_ + "_later"), "");
  }
}

void TestDatabase::DropWhileInUse() {
  ASSERT_EQ(backend_, Backend::kPostgres);
  EXPECT_EQ(PostgresExec(admin_url_, "DROP DATABASE " + name_ + " WITH (FORCE)"), "");
  dropped_ = true;
}

TestDatabase::~TestDatabase() {
  if (backend_ == Backend::kSqlite) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    return;
  }
  if (!dropped_) PostgresExec(admin_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  PostgresExec(admin_url_, "DROP DATABASE IF EXISTS " + name_ + "_later WITH (FORCE)");
}

}  // namespace plaza::adapter::testing
