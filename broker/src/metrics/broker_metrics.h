// The broker's Prometheus metrics: an endpoint (prometheus-cpp's exposer,
// on its own address) that shows the workers' counters and the metrics
// plugins create through the host table. Without a listen address the
// registry still exists, so plugins' counters work; nobody scrapes them.
#ifndef PLAZA_BROKER_METRICS_BROKER_METRICS_H_
#define PLAZA_BROKER_METRICS_BROKER_METRICS_H_

#include <prometheus/registry.h>

#include <memory>
#include <string>

namespace prometheus {
class Exposer;
}

namespace plaza::broker {

class Server;

class BrokerMetrics {
 public:
  // `registry` holds the plugins' metrics; it may be shared with the
  // plugin host and outlive this object.
  explicit BrokerMetrics(std::shared_ptr<prometheus::Registry> registry);
  ~BrokerMetrics();

  // Shows `server`'s counters (it must outlive this object).
  void Watch(const Server* server);
  // Serves /metrics on "ADDR:PORT" (port 0 picks one); false with `error`
  // set when it cannot listen.
  bool Listen(const std::string& address, std::string* error);
  // The bound port, once listening.
  int port() const;

 private:
  class WorkerCollector;
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<WorkerCollector> workers_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::string listen_;  // the exposer's address
};

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_METRICS_BROKER_METRICS_H_
