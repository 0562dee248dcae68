// One running plaza-adapter: the database, the services, the gRPC server, the
// metrics endpoint and the broker connection, started in dependency order and
// drained in the reverse. main() owns one and drives it from signals.
#ifndef PLAZA_ADAPTER_SERVER_ADAPTER_H_
#define PLAZA_ADAPTER_SERVER_ADAPTER_H_

#include <grpcpp/grpcpp.h>
#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/status/statusor.h"
#include "db/database.h"
#include "metrics/grpc_metrics.h"
#include "metrics/runtime_metrics.h"
#include "platform/platform_store.h"
#include "push/mqtt_publisher.h"
#include "push/room_push.h"
#include "server/config.h"
#include "service/identity_service.h"
#include "service/platform_service.h"
#include "service/probe_service.h"
#include "service/room_cache.h"
#include "service/room_directory.h"
#include "service/room_service.h"
#include "service/room_watch_hub.h"
#include "service/serving_state.h"
#include "service/worker_pool.h"

namespace plaza::adapter::server {

class Adapter {
 public:
  // Binds the listeners and starts serving. The database may still be down:
  // the instance then reports NOT_SERVING and keeps retrying.
  static absl::StatusOr<std::unique_ptr<Adapter>> Start(const Config& config);
  ~Adapter();  // Drains at once if Drain() was not called.

  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }

  // Step 1 of a drain: report NOT_SERVING (health and probe) while still
  // serving every call.
  void BeginDrain();
  // Step 2: end WatchRoom streams, stop accepting calls, give in-flight ones
  // until `deadline`, then stop everything else.
  void FinishDrain(std::chrono::system_clock::time_point deadline);

 private:
  explicit Adapter(const Config& config) : config_(config) {}
  absl::Status Init();
  absl::Status StartMetrics();
  absl::Status StartGrpc();
  // One readiness round: migrate if not yet done, then ping.
  void CheckDatabase();
  void RunReadiness();

  const Config config_;
  std::unique_ptr<db::Database> database_;
  std::unique_ptr<platform::PlatformStore> store_;
  std::unique_ptr<service::RoomCache> cache_;
  std::unique_ptr<service::RoomDirectory> directory_;
  std::unique_ptr<service::WorkerPool> workers_;
  std::unique_ptr<service::RoomWatchHub> hub_;
  std::unique_ptr<push::MqttPublisher> mqtt_;
  std::unique_ptr<push::RoomPush> push_;
  std::unique_ptr<service::ServingState> state_;
  std::unique_ptr<service::IdentityServiceImpl> identity_service_;
  std::unique_ptr<service::RoomServiceImpl> room_service_;
  std::unique_ptr<service::PlatformServiceImpl> platform_service_;
  std::unique_ptr<service::ProbeServiceImpl> probe_service_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<metrics::GrpcMetrics> grpc_metrics_;
  std::shared_ptr<metrics::RuntimeCollector> runtime_metrics_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::unique_ptr<grpc::Server> server_;
  int grpc_port_ = 0;
  int metrics_port_ = 0;

  bool migrated_ = false;  // readiness thread only (and Init before it runs)
  std::mutex readiness_mu_;
  std::condition_variable readiness_wake_;
  bool readiness_stop_ = false;
  std::thread readiness_;
  bool drained_ = false;
};

}  // namespace plaza::adapter::server

#endif  // PLAZA_ADAPTER_SERVER_ADAPTER_H_
