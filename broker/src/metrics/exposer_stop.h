// Stopping a Prometheus endpoint quickly. prometheus-cpp serves /metrics with
// civetweb, and Debian 12's civetweb (1.15) notices mg_stop() only when its
// listener poll times out, every 2 seconds: a broker or adapter with metrics
// took up to 2 s to exit, and every test that starts one paid it. A
// connection to the listener wakes that poll; this keeps making them while
// the server stops. (civetweb 1.16 wakes itself; then this costs nothing.)
#ifndef PLAZA_BROKER_METRICS_EXPOSER_STOP_H_
#define PLAZA_BROKER_METRICS_EXPOSER_STOP_H_

#include <memory>
#include <string_view>

namespace prometheus {
class Exposer;
}

namespace plaza {

// Destroys `exposer`, which listens on `listen` ("host:port", as given to
// it; a wildcard host is reached on loopback). Returns when it has stopped.
void StopExposer(std::unique_ptr<prometheus::Exposer> exposer, std::string_view listen);

}  // namespace plaza

#endif  // PLAZA_BROKER_METRICS_EXPOSER_STOP_H_
