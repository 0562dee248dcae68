// Builds the metric families by hand: each value is read when scraped, so
// nothing has to push updates into gauges.
#include "metrics/runtime_metrics.h"

#include <prometheus/metric_family.h>

#include <string>
#include <utility>

namespace plaza::adapter::metrics {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily Family(std::string name, std::string help, MetricType type) {
  MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

void AddValue(MetricFamily& family, double value,
              std::vector<prometheus::ClientMetric::Label> labels = {}) {
  ClientMetric metric;
  metric.label = std::move(labels);
  if (family.type == MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(std::move(metric));
}

MetricFamily Gauge(std::string name, std::string help, double value) {
  MetricFamily family = Family(std::move(name), std::move(help), MetricType::Gauge);
  AddValue(family, value);
  return family;
}

MetricFamily Counter(std::string name, std::string help, double value) {
  MetricFamily family = Family(std::move(name), std::move(help), MetricType::Counter);
  AddValue(family, value);
  return family;
}

}  // namespace

std::vector<MetricFamily> RuntimeCollector::Collect() const {
  std::vector<MetricFamily> families;
  if (sources_.database != nullptr) {
    const db::ConnectionPool::Stats stats = sources_.database->PoolStats();
    families.push_back(Gauge("plaza_adapter_db_pool_max_connections",
                             "Most database connections the pool opens.", stats.max_connections));
    MetricFamily connections = Family("plaza_adapter_db_pool_connections",
                                      "Open database connections by state.", MetricType::Gauge);
    AddValue(connections, stats.in_use, {{"state", "in_use"}});
    AddValue(connections, stats.idle, {{"state", "idle"}});
    families.push_back(std::move(connections));
    families.push_back(Gauge("plaza_adapter_db_pool_waiting",
                             "Threads waiting for a database connection.", stats.waiting));
    families.push_back(Counter("plaza_adapter_db_connect_failures_total",
                               "Failed attempts to open a database connection.",
                               static_cast<double>(stats.connect_failures)));
    families.push_back(Counter("plaza_adapter_db_pool_acquire_timeouts_total",
                               "Calls refused because no database connection became free.",
                               static_cast<double>(stats.acquire_timeouts)));
  }
  if (sources_.workers != nullptr) {
    families.push_back(Gauge("plaza_adapter_worker_queue_depth",
                             "Calls waiting for a worker thread.",
                             static_cast<double>(sources_.workers->queue_depth())));
  }
  if (sources_.cache != nullptr) {
    MetricFamily lookups = Family("plaza_adapter_room_cache_lookups_total",
                                  "Room description cache lookups by result.", MetricType::Counter);
    AddValue(lookups, static_cast<double>(sources_.cache->hits()), {{"result", "hit"}});
    AddValue(lookups, static_cast<double>(sources_.cache->misses()), {{"result", "miss"}});
    families.push_back(std::move(lookups));
  }
  if (sources_.hub != nullptr) {
    families.push_back(Gauge("plaza_adapter_watch_streams", "Open WatchRoom streams.",
                             static_cast<double>(sources_.hub->watcher_count())));
  }
  if (sources_.state != nullptr) {
    families.push_back(Gauge("plaza_adapter_serving",
                             "1 while this instance reports SERVING, else 0.",
                             sources_.state->serving() ? 1 : 0));
  }
  if (sources_.mqtt != nullptr) {
    families.push_back(Gauge("plaza_adapter_mqtt_connected",
                             "1 while connected to the MQTT broker, else 0.",
                             sources_.mqtt->connected() ? 1 : 0));
    families.push_back(Counter("plaza_adapter_mqtt_publish_failures_total",
                               "Pushes not handed to the broker (broker unavailable).",
                               static_cast<double>(sources_.mqtt->publish_failures())));
  }
  return families;
}

}  // namespace plaza::adapter::metrics
