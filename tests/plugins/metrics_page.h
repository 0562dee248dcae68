// Reading the broker's Prometheus page in tests: the broker logs the port
// its metrics listener got ("--metrics-listen 127.0.0.1:0"), curl fetches
// the page, and a metric's samples are summed over their labels.
#ifndef PLAZA_TESTS_PLUGINS_METRICS_PAGE_H_
#define PLAZA_TESTS_PLUGINS_METRICS_PAGE_H_

#include <string>

#include "broker_process.h"

namespace plaza::testing {

// The /metrics page of `broker`, or "" if it has no metrics listener.
inline std::string MetricsPage(const BrokerProcess& broker) {
  const std::string log = broker.log();
  const std::string marker = "metrics on 127.0.0.1:0 (port ";
  const size_t at = log.find(marker);
  if (at == std::string::npos) return "";
  const size_t start = at + marker.size();
  const std::string port = log.substr(start, log.find(')', start) - start);
  return RunCommand({"curl", "-s", "http://127.0.0.1:" + port + "/metrics"}).out;
}

// The sum of a metric's samples over all its labels on a /metrics page.
inline double SumMetric(const std::string& page, const std::string& name) {
  double sum = 0;
  const std::string prefix = "\n" + name + "{";
  for (size_t at = page.find(prefix); at != std::string::npos; at = page.find(prefix, at + 1)) {
    sum += std::stod(page.substr(page.find("} ", at) + 2));
  }
  return sum;
}

}  // namespace plaza::testing

#endif  // PLAZA_TESTS_PLUGINS_METRICS_PAGE_H_
