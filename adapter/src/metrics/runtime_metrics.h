// Gauges the load balancer cannot give, read at scrape time from the parts
// that own them: the database pool, the worker queue, the room cache, the
// broker connection, WatchRoom streams and readiness.
#ifndef PLAZA_ADAPTER_METRICS_RUNTIME_METRICS_H_
#define PLAZA_ADAPTER_METRICS_RUNTIME_METRICS_H_

#include <prometheus/collectable.h>

#include <vector>

#include "db/database.h"
#include "push/mqtt_publisher.h"
#include "service/room_cache.h"
#include "service/room_watch_hub.h"
#include "service/serving_state.h"
#include "service/worker_pool.h"

namespace plaza::adapter::metrics {

// Every pointer must outlive the collector's registration; `mqtt` may be
// null (pushes disabled).
struct RuntimeSources {
  const db::Database* database = nullptr;
  const service::WorkerPool* workers = nullptr;
  const service::RoomCache* cache = nullptr;
  const service::RoomWatchHub* hub = nullptr;
  const service::ServingState* state = nullptr;
  const push::MqttPublisher* mqtt = nullptr;
};

class RuntimeCollector final : public prometheus::Collectable {
 public:
  explicit RuntimeCollector(RuntimeSources sources) : sources_(sources) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  RuntimeSources sources_;
};

}  // namespace plaza::adapter::metrics

#endif  // PLAZA_ADAPTER_METRICS_RUNTIME_METRICS_H_
