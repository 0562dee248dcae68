// Turns the workers' counters into Prometheus families at scrape time: a
// scrape reads a few atomics per worker and never touches a shard.
#include "metrics/broker_metrics.h"

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>

#include <atomic>

#include "exposer_stop.h"
#include "net/server.h"

namespace plaza::broker {

class BrokerMetrics::WorkerCollector final : public prometheus::Collectable {
 public:
  explicit WorkerCollector(const Server* server) : server_(server) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::vector<prometheus::MetricFamily> families;
    auto add = [&](const char* name, const char* help, prometheus::MetricType type,
                   std::atomic<uint64_t> WorkerStats::*field) {
      prometheus::MetricFamily family;
      family.name = name;
      family.help = help;
      family.type = type;
      for (size_t i = 0; i < server_->threads(); ++i) {
        prometheus::ClientMetric metric;
        metric.label.push_back({"worker", std::to_string(i)});
        const double value =
            static_cast<double>((server_->worker_stats(i).*field).load(std::memory_order_relaxed));
        if (type == prometheus::MetricType::Counter) {
          metric.counter.value = value;
        } else {
          metric.gauge.value = value;
        }
        family.metric.push_back(std::move(metric));
      }
      families.push_back(std::move(family));
    };
    using prometheus::MetricType;
    add("plaza_connections", "Open client connections.", MetricType::Gauge,
        &WorkerStats::connections);
    add("plaza_sessions", "Sessions, online and offline (persistent).", MetricType::Gauge,
        &WorkerStats::sessions);
    add("plaza_subscriptions", "Subscriptions.", MetricType::Gauge, &WorkerStats::subscriptions);
    add("plaza_retained_messages", "Retained messages (each worker keeps a copy).",
        MetricType::Gauge, &WorkerStats::retained);
    add("plaza_connections_opened_total", "Connections accepted.", MetricType::Counter,
        &WorkerStats::connections_opened);
    add("plaza_messages_received_total", "PUBLISH packets received from clients.",
        MetricType::Counter, &WorkerStats::messages_received);
    add("plaza_messages_sent_total", "PUBLISH packets queued to clients.", MetricType::Counter,
        &WorkerStats::messages_sent);
    add("plaza_qos0_dropped_total",
        "QoS 0 messages dropped for a subscriber whose output queue was full.", MetricType::Counter,
        &WorkerStats::qos0_dropped);
    add("plaza_queued_dropped_total", "QoS 1/2 messages dropped from a full session queue.",
        MetricType::Counter, &WorkerStats::queued_dropped);
    add("plaza_overflow_disconnects_total",
        "Clients disconnected because they could not keep up with their queue.",
        MetricType::Counter, &WorkerStats::overflow_disconnects);
    add("plaza_protocol_errors_total", "Connections closed for a malformed or forbidden packet.",
        MetricType::Counter, &WorkerStats::protocol_errors);
    add("plaza_conflated_messages_total",
        "Queued QoS 0 state messages replaced by a newer one on the same topic (conflation).",
        MetricType::Counter, &WorkerStats::conflated);
    add("plaza_expired_dropped_total",
        "MQTT 5 messages not delivered because their Message Expiry Interval had passed.",
        MetricType::Counter, &WorkerStats::expired_dropped);
    add("plaza_oversize_dropped_total",
        "MQTT 5 messages not sent because they exceed the client's Maximum Packet Size.",
        MetricType::Counter, &WorkerStats::oversize_dropped);
    add("plaza_worker_sleeps_total",
        "Times a worker blocked waiting for events; each one is woken again by an interrupt "
        "or another thread (see idle_spin_us).",
        MetricType::Counter, &WorkerStats::sleeps);

    prometheus::MetricFamily refused;
    refused.name = "plaza_connections_refused_total";
    refused.help = "Connections refused because max_connections was reached.";
    refused.type = prometheus::MetricType::Counter;
    prometheus::ClientMetric metric;
    metric.counter.value = static_cast<double>(server_->counters().refused_max_connections.load());
    refused.metric.push_back(metric);
    families.push_back(std::move(refused));
    return families;
  }

 private:
  const Server* server_;
};

BrokerMetrics::BrokerMetrics(std::shared_ptr<prometheus::Registry> registry)
    : registry_(std::move(registry)) {}

BrokerMetrics::~BrokerMetrics() { StopExposer(std::move(exposer_), listen_); }

void BrokerMetrics::Watch(const Server* server) {
  workers_ = std::make_shared<WorkerCollector>(server);
  if (exposer_) exposer_->RegisterCollectable(workers_);
}

bool BrokerMetrics::Listen(const std::string& address, std::string* error) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(address, 2);
    listen_ = address;
  } catch (const std::exception& e) {
    *error = "cannot serve metrics on " + address + ": " + e.what();
    return false;
  }
  exposer_->RegisterCollectable(registry_);
  if (workers_) exposer_->RegisterCollectable(workers_);
  return true;
}

int BrokerMetrics::port() const {
  if (!exposer_) return 0;
  const auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

}  // namespace plaza::broker
