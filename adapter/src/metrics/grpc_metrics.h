// Per-method, per-status gRPC server metrics with the conventional names
// (those of go-grpc-prometheus, which dashboards expect):
//   grpc_server_started_total{grpc_type,grpc_service,grpc_method}
//   grpc_server_handled_total{grpc_type,grpc_service,grpc_method,grpc_code}
//   grpc_server_handling_seconds{grpc_type,grpc_service,grpc_method} (histogram)
// Recorded by a server interceptor, so every service (health and reflection
// included) is counted the same way.
#ifndef PLAZA_ADAPTER_METRICS_GRPC_METRICS_H_
#define PLAZA_ADAPTER_METRICS_GRPC_METRICS_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>
#include <string_view>

namespace plaza::adapter::metrics {

// The label value go-grpc-prometheus uses for a code ("OK", "NotFound", ...).
std::string_view GrpcCodeName(grpc::StatusCode code);

// Splits "/pkg.Service/Method"; services outside `known_prefixes` become
// "unknown" so garbage method names cannot grow the label set.
struct MethodLabels {
  std::string service;
  std::string method;
};
MethodLabels SplitMethod(std::string_view full_method);

class GrpcMetrics {
 public:
  explicit GrpcMetrics(prometheus::Registry& registry);

  void Started(const MethodLabels& labels, std::string_view type);
  void Handled(const MethodLabels& labels, std::string_view type, grpc::StatusCode code,
               double seconds);

 private:
  prometheus::Family<prometheus::Counter>& started_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& handling_seconds_;
};

// Creates one interceptor per call.
class MetricsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(GrpcMetrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  GrpcMetrics& metrics_;
};

}  // namespace plaza::adapter::metrics

#endif  // PLAZA_ADAPTER_METRICS_GRPC_METRICS_H_
