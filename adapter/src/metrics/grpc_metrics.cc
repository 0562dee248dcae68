// The interceptor counts a call when it is created, remembers the status the
// server sends, and records the outcome when gRPC destroys it at the end of
// the call (a call that ends without a status, e.g. cancelled by the client,
// is counted as Canceled).
#include "metrics/grpc_metrics.h"

#include <chrono>
#include <optional>

namespace plaza::adapter::metrics {
namespace {

constexpr std::string_view kKnownPrefixes[] = {"plaza.adapter.", "grpc.health.",
                                               "grpc.reflection."};

std::string_view TypeName(grpc::experimental::ServerRpcInfo::Type type) {
  switch (type) {
    case grpc::experimental::ServerRpcInfo::Type::UNARY:
      return "unary";
    case grpc::experimental::ServerRpcInfo::Type::CLIENT_STREAMING:
      return "client_stream";
    case grpc::experimental::ServerRpcInfo::Type::SERVER_STREAMING:
      return "server_stream";
    case grpc::experimental::ServerRpcInfo::Type::BIDI_STREAMING:
      return "bidi_stream";
  }
  return "unknown";
}

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(GrpcMetrics& metrics, grpc::experimental::ServerRpcInfo* info)
      : metrics_(metrics),
        labels_(SplitMethod(info->method() != nullptr ? info->method() : "")),
        type_(TypeName(info->type())),
        start_(std::chrono::steady_clock::now()) {
    metrics_.Started(labels_, type_);
  }

  ~MetricsInterceptor() override {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    metrics_.Handled(labels_, type_, code_.value_or(grpc::StatusCode::CANCELLED), seconds);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      code_ = methods->GetSendStatus().error_code();
    }
    methods->Proceed();
  }

 private:
  GrpcMetrics& metrics_;
  const MethodLabels labels_;
  const std::string_view type_;
  const std::chrono::steady_clock::time_point start_;
  std::optional<grpc::StatusCode> code_;
};

}  // namespace

std::string_view GrpcCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "Canceled";
    case grpc::StatusCode::UNKNOWN:
      return "Unknown";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "InvalidArgument";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DeadlineExceeded";
    case grpc::StatusCode::NOT_FOUND:
      return "NotFound";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "AlreadyExists";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PermissionDenied";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "ResourceExhausted";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FailedPrecondition";
    case grpc::StatusCode::ABORTED:
      return "Aborted";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OutOfRange";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "Unimplemented";
    case grpc::StatusCode::INTERNAL:
      return "Internal";
    case grpc::StatusCode::UNAVAILABLE:
      return "Unavailable";
    case grpc::StatusCode::DATA_LOSS:
      return "DataLoss";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "Unauthenticated";
    default:
      return "Unknown";
  }
}

MethodLabels SplitMethod(std::string_view full_method) {
  if (!full_method.empty() && full_method.front() == '/') full_method.remove_prefix(1);
  const size_t slash = full_method.find('/');
  MethodLabels labels{"unknown", "unknown"};
  if (slash == std::string_view::npos) return labels;
  const std::string_view service = full_method.substr(0, slash);
  for (std::string_view prefix : kKnownPrefixes) {
    if (service.starts_with(prefix)) {
      labels.service = std::string(service);
      labels.method = std::string(full_method.substr(slash + 1));
    }
  }
  return labels;
}

GrpcMetrics::GrpcMetrics(prometheus::Registry& registry)
    : started_(prometheus::BuildCounter()
                   .Name("grpc_server_started_total")
                   .Help("Total number of RPCs started on the server.")
                   .Register(registry)),
      handled_(prometheus::BuildCounter()
                   .Name("grpc_server_handled_total")
                   .Help("Total number of RPCs completed on the server, regardless of success "
                         "or failure.")
                   .Register(registry)),
      handling_seconds_(prometheus::BuildHistogram()
                            .Name("grpc_server_handling_seconds")
                            .Help("Histogram of response latency (seconds) of gRPC that had "
                                  "been application-level handled by the server.")
                            .Register(registry)) {}

void GrpcMetrics::Started(const MethodLabels& labels, std::string_view type) {
  started_
      .Add({{"grpc_type", std::string(type)},
            {"grpc_service", labels.service},
            {"grpc_method", labels.method}})
      .Increment();
}

void GrpcMetrics::Handled(const MethodLabels& labels, std::string_view type, grpc::StatusCode code,
                          double seconds) {
  handled_
      .Add({{"grpc_type", std::string(type)},
            {"grpc_service", labels.service},
            {"grpc_method", labels.method},
            {"grpc_code", std::string(GrpcCodeName(code))}})
      .Increment();
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  handling_seconds_
      .Add({{"grpc_type", std::string(type)},
            {"grpc_service", labels.service},
            {"grpc_method", labels.method}},
           kBuckets)
      .Observe(seconds);
}

grpc::experimental::Interceptor* MetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new MetricsInterceptor(metrics_, info);
}

}  // namespace plaza::adapter::metrics
