// Whether this adapter instance should receive traffic: the database answers
// and the instance is not draining. Mirrors the answer into grpc.health.v1
// (for every service and for "") and serves it to LoadBalancerProbe.
#ifndef PLAZA_ADAPTER_SERVICE_SERVING_STATE_H_
#define PLAZA_ADAPTER_SERVICE_SERVING_STATE_H_

#include <grpcpp/health_check_service_interface.h>

#include <mutex>
#include <string>
#include <vector>

namespace plaza::adapter::service {

class ServingState {
 public:
  // The service names reported in grpc.health.v1 besides "".
  explicit ServingState(std::vector<std::string> services);

  // Called once the server is built; reports the current state at once.
  void AttachHealthService(grpc::HealthCheckServiceInterface* health);

  void SetDatabaseReady(bool ready);
  // One way: a draining instance never serves again.
  void SetDraining();

  bool serving() const;
  bool draining() const;
  // Why not serving, for LoadBalancerProbe's message; "" when serving.
  std::string reason() const;

 private:
  void PublishLocked();

  const std::vector<std::string> services_;
  mutable std::mutex mu_;
  grpc::HealthCheckServiceInterface* health_ = nullptr;
  bool database_ready_ = false;
  bool draining_ = false;
};

}  // namespace plaza::adapter::service

#endif  // PLAZA_ADAPTER_SERVICE_SERVING_STATE_H_
