// LoadBalancerProbe: readiness as a status code (see probe.proto for why the
// ALB needs it). Answers on the callback thread: it only reads a flag.
#ifndef PLAZA_ADAPTER_SERVICE_PROBE_SERVICE_H_
#define PLAZA_ADAPTER_SERVICE_PROBE_SERVICE_H_

#include "plaza/adapter/v1/probe.grpc.pb.h"
#include "service/serving_state.h"

namespace plaza::adapter::service {

class ProbeServiceImpl final : public v1::LoadBalancerProbe::CallbackService {
 public:
  explicit ProbeServiceImpl(const ServingState& state) : state_(state) {}

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const v1::ProbeRequest* request,
                                  v1::ProbeResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (state_.serving()) {
      response->set_state("SERVING");
      reactor->Finish(grpc::Status::OK);
    } else {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, state_.reason()));
    }
    return reactor;
  }

 private:
  const ServingState& state_;
};

}  // namespace plaza::adapter::service

#endif  // PLAZA_ADAPTER_SERVICE_PROBE_SERVICE_H_
