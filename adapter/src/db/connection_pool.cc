// The pool's bookkeeping. Connections are opened outside the lock so a slow
// connect does not stall threads returning connections.
#include "db/connection_pool.h"

namespace plaza::adapter::db {

ConnectionPool::Lease::~Lease() {
  if (connection_ != nullptr) pool_->Release(std::move(connection_));
}

ConnectionPool::ConnectionPool(Factory factory, Options options)
    : factory_(std::move(factory)), options_(options) {}

absl::StatusOr<ConnectionPool::Lease> ConnectionPool::Acquire() {
  std::unique_lock lock(mu_);
  ++waiting_;
  const bool ready = available_.wait_for(lock, options_.acquire_timeout, [this] {
    return !idle_.empty() || open_ < options_.max_connections;
  });
  --waiting_;
  if (!ready) {
    ++acquire_timeouts_;
    return absl::UnavailableError("database: all connections busy, retry");
  }
  if (!idle_.empty()) {
    SqlConnectionPtr connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(connection));
  }
  ++open_;
  lock.unlock();
  absl::StatusOr<SqlConnectionPtr> opened = factory_();
  if (!opened.ok()) {
    lock.lock();
    --open_;
    ++connect_failures_;
    available_.notify_one();
    return opened.status();
  }
  return Lease(this, std::move(*opened));
}

void ConnectionPool::Release(SqlConnectionPtr connection) {
  const bool healthy = connection->IsHealthy();
  if (!healthy) connection.reset();  // close outside the lock would be nicer; it is quick
  std::lock_guard lock(mu_);
  if (healthy) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;
  }
  available_.notify_one();
}

ConnectionPool::Stats ConnectionPool::GetStats() const {
  std::lock_guard lock(mu_);
  Stats stats;
  stats.max_connections = options_.max_connections;
  stats.idle = static_cast<int>(idle_.size());
  stats.in_use = open_ - stats.idle;
  stats.waiting = waiting_;
  stats.connect_failures = connect_failures_;
  stats.acquire_timeouts = acquire_timeouts_;
  return stats;
}

}  // namespace plaza::adapter::db
