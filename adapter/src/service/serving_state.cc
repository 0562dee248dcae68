// State transitions and their mirror in the health service.
#include "service/serving_state.h"

namespace plaza::adapter::service {

ServingState::ServingState(std::vector<std::string> services) : services_(std::move(services)) {}

void ServingState::AttachHealthService(grpc::HealthCheckServiceInterface* health) {
  std::lock_guard lock(mu_);
  health_ = health;
  PublishLocked();
}

void ServingState::SetDatabaseReady(bool ready) {
  std::lock_guard lock(mu_);
  if (database_ready_ == ready) return;
  database_ready_ = ready;
  PublishLocked();
}

void ServingState::SetDraining() {
  std::lock_guard lock(mu_);
  draining_ = true;
  PublishLocked();
}

bool ServingState::serving() const {
  std::lock_guard lock(mu_);
  return database_ready_ && !draining_;
}

bool ServingState::draining() const {
  std::lock_guard lock(mu_);
  return draining_;
}

std::string ServingState::reason() const {
  std::lock_guard lock(mu_);
  if (draining_) return "draining: this instance is shutting down";
  if (!database_ready_) return "the database does not answer";
  return "";
}

void ServingState::PublishLocked() {
  if (health_ == nullptr) return;
  const bool serving = database_ready_ && !draining_;
  health_->SetServingStatus(serving);  // "" and every registered service
  for (const std::string& service : services_) health_->SetServingStatus(service, serving);
}

}  // namespace plaza::adapter::service
