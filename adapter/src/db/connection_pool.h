// A bounded pool of database connections, opened lazily and reopened after
// they break (this is how the adapter reconnects after a database restart).
#ifndef PLAZA_ADAPTER_DB_CONNECTION_POOL_H_
#define PLAZA_ADAPTER_DB_CONNECTION_POOL_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "absl/status/statusor.h"
#include "db/sql.h"

namespace plaza::adapter::db {

class ConnectionPool {
 public:
  using Factory = std::function<absl::StatusOr<SqlConnectionPtr>()>;

  struct Options {
    // At most this many connections are open at once.
    int max_connections = 4;
    // How long Acquire waits for a free connection before UNAVAILABLE.
    std::chrono::milliseconds acquire_timeout{2000};
  };

  // What the metrics endpoint reports.
  struct Stats {
    int max_connections = 0;
    int in_use = 0;
    int idle = 0;
    int waiting = 0;
    uint64_t connect_failures = 0;
    uint64_t acquire_timeouts = 0;
  };

  // A connection borrowed from the pool; returned (or dropped if broken) when
  // the lease ends.
  class Lease {
   public:
    Lease(ConnectionPool* pool, SqlConnectionPtr connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    SqlConnection* operator->() const { return connection_.get(); }
    SqlConnection& operator*() const { return *connection_; }

   private:
    ConnectionPool* pool_;
    SqlConnectionPtr connection_;
  };

  ConnectionPool(Factory factory, Options options);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Borrows an idle connection, opens a new one if the pool has room, or
  // waits. Fails with the factory's error or UNAVAILABLE on timeout.
  absl::StatusOr<Lease> Acquire();

  Stats GetStats() const;

 private:
  void Release(SqlConnectionPtr connection);

  const Factory factory_;
  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable available_;
  std::vector<SqlConnectionPtr> idle_;
  int open_ = 0;  // idle + in use + being opened
  int waiting_ = 0;
  uint64_t connect_failures_ = 0;
  uint64_t acquire_timeouts_ = 0;
};

}  // namespace plaza::adapter::db

#endif  // PLAZA_ADAPTER_DB_CONNECTION_POOL_H_
